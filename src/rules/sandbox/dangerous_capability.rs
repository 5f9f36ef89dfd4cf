//! SBX104: a compose service is given a Linux capability that lets a compromised process
//! leave its container or take over the host's network (`cap_add: [SYS_ADMIN]`, `ALL`,
//! `SYS_PTRACE`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`; `NET_ADMIN` with host
//! networking).
//! In a Kubernetes manifest, `securityContext.capabilities.add`.

use crate::model::deployment::Placement;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX104",
    check,
    prefilter: Some(|_, text| text.contains("cap_add") || text.contains("add")),
};

/// What a capability gives away, for the message; None for those Docker's default set
/// already holds or that do not reach past the container. `NET_ADMIN` governs the network
/// namespace the process is in: the container's own (a VPN or DHCP server's business),
/// unless the service uses the host's network.
fn danger(capability: &str, host_network: bool) -> Option<&'static str> {
    let upper = capability.trim().to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
    match name {
        "ALL" => Some("every capability, as `privileged` does"),
        "SYS_ADMIN" => Some("mounts, namespaces and most of root's powers"),
        "NET_ADMIN" if host_network => {
            Some("with `network_mode: host`, control of the host's routes, interfaces and firewall")
        }
        "SYS_PTRACE" => Some("tracing and reading the memory of other processes"),
        "SYS_MODULE" => Some("loading kernel modules into the host's kernel"),
        "SYS_RAWIO" => Some("raw access to devices and I/O ports"),
        "DAC_READ_SEARCH" => Some("opening host files by handle, a known container escape"),
        _ => None,
    }
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_compose(ctx, sink);
    check_granted(ctx, sink);
}

/// A compose service's own keys.
fn check_compose(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in super::compose_services(ctx) {
        for capability in &service.cap_add {
            if let Some(what) = danger(&capability.value, service.host_network.is_some()) {
                sink.report(
                    capability.span,
                    format!(
                        "service `{}` is given `{}`: {what}",
                        service.name.value,
                        capability.value.trim()
                    ),
                );
            }
        }
    }
}

/// What the deployment model records (a Kubernetes container's securityContext and volumes).
/// Capabilities (without `CAP_`) that break a container's isolation, and what each allows.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability, as a privileged container has"),
    (
        "SYS_ADMIN",
        "mounts, namespaces and much of the kernel's administration",
    ),
    (
        "SYS_PTRACE",
        "tracing and reading the memory of other processes",
    ),
    ("SYS_MODULE", "loading kernel modules"),
    ("SYS_RAWIO", "raw access to devices and I/O ports"),
    (
        "DAC_READ_SEARCH",
        "reading any file by handle, past the container's mounts",
    ),
    (
        "NET_ADMIN",
        "reconfiguring the network: interfaces, routes and firewall rules",
    ),
    ("BPF", "loading BPF programs into the kernel"),
    ("SYS_BOOT", "rebooting the host"),
];

/// What a capability as written (`sys_admin`, `CAP_SYS_ADMIN`) allows, if it is dangerous.
pub fn dangerous(capability: &str) -> Option<&'static str> {
    let upper = capability.trim().to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
    DANGEROUS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, allows)| *allows)
}

fn check_granted(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        // As for compose: NET_ADMIN reaches past the pod only on the node's network.
        let host_network = service.placement == Placement::Host;
        for grant in &service.privileges.capabilities {
            let name = grant.value.trim().to_ascii_uppercase();
            if name.trim_start_matches("CAP_") == "NET_ADMIN" && !host_network {
                continue;
            }
            if let Some(allows) = dangerous(&grant.value) {
                sink.report(
                    grant.at,
                    format!(
                        "{} is given {} ({}): {allows}",
                        service.subject, grant.value, grant.how
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "SBX104",
            "compose.yaml",
            &[
                (
                    "services:\n  web:\n    image: app\n    cap_add:\n      - SYS_ADMIN\n",
                    "SYS_ADMIN",
                ),
                (
                    "services:\n  web:\n    image: app\n    cap_add: [ALL]\n    cap_drop: [MKNOD]\n",
                    "ALL",
                ),
                (
                    "services:\n  web:\n    image: app\n    network_mode: host\n    cap_add:\n      - NET_BIND_SERVICE\n      - CAP_NET_ADMIN\n",
                    "CAP_NET_ADMIN",
                ),
                (
                    "services:\n  web:\n    image: app\n    cap_add: [\"sys_ptrace\"]\n",
                    "\"sys_ptrace\"",
                ),
                (
                    "services:\n  web:\n    image: app\n    cap_add:\n      - SYS_MODULE # for wireguard\n",
                    "SYS_MODULE",
                ),
                (
                    "x-caps: &caps\n  cap_add: [DAC_READ_SEARCH]\nservices:\n  web:\n    <<: *caps\n    image: app\n",
                    "DAC_READ_SEARCH",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX104",
            "compose.yaml",
            &[
                "services:\n  web:\n    image: app\n    cap_add: [NET_BIND_SERVICE, CHOWN, SETUID, SETGID]\n",
                // In its own network namespace, NET_ADMIN reaches only the container's network.
                "services:\n  vpn:\n    image: wireguard\n    cap_add: [NET_ADMIN]\n",
                // Dropping is the safe direction.
                "services:\n  web:\n    image: app\n    cap_drop: [ALL, SYS_ADMIN]\n",
                "services:\n  web:\n    image: app\n    # cap_add:\n    #   - SYS_PTRACE\n",
                "services:\n  debugger:\n    image: app\n    profiles: [debug]\n    cap_add: [SYS_PTRACE]\n",
                "services:\n  web:\n    image: app\n    labels:\n      cap_add: SYS_ADMIN\n",
            ],
        );
    }
}

#[cfg(test)]
mod granted_tests {
    use super::dangerous;
    use crate::rules::testing::{fires_once, quiet};

    const POD: &str = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: shop\n    securityContext:\n      capabilities:\n";

    #[test]
    fn names() {
        for c in [
            "SYS_ADMIN",
            "CAP_SYS_ADMIN",
            "sys_admin",
            "ALL",
            " NET_ADMIN",
        ] {
            assert!(dangerous(c).is_some(), "{c}");
        }
        for c in ["NET_BIND_SERVICE", "CHOWN", "SYS_ADMINS", "", "CAP_"] {
            assert!(dangerous(c).is_none(), "{c}");
        }
    }

    #[test]
    fn fail() {
        let case = |add: &str| format!("{POD}        add: {add}\n");
        fires_once(
            "SBX104",
            "deployment.yaml",
            &[
                (&case("[SYS_ADMIN]"), "SYS_ADMIN"),
                (
                    &case("[\"NET_BIND_SERVICE\", \"CAP_SYS_PTRACE\"]"),
                    "\"CAP_SYS_PTRACE\"",
                ),
                (&case("[ALL]"), "ALL"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX104",
            "deployment.yaml",
            &[
                &format!("{POD}        add: [NET_BIND_SERVICE]\n"),
                // Dropping is the safe direction.
                &format!("{POD}        drop: [ALL]\n"),
                // A datastore's pod is outside deploylint's remit.
                &format!("{POD}        add: [SYS_ADMIN]\n")
                    .replace("image: shop", "image: redis:7"),
                // Not a workload: a ConfigMap's data.
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  add: SYS_ADMIN\n",
            ],
        );
    }
}
