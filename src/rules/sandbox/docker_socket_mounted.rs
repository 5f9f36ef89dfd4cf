//! SBX112: a container mounts the host's container runtime socket (`/var/run/docker.sock`,
//! containerd's, CRI-O's): whoever can write to it starts containers on the host, privileged
//! ones included, so a compromise of the app is root on the host.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX112",
    check,
    prefilter: Some(|_, text| text.contains(".sock")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let mut seen = Vec::new();
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        for grant in &service.privileges.runtime_socket {
            // One volume mounted by several containers is one finding.
            if seen.contains(&grant.at) {
                continue;
            }
            seen.push(grant.at);
            sink.report(
                grant.at,
                format!(
                    "{} {}, the container runtime's socket: it controls every container on the host",
                    grant.how, grant.value
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    const POD: &str = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: shop\n    volumeMounts:\n    - {name: sock, mountPath: /var/run/docker.sock}\n  volumes:\n  - name: sock\n    hostPath:\n      path: ";

    #[test]
    fn fail() {
        fires_once(
            "SBX112",
            "deployment.yaml",
            &[
                (
                    &format!("{POD}/var/run/docker.sock\n"),
                    "/var/run/docker.sock",
                ),
                (
                    &format!("{POD}\"/run/containerd/containerd.sock\"\n"),
                    "\"/run/containerd/containerd.sock\"",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX112",
            "deployment.yaml",
            &[
                &format!("{POD}/var/lib/shop\n"),
                // Declared but mounted by no container.
                &format!("{POD}/var/run/docker.sock\n").replace("{name: sock,", "{name: other,"),
                // An emptyDir at the same mount path is the pod's own.
                "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: shop\n    volumeMounts:\n    - {name: sock, mountPath: /var/run/docker.sock}\n  volumes:\n  - {name: sock, emptyDir: {}}\n",
            ],
        );
    }
}
