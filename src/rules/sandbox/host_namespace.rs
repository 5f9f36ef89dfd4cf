//! SBX105: a compose service joins the host's process or IPC namespace (`pid: host`,
//! `ipc: host`): it sees every process of the host (and, as root, can signal, trace or
//! enter them) or shares the host's System V and POSIX shared memory.
//! In a Kubernetes manifest, `hostPID`/`hostIPC` on the pod, reported once per pod.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX105",
    check,
    prefilter: Some(|_, text| text.contains("host")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_compose(ctx, sink);
    check_granted(ctx, sink);
}

/// A compose service's own keys.
fn check_compose(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in super::compose_services(ctx) {
        for (key, span) in &service.host_namespaces {
            let what = if key == "pid" {
                "sees and can signal every process on the host"
            } else {
                "shares the host's shared memory and semaphores"
            };
            sink.report(
                *span,
                format!(
                    "service `{}` uses the host's {} namespace (`{key}: host`): it {what}",
                    service.name.value,
                    key.to_ascii_uppercase()
                ),
            );
        }
    }
}

/// What the deployment model records (a Kubernetes container's securityContext and volumes).
fn check_granted(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // Every container of a pod shares its namespaces: report each setting once.
    for (_, grant) in ctx.deployment.grants_once(|p| &p.host_namespaces) {
        let what = if grant.value.starts_with("hostPID") {
            "process namespace: the app sees and can signal every process on the node"
        } else {
            "IPC namespace: the app reaches the shared memory of every process on the node"
        };
        sink.report(
            grant.at,
            format!(
                "{} sets {}, sharing the host's {what}",
                grant.how, grant.value
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "SBX105",
            "compose.yaml",
            &[
                ("services:\n  web:\n    image: app\n    pid: host\n", "host"),
                (
                    "services:\n  web:\n    image: app\n    ipc: \"host\"  # shm\n",
                    "\"host\"",
                ),
                ("web:\n  image: app\n  pid: host\n", "host"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX105",
            "compose.yaml",
            &[
                // Sharing with another service of the project stays inside the project.
                "services:\n  web:\n    image: app\n    pid: \"service:db\"\n    ipc: shareable\n",
                "services:\n  web:\n    image: app\n    ipc: private\n",
                "services:\n  web:\n    image: app\n    network_mode: host\n",
                "services:\n  web:\n    image: app\n    labels:\n      pid: host\n",
                "services:\n  top:\n    image: app\n    profiles: [debug]\n    pid: host\n",
            ],
        );
    }
}

#[cfg(test)]
mod granted_tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "SBX105",
            "deployment.yaml",
            &[
                (
                    "apiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n  containers:\n  - {name: web, image: shop}\n  - {name: side, image: shop}\n",
                    "true",
                ),
                (
                    "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          hostIPC: True\n          containers:\n          - {name: web, image: shop}\n",
                    "True",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX105",
            "deployment.yaml",
            &[
                "apiVersion: v1\nkind: Pod\nspec:\n  hostPID: false\n  containers:\n  - {name: web, image: shop}\n",
                "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n  containers:\n  - {name: web, image: shop}\n",
                // A node exporter's pod (a proxy or datastore image) is not the app's.
                "apiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n  containers:\n  - {name: db, image: postgres:16}\n",
                // Inside the container spec the key means nothing.
                "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: web, image: shop, hostPID: true}\n",
            ],
        );
    }
}
