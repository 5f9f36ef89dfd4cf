//! Sandboxing: the privileges and isolation the deployed process runs with (systemd's
//! least-privilege settings, privileged containers and the other ways out of a container).

pub mod dangerous_capability;
pub mod docker_socket_mounted;
pub mod host_namespace;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod unconfined_container;
pub mod unsandboxed_service;
