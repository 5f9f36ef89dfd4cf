//! Development servers and reloaders on the production path.

pub mod auto_reload_enabled;
pub mod dev_server_in_production;
pub mod http_server_in_code;
