//! SBX101: a container runs privileged (a compose service's or a Kubernetes container's
//! `privileged: true`): every capability, every host device and no seccomp or AppArmor
//! confinement, so a compromise of the app is a compromise of the host.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX101",
    check,
    prefilter: Some(|_, text| text.contains("privileged")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // Containers whose privileges the model carries (Kubernetes securityContext).
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        if let Some(grant) = &service.privileges.privileged {
            sink.report(
                grant.at,
                format!(
                    "{} runs privileged: it has every capability and the host's devices",
                    service.subject
                ),
            );
        }
    }
    for service in super::compose_services(ctx) {
        if let Some(span) = service.privileged {
            sink.report(
                span,
                format!(
                    "service `{}` runs privileged: it has every capability and the host's devices",
                    service.name.value
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
            "SBX101",
            "compose.yaml",
            &[
                (
                    "services:\n  web:\n    image: app\n    privileged: true\n",
                    "true",
                ),
                ("web:\n  image: app\n  privileged: True\n", "True"),
                (
                    "x-base: &base\n  privileged: true\nservices:\n  web:\n    <<: *base\n    image: app\n",
                    "true",
                ),
            ],
        );
    }

    #[test]
    fn kubernetes() {
        fires_once(
            "SBX101",
            "deployment.yaml",
            &[
                (
                    "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: shop\n    securityContext:\n      privileged: true\n",
                    "true",
                ),
                (
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  template:\n    spec:\n      initContainers:\n      - {name: setup, image: busybox, securityContext: {privileged: true}}\n      containers:\n      - {name: web, image: shop}\n",
                    "true",
                ),
                // The API server reads YAML 1.1: `yes` is true.
                (
                    "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: web, image: shop, securityContext: {privileged: yes}}\n",
                    "yes",
                ),
            ],
        );
        quiet(
            "SBX101",
            "deployment.yaml",
            &[
                "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: web, image: shop, securityContext: {privileged: false}}\n",
                "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: web, image: shop, securityContext: {privileged: \"true\"}}\n",
                // Elasticsearch's sysctl init container: the pod runs a datastore.
                "apiVersion: apps/v1\nkind: StatefulSet\nspec:\n  template:\n    spec:\n      initContainers:\n      - {name: sysctl, image: busybox, securityContext: {privileged: true}}\n      containers:\n      - {name: es, image: elasticsearch:8}\n",
                // A node-tuning DaemonSet: its only long-running container is `pause`.
                "apiVersion: apps/v1\nkind: DaemonSet\nspec:\n  template:\n    spec:\n      initContainers:\n      - {name: sysctl, image: alpine, securityContext: {privileged: true}}\n      containers:\n      - {name: pause, image: registry.k8s.io/pause:3.8}\n",
                // A test pod.
                "apiVersion: v1\nkind: Pod\nmetadata: {name: e2e-test}\nspec:\n  containers:\n  - {name: web, image: shop, securityContext: {privileged: true}}\n",
                // Under a pod-level securityContext `privileged` does not exist.
                "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {privileged: true}\n  containers:\n  - {name: web, image: shop}\n",
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX101",
            "compose.yaml",
            &[
                "services:\n  web:\n    image: app\n    privileged: false\n",
                "services:\n  web:\n    image: app\n    cap_add: [NET_BIND_SERVICE]\n",
                "services:\n  web:\n    image: app\n    privileged: \"true\"\n",
                "services:\n  web:\n    image: app\n    profiles: [debug]\n    privileged: true\n",
                "services:\n  web:\n    image: app\n    labels:\n      privileged: true\n",
            ],
        );
    }
}
