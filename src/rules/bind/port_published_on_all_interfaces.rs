//! NET002: a compose service publishes a port on every host interface (`"5000:5000"`, a bare
//! `"8000"`, long syntax without `host_ip`). Docker then accepts connections from any network
//! the host is on, past the host firewall, instead of only through the reverse proxy.
//! Reverse proxies (and ports 80/443, the public web's entry points) are meant to be public.

use crate::edit::{Edit, line_ending};
use crate::model::compose::{Port, Service, parse_port};
use crate::rules::bind::bind_all_interfaces::is_all_interfaces;
use crate::rules::{FileContext, Rule, Sink, Syntax};
use crate::source::Span;
use crate::syntax::yaml::{self, Kind, NodeId, Style, Yaml};

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
    let Syntax::Compose(file) = ctx.syntax else {
        return;
    };
    // Parsed again for fixes only: the model keeps no syntax.
    let mut doc: Option<Yaml<'_>> = None;
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
            let doc = doc.get_or_insert_with(|| yaml::parse(ctx.source.text()));
            let fix = sink.fix(loopback(doc, port.span).unwrap_or_default());
            sink.report(
                port.span,
                format!(
                    "service `{}` publishes container port {} {on} on every host interface",
                    service.name.value, port.target
                ),
            )
            .set_fix(fix);
        }
    }
}

/// The loopback address of the same family as `all` (`0.0.0.0` or `::`).
fn loopback_for(all: &str) -> &'static str {
    if all.contains(':') {
        "::1"
    } else {
        "127.0.0.1"
    }
}

/// The edits that publish the port at `span` (a short-syntax entry, or the `published` or
/// `target` value of a long one) on loopback only, in the file's quoting and indentation.
/// None when the entry is shared through an anchor (the edit would change every service
/// that uses it) or written in a form too unusual to edit safely.
fn loopback(doc: &Yaml<'_>, span: Span) -> Option<Vec<Edit>> {
    let text = doc.source();
    let nodes = doc.nodes();
    let id = (0..nodes.len())
        .find(|&i| !matches!(nodes[i].kind, Kind::Alias(_)) && nodes[i].span == span)?;
    // An anchored node that an alias uses, or anything inside one.
    let shared = nodes.iter().any(|n| match n.kind {
        Kind::Alias(target) => {
            let t = nodes[target].span;
            t.start <= span.start && span.end <= t.end
        }
        _ => false,
    });
    if shared {
        return None;
    }
    if let Some((map, _)) = long_syntax_owner(doc, id) {
        return long_syntax(doc, map, id);
    }
    let Kind::Scalar { value, style } = &nodes[id].kind else {
        return None;
    };
    let quoted = matches!(style, Style::SingleQuoted | Style::DoubleQuoted);
    if !quoted && *style != Style::Plain {
        return None;
    }
    let content = if quoted { span.start + 1 } else { span.start };
    let raw = text.get(content..span.end - usize::from(quoted))?;
    let port = parse_port(value)?;
    match &port.host_ip {
        None => {
            if raw.trim() != value.trim() || raw.starts_with(char::is_whitespace) {
                return None;
            }
            // `127.0.0.1::8000` keeps an ephemeral host port ephemeral.
            let prefix = if port.published.is_some() {
                "127.0.0.1:"
            } else {
                "127.0.0.1::"
            };
            Some(vec![Edit::insert(content, prefix)])
        }
        Some(ip) => {
            let written = if raw.starts_with('[') {
                raw.find(']').map(|end| &raw[..=end])?
            } else {
                raw.get(..ip.len()).filter(|w| *w == ip)?
            };
            let address = loopback_for(ip);
            let replacement = if written.starts_with('[') {
                format!("[{address}]")
            } else {
                address.to_string()
            };
            Some(vec![Edit::replace(
                Span::new(content, content + written.len()),
                replacement,
            )])
        }
    }
}

/// For a value inside a long-syntax port mapping, the mapping and its key.
fn long_syntax_owner(doc: &Yaml<'_>, value: NodeId) -> Option<(NodeId, NodeId)> {
    doc.nodes()
        .iter()
        .enumerate()
        .find_map(|(i, n)| match &n.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .find(|(_, v)| *v == value)
                .map(|(k, _)| (i, *k)),
            _ => None,
        })
}

/// `host_ip: 127.0.0.1` for a long-syntax mapping: an all-interfaces value replaced, or the
/// key added after the last one (inside the braces of a flow mapping).
fn long_syntax(doc: &Yaml<'_>, map: NodeId, value: NodeId) -> Option<Vec<Edit>> {
    let text = doc.source();
    let Kind::Map(pairs) = &doc.nodes()[map].kind else {
        return None;
    };
    let quote = match &doc.nodes()[value].kind {
        Kind::Scalar {
            style: Style::DoubleQuoted,
            ..
        } => "\"",
        Kind::Scalar {
            style: Style::SingleQuoted,
            ..
        } => "'",
        _ => "",
    };
    if let Some(&(_, ip)) = pairs
        .iter()
        .find(|(k, _)| doc.scalar(*k) == Some("host_ip"))
    {
        let Kind::Scalar {
            value: written,
            style,
        } = &doc.nodes()[ip].kind
        else {
            return None;
        };
        let span = doc.nodes()[ip].span;
        let inner = match style {
            Style::Plain => span,
            Style::SingleQuoted | Style::DoubleQuoted => Span::new(span.start + 1, span.end - 1),
            _ => return None,
        };
        if text.get(inner.range()) != Some(written.as_str()) {
            return None;
        }
        return Some(vec![Edit::replace(inner, loopback_for(written))]);
    }
    let &(last_key, last_value) = pairs.last()?;
    if !matches!(doc.nodes()[last_value].kind, Kind::Scalar { .. }) {
        return None;
    }
    let end = doc.nodes()[last_value].span.end;
    let entry = format!("host_ip: {quote}127.0.0.1{quote}");
    if text[doc.nodes()[map].span.range()].starts_with('{') {
        return Some(vec![Edit::insert(end, format!(", {entry}"))]);
    }
    // A new line after the mapping's last, at its keys' column.
    let key_start = doc.nodes()[last_key].span.start;
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    let lead = &text[line_start..key_start];
    let indent = if lead.trim().is_empty() {
        lead.to_string()
    } else {
        // `- target: 8000`: the key's column, under the dash.
        " ".repeat(lead.chars().count())
    };
    let line_end = text[end..]
        .find(['\r', '\n'])
        .map_or(text.len(), |i| end + i);
    Some(vec![Edit::insert(
        line_end,
        format!("{}{indent}{entry}", line_ending(text)),
    )])
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
