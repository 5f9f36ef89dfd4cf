//! Sandboxing: the privileges and isolation the deployed process runs with (systemd's
//! least-privilege settings, privileged containers, capabilities and host namespaces).

pub mod dangerous_capability_added;
pub mod docker_socket_mounted;
pub mod host_namespace_shared;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod unsandboxed_service;
