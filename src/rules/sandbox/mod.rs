//! Least-privilege settings of the service manager that runs the app (systemd sandboxing).

pub mod no_working_directory;
pub mod unsandboxed_service;
