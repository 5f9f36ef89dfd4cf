//! Servers listening on every network interface where that exposes a backend.

pub mod bind_all_interfaces;
pub mod port_published_on_all_interfaces;
