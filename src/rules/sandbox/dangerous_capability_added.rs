//! SBX110: a container is given a capability that reaches past its own namespaces (`ALL`,
//! `SYS_ADMIN`, `SYS_PTRACE`, `NET_ADMIN`, `SYS_MODULE`, …): with it, code execution in the app
//! can mount file systems, trace other processes or load kernel modules.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX110",
    check,
    prefilter: Some(|_, text| text.contains("add")),
};

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

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        for grant in &service.privileges.capabilities {
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
            "SBX110",
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
            "SBX110",
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
