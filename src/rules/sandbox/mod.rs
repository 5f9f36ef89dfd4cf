//! Sandboxing: the privileges and isolation the deployed process runs with (systemd's
//! least-privilege settings, privileged containers and the other ways out of a container).

pub mod dangerous_capability;
pub mod docker_socket_mounted;
pub mod host_namespace;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod unconfined_container;
pub mod unsandboxed_service;

use crate::model::compose::Service;
use crate::rules::{FileContext, View};

/// The services a compose file deploys: its development services are not judged.
fn compose_services<'a>(ctx: &FileContext<'a>) -> impl Iterator<Item = &'a Service> {
    let services = match ctx.view {
        View::Compose(file) => file.services.as_slice(),
        _ => &[],
    };
    services.iter().filter(|s| !s.development)
}
