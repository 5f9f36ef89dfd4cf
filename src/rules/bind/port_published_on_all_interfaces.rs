//! NET002: a compose service publishes a port on every host interface (`"5000:5000"`, a bare
//! `"8000"`, long syntax without `host_ip`). Docker then accepts connections from any network
//! the host is on, past the host firewall, instead of only through the reverse proxy.
//! Reverse proxies (and ports 80/443, the public web's entry points) are meant to be public.

use crate::model::compose_fix::publish_on_loopback;
use crate::model::deployment::{Placement, Service};
use crate::model::images::{is_datastore, names_proxy};
use crate::model::listen::{PublishedPort, is_all_interfaces};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "NET002",
    check,
    prefilter: Some(|_, text| text.contains("ports")),
};

/// A backend of the app: built from the project's source, started as a Python server, or a
/// datastore. Third-party services published on purpose (a DNS server, a game server, a VPN
/// endpoint, an admin UI) are not judged.
fn is_backend(ctx: &FileContext<'_>, index: usize, service: &Service) -> bool {
    service.built
        || service.image.as_deref().is_some_and(is_datastore)
        || ctx
            .deployment
            .processes
            .iter()
            .filter(|p| p.service == Some(index))
            .any(|p| p.launch.program.is_python_server())
}

fn is_proxy(service: &Service) -> bool {
    [&service.name, &service.image, &service.base_image]
        .into_iter()
        .flatten()
        .any(|name| names_proxy(name))
}

/// Host ports a site is served on to the public (web, and mail for apps that receive it):
/// publishing them everywhere is the point.
fn is_public_web_port(port: &PublishedPort) -> bool {
    port.published
        .as_deref()
        .map(|p| p.split('-').next().unwrap_or(p))
        .is_some_and(|p| matches!(p, "80" | "443" | "25" | "465" | "587"))
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // With host networking nothing is published; the process's own bind decides (NET001).
    for (index, service) in ctx.deployment.services.iter().enumerate() {
        if service.placement == Placement::Host
            || !is_backend(ctx, index, service)
            || is_proxy(service)
        {
            continue;
        }
        for port in &service.published {
            if port.host_ip_unknown
                || port
                    .host_ip
                    .as_deref()
                    .is_some_and(|ip| !is_all_interfaces(ip))
                || is_public_web_port(port)
            {
                continue;
            }
            let on = match &port.published {
                Some(host) => format!("as host port {host}"),
                None => "on an ephemeral host port".to_string(),
            };
            let edits = publish_on_loopback(ctx.source.text(), port.span).unwrap_or_default();
            let fix = sink.fix(edits);
            sink.report(
                port.span,
                format!(
                    "{} publishes container port {} {on} on every host interface",
                    service.subject, port.target
                ),
            )
            .set_fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, fixed, quiet};

    #[test]
    fn fixes_publish_on_loopback() {
        let fix = |src: &str| fixed("NET002", "compose.yaml", src);
        let service = "services:\n  web:\n    build: .\n    ports:\n";
        for (entry, expected) in [
            (
                "      - \"5000:5000\"\n",
                "      - \"127.0.0.1:5000:5000\"\n",
            ),
            (
                "      - '5000:5000/udp'\n",
                "      - '127.0.0.1:5000:5000/udp'\n",
            ),
            ("      - 8000:8000\n", "      - 127.0.0.1:8000:8000\n"),
            (
                "      - \"8000:8000\"  # api\n",
                "      - \"127.0.0.1:8000:8000\"  # api\n",
            ),
            ("      - \"8000\"\n", "      - \"127.0.0.1::8000\"\n"),
            (
                "      - \"5000-5005:5000-5005\"\n",
                "      - \"127.0.0.1:5000-5005:5000-5005\"\n",
            ),
            (
                "      - \"0.0.0.0:8000:8000\"\n",
                "      - \"127.0.0.1:8000:8000\"\n",
            ),
            (
                "      - \"[::]:8000:8000\"\n",
                "      - \"[::1]:8000:8000\"\n",
            ),
            (
                "      - target: 8000\n        published: \"8000\"\n",
                "      - target: 8000\n        published: \"8000\"\n        host_ip: \"127.0.0.1\"\n",
            ),
            (
                "      - target: 8000\n        published: 8000  # web\n        protocol: tcp\n",
                "      - target: 8000\n        published: 8000  # web\n        protocol: tcp\n        host_ip: 127.0.0.1\n",
            ),
            (
                "      - target: 8000\n        host_ip: \"0.0.0.0\"\n        published: 8000\n",
                "      - target: 8000\n        host_ip: \"127.0.0.1\"\n        published: 8000\n",
            ),
            (
                "      - {target: 8000, published: 8000}\n",
                "      - {target: 8000, published: 8000, host_ip: 127.0.0.1}\n",
            ),
        ] {
            assert_eq!(
                fix(&format!("{service}{entry}")),
                format!("{service}{expected}"),
                "{entry}"
            );
        }
        // Flow sequences and CRLF line endings.
        assert_eq!(
            fix("services:\r\n  web:\r\n    build: .\r\n    ports: [\"8000:8000\", \"9000\"]\r\n"),
            "services:\r\n  web:\r\n    build: .\r\n    ports: [\"127.0.0.1:8000:8000\", \"127.0.0.1::9000\"]\r\n"
        );
        assert_eq!(
            fix(
                "services:\r\n  web:\r\n    build: .\r\n    ports:\r\n      - target: 80\r\n        published: 8080\r\n"
            ),
            "services:\r\n  web:\r\n    build: .\r\n    ports:\r\n      - target: 80\r\n        published: 8080\r\n        host_ip: 127.0.0.1\r\n"
        );
        // Shared through an anchor: the edit would reach the other service too.
        let anchored = "x-ports: &ports\n  - \"8000:8000\"\nservices:\n  web:\n    build: .\n    ports: *ports\n  dev:\n    build: .\n    profiles: [dev]\n    ports: *ports\n";
        assert_eq!(fix(anchored), anchored);
    }

    #[test]
    fn fail() {
        fires_once(
            "NET002",
            "compose.yaml",
            &[
                (
                    "services:\n  web:\n    build: .\n    ports:\n      - \"5000:5000\"\n",
                    "\"5000:5000\"",
                ),
                (
                    "services:\n  web:\n    image: app\n    command: gunicorn -b 0.0.0.0:8000 app:app\n    ports: [\"8000\"]\n",
                    "\"8000\"",
                ),
                (
                    "services:\n  web:\n    build: .\n    ports:\n      - 0.0.0.0:8000:8000\n",
                    "0.0.0.0:8000:8000",
                ),
                (
                    "services:\n  web:\n    build: .\n    ports:\n      - target: 8000\n        published: \"8000\"\n",
                    "\"8000\"",
                ),
                (
                    "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"${DB_PORT:-5432}:5432\"\n",
                    "\"${DB_PORT:-5432}:5432\"",
                ),
                // Regression: a quoted entry followed by a comment was underlined with it.
                (
                    "services:\n  web:\n    build: .\n    ports:\n      - \"5000:5000\"   # api\n",
                    "\"5000:5000\"",
                ),
                // Version 1: services at the top level.
                ("web:\n  build: .\n  ports:\n    - 8000:8000\n", "8000:8000"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "NET002",
            "compose.yaml",
            &[
                "services:\n  web:\n    image: app\n    ports:\n      - \"127.0.0.1:5000:5000\"\n",
                "services:\n  web:\n    image: app\n    ports:\n      - target: 8000\n        host_ip: 127.0.0.1\n        published: 8000\n",
                "services:\n  web:\n    image: app\n    ports:\n      - \"${BIND_IP}:8000:8000\"\n",
                "services:\n  proxy:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n",
                "services:\n  edge:\n    image: traefik:v3\n    ports: [\"8080:8080\"]\n",
                "services:\n  web:\n    image: app\n    ports:\n      - \"80:8000\"\n      - \"443:8443\"\n",
                "services:\n  web:\n    image: app\n    network_mode: host\n    ports:\n      - \"8000:8000\"\n",
                "services:\n  web:\n    image: app\n    expose:\n      - \"8000\"\n",
                "services:\n  web:\n    image: app\n    profiles: [dev]\n    ports:\n      - \"8000:8000\"\n",
                "services:\n  web:\n    build: .\n    ports:\n      - \"[::1]:8000:8000\"\n",
                // Third-party services published on purpose are not backends.
                "services:\n  dns:\n    image: pihole/pihole\n    ports: [\"53:53/udp\", \"8080:80\"]\n",
                "services:\n  web:\n    build: .\n    ports:\n      - \"${HOST:+${HOST}:}${PORT:-8080}:8080\"\n",
                "services:\n  web:\n    build: .\n    container_name: shop-dev\n    ports:\n      - \"8000:8000\"\n",
            ],
        );
        quiet(
            "NET002",
            "docker-compose.override.yml",
            &["services:\n  web:\n    ports:\n      - \"8000:8000\"\n"],
        );
    }
}
