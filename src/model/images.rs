//! What an image reference (or a service's name) says about what it runs: a reverse proxy,
//! a datastore, an image published to run as an unprivileged user.

/// Base images published to run as an unprivileged user by default: `:nonroot` tags,
/// Chainguard's images, and the configured image prefixes (`known`).
pub fn base_runs_unprivileged(image: &str, known: &[String]) -> bool {
    let image = image.to_ascii_lowercase();
    if known
        .iter()
        .any(|prefix| image.starts_with(&prefix.to_ascii_lowercase()))
    {
        return true;
    }
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (image.as_str(), ""),
    };
    tag.contains("nonroot") || name.starts_with("cgr.dev/chainguard/") || name.ends_with("/nonroot")
}

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

pub fn is_datastore(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    let repo = image.split(['@', ':']).next().unwrap_or("");
    let base = repo.rsplit('/').next().unwrap_or(repo);
    DATASTORES.contains(&base)
}
