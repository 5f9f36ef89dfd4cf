//! SBX104: a compose service is given a Linux capability that lets a compromised process
//! leave its container or take over the host's network (`cap_add: [SYS_ADMIN]`, `ALL`,
//! `SYS_PTRACE`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`; `NET_ADMIN` with host
//! networking).

use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "SBX104",
    check,
    prefilter: Some(|_, text| text.contains("cap_add")),
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
    let View::Compose(file) = ctx.view else {
        return;
    };
    for service in file.services.iter().filter(|s| !s.development) {
        for capability in &service.cap_add {
            if let Some(what) = danger(&capability.value, service.host_network) {
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
