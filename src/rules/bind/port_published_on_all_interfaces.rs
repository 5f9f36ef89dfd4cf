//! NET002: a compose service publishes a port on every host interface (`"5000:5000"`, a bare
//! `"8000"`, long syntax without `host_ip`). Docker then accepts connections from any network
//! the host is on, past the host firewall, instead of only through the reverse proxy.
//! Reverse proxies (and ports 80/443, the public web's entry points) are meant to be public.

use crate::model::compose::{Port, Service};
use crate::rules::bind::bind_all_interfaces::is_all_interfaces;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "NET002",
    check,
    prefilter: Some(|_, text| text.contains("ports")),
};

/// Words in an image or service name that make it a reverse proxy or load balancer.
const PROXIES: &[&str] = &[
    "nginx",
    "openresty",
    "traefik",
    "caddy",
    "haproxy",
    "envoy",
    "httpd",
    "apache",
    "apache2",
    "varnish",
    "proxy",
    "swag",
    "kong",
    "ingress",
    "gateway",
    "lb",
    "loadbalancer",
];

/// Whether an image reference (`nginx:1.25`, `docker.io/library/traefik`, `jwilder/nginx-proxy`)
/// or a service name names a proxy.
pub fn names_proxy(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let repo = name.split(['@']).next().unwrap_or("");
    let repo = match repo.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => repo,
    };
    let base = repo.rsplit('/').next().unwrap_or(repo);
    base.split(['-', '_', '.'])
        .any(|part| PROXIES.contains(&part))
}

/// Images of datastores: published on every interface, they take connections from any
/// network past the host firewall.
const DATASTORES: &[&str] = &[
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "redis",
    "valkey",
    "keydb",
    "mongo",
    "memcached",
    "elasticsearch",
    "opensearch",
    "rabbitmq",
    "cassandra",
    "couchdb",
    "influxdb",
    "clickhouse-server",
    "neo4j",
    "etcd",
];

fn is_datastore(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    let repo = image.split(['@', ':']).next().unwrap_or("");
    let base = repo.rsplit('/').next().unwrap_or(repo);
    DATASTORES.contains(&base)
}

/// A backend of the app: built from the project's source, started as a Python server, or a
/// datastore. Third-party services published on purpose (a DNS server, a game server, a VPN
/// endpoint, an admin UI) are not judged.
fn is_backend(service: &Service) -> bool {
    service.build.is_some()
        || service
            .image
            .as_ref()
            .is_some_and(|i| is_datastore(&i.value))
        || service
            .launches()
            .iter()
            .any(|(launch, _)| launch.program.is_python_server())
}

fn is_proxy(service: &Service) -> bool {
    names_proxy(&service.name.value)
        || service
            .image
            .as_ref()
            .is_some_and(|i| names_proxy(&i.value))
        || service
            .build
            .as_ref()
            .and_then(|b| b.dockerfile.as_ref())
            .is_some_and(|d| names_proxy(&d.base))
}

/// Host ports a site is served on to the public (web, and mail for apps that receive it):
/// publishing them everywhere is the point.
fn is_public_web_port(port: &Port) -> bool {
    port.published
        .as_deref()
        .map(|p| p.split('-').next().unwrap_or(p))
        .is_some_and(|p| matches!(p, "80" | "443" | "25" | "465" | "587"))
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Compose(file) = ctx.view else {
        return;
    };
    // With host networking Docker publishes nothing; the process's own bind decides (NET001).
    for service in file
        .services
        .iter()
        .filter(|s| !s.development && !s.host_network && is_backend(s) && !is_proxy(s))
    {
        for port in &service.ports {
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
            sink.report(
                port.span,
                format!(
                    "service `{}` publishes container port {} {on} on every host interface",
                    service.name.value, port.target
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
