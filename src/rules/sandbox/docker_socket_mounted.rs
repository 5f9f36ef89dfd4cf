//! SBX102: a compose service bind-mounts the container engine's socket from the host
//! (`/var/run/docker.sock`). Whoever can talk to that socket can start a privileged container
//! with the host's root filesystem mounted: it is root on the host, read-only mount or not.
//! In a Kubernetes manifest, a `hostPath` volume of the runtime's socket that a container mounts.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX102",
    check,
    prefilter: Some(|_, text| text.contains(".sock")),
};

/// Sockets of container engines: talking to one is running containers on the host.
const ENGINE_SOCKETS: &[&str] = &["docker.sock", "podman.sock", "containerd.sock"];

/// Whether a host path is a container engine's API socket (`/var/run/docker.sock`,
/// `/run/docker.sock`, `//var/run/docker.sock` as Docker Desktop on Windows writes it,
/// `/run/user/1000/podman/podman.sock`).
pub fn is_engine_socket(source: &str) -> bool {
    let path = source.trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    path.starts_with('/') && ENGINE_SOCKETS.contains(&name)
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_compose(ctx, sink);
    check_granted(ctx, sink);
}

/// A compose service's own keys.
fn check_compose(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in super::compose_services(ctx) {
        for volume in &service.volumes {
            if is_engine_socket(&volume.source) {
                sink.report(
                    volume.span,
                    format!(
                        "service `{}` mounts the host's container engine socket `{}`: whoever \
                         controls the service controls the host",
                        service.name.value, volume.source
                    ),
                );
            }
        }
    }
}

/// What the deployment model records (a Kubernetes container's securityContext and volumes).
fn check_granted(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // One volume mounted by several containers is one finding.
    for (_, grant) in ctx.deployment.grants_once(|p| &p.runtime_socket) {
        sink.report(
            grant.at,
            format!(
                "{} {}, the container runtime's socket: it controls every container on the host",
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
            "SBX102",
            "compose.yaml",
            &[
                (
                    "services:\n  web:\n    image: app\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
                    "/var/run/docker.sock:/var/run/docker.sock",
                ),
                (
                    "services:\n  web:\n    image: app\n    volumes:\n      - \"/run/docker.sock:/tmp/docker.sock:ro\"  # read-only changes nothing\n",
                    "\"/run/docker.sock:/tmp/docker.sock:ro\"",
                ),
                (
                    "services:\n  web:\n    image: app\n    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n        read_only: true\n",
                    "/var/run/docker.sock",
                ),
                (
                    "services:\n  jobs:\n    image: runner\n    volumes: [\"//var/run/docker.sock:/var/run/docker.sock\"]\n",
                    "\"//var/run/docker.sock:/var/run/docker.sock\"",
                ),
                (
                    "services:\n  web:\n    image: app\n    volumes:\n      - /run/user/1000/podman/podman.sock:/var/run/docker.sock\n",
                    "/run/user/1000/podman/podman.sock:/var/run/docker.sock",
                ),
                (
                    "web:\n  image: app\n  volumes:\n    - /var/run/docker.sock:/var/run/docker.sock:z\n",
                    "/var/run/docker.sock:/var/run/docker.sock:z",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX102",
            "compose.yaml",
            &[
                // An anonymous volume at that path inside the container: nothing of the host.
                "services:\n  web:\n    image: app\n    volumes:\n      - /var/run/docker.sock\n",
                // A named volume, and a long-syntax volume that is not a bind.
                "services:\n  web:\n    image: app\n    volumes:\n      - sock:/var/run/docker.sock\n",
                "services:\n  web:\n    image: app\n    volumes:\n      - type: volume\n        source: sock\n        target: /var/run/docker.sock\n",
                // The app's own sockets.
                "services:\n  web:\n    image: app\n    volumes:\n      - /run/app/gunicorn.sock:/run/gunicorn.sock\n",
                "services:\n  web:\n    image: app\n    volumes:\n      - ./docker.sock.d:/etc/app\n",
                "services:\n  web:\n    image: app\n    environment:\n      DOCKER_HOST: unix:///var/run/docker.sock\n",
                "services:\n  web:\n    image: app\n    profiles: [dev]\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
                "# - /var/run/docker.sock:/var/run/docker.sock\nservices:\n  web:\n    image: app\n",
            ],
        );
        quiet(
            "SBX102",
            "docker-compose.dev.yml",
            &[
                "services:\n  web:\n    image: app\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
            ],
        );
    }
}

#[cfg(test)]
mod granted_tests {
    use crate::rules::testing::{fires_once, quiet};

    const POD: &str = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: shop\n    volumeMounts:\n    - {name: sock, mountPath: /var/run/docker.sock}\n  volumes:\n  - name: sock\n    hostPath:\n      path: ";

    #[test]
    fn fail() {
        fires_once(
            "SBX102",
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
            "SBX102",
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
