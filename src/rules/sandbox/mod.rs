//! Sandboxing: the privileges and isolation the deployed process runs with (systemd's
//! least-privilege settings, privileged containers).

pub mod privileged_container;
pub mod unsandboxed_service;
