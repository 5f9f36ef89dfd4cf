//! SBX111: a pod shares the host's process or IPC namespace (`hostPID: true`,
//! `hostIPC: true`): the app sees every process on the node (and, as root, can signal or trace
//! them) or its shared memory.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX111",
    check,
    prefilter: Some(|_, text| text.contains("hostPID") || text.contains("hostIPC")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // Every container of a pod shares its namespaces: report each setting once.
    let mut seen = Vec::new();
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        for grant in &service.privileges.host_namespaces {
            if seen.contains(&grant.at) {
                continue;
            }
            seen.push(grant.at);
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
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "SBX111",
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
            "SBX111",
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
