//! Where a launched server listens (the bind options of each server command line, and the
//! servers whose default is every interface), and the ports a container publishes on its
//! host.

use crate::model::compose::is_interpolated;
use crate::model::launcher::{Launch, Program};
use crate::source::Span;

/// A listen address a launch asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// The host part (`0.0.0.0`, `::`, empty for `:8000`).
    pub host: String,
    /// The option value in the file, or the program's words when the address is a default.
    pub span: Span,
    /// False when nothing was written and the server's default applies.
    pub explicit: bool,
}

/// The addresses a server launch listens on, as far as its command line tells.
pub fn listen_addresses(launch: &Launch) -> Vec<Listen> {
    let explicit = |values: Vec<crate::source::MappedText>, split: fn(&str) -> Option<String>| {
        values
            .into_iter()
            .filter_map(|v| {
                split(v.as_str()).map(|host| Listen {
                    host,
                    span: v.span(),
                    explicit: true,
                })
            })
            .collect::<Vec<_>>()
    };
    let default_all = || Listen {
        host: "0.0.0.0".to_string(),
        span: launch.program_span,
        explicit: false,
    };
    match launch.program {
        Program::Gunicorn | Program::Hypercorn => {
            explicit(launch.options(&["-b", "--bind"]), host_of_bind)
        }
        Program::Daphne => explicit(launch.options(&["-b", "--bind"]), plain_host),
        Program::Uvicorn | Program::FlaskRun | Program::ModWsgiExpress => {
            let names: &[&str] = if matches!(launch.program, Program::FlaskRun) {
                &["-h", "--host"]
            } else {
                &["--host"]
            };
            explicit(
                launch.options(names).into_iter().take(1).collect(),
                plain_host,
            )
        }
        // Granian's default host is 127.0.0.1; `--uds` listens on a unix socket instead.
        Program::Granian => {
            if launch.option(&["--uds"]).is_some() {
                return Vec::new();
            }
            explicit(
                launch
                    .options(&["--host"])
                    .into_iter()
                    .last()
                    .into_iter()
                    .collect(),
                plain_host,
            )
        }
        Program::WaitressServe => {
            let mut out = explicit(launch.options(&["--listen"]), host_of_bind);
            out.extend(explicit(launch.options(&["--host"]), plain_host));
            let elsewhere = launch.option(&["--unix-socket"]).is_some()
                || launch.flag(&["--unix-socket"]).is_some();
            // waitress-serve listens on 0.0.0.0:8080 unless told otherwise.
            if out.is_empty() && !elsewhere {
                out.push(default_all());
            }
            out
        }
        Program::HttpServer => {
            let mut out = explicit(launch.options(&["-b", "--bind"]), plain_host);
            // http.server binds every interface unless given --bind.
            if out.is_empty() {
                out.push(default_all());
            }
            out
        }
        // uWSGI has no default listener; `:8000` (an empty host) is every interface, a value
        // without `:` a unix socket, `=0` a shared socket, `https` takes `addr,cert,key`.
        Program::Uwsgi => explicit(launch.options(UWSGI_LISTENERS), |v| {
            let addr = v.split(',').next().unwrap_or(v).trim();
            if !addr.contains(':') || addr.starts_with('=') || addr.starts_with('@') {
                return None;
            }
            host_of_bind(addr)
        }),
        Program::DjangoRunserver => launch
            .positionals()
            .into_iter()
            .take(1)
            .filter_map(|addrport| {
                let text = addrport.as_str();
                // `runserver 8000` is a port on loopback; `0:8000` is Django's 0.0.0.0.
                if text.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let host = host_of_bind(text)?;
                Some(Listen {
                    host: if host == "0" {
                        "0.0.0.0".to_string()
                    } else {
                        host
                    },
                    span: addrport.span(),
                    explicit: true,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// uWSGI's options that open a listening socket.
#[rustfmt::skip]
const UWSGI_LISTENERS: &[&str] = &[
    "-s", "--socket", "--uwsgi-socket", "--http", "--http-socket", "--https", "--https-socket",
    "--http11-socket", "--fastcgi-socket", "--scgi-socket", "--suwsgi-socket", "--ssl-socket",
    "--raw-socket", "--shared-socket",
];

/// Whether a host string means every interface.
pub fn is_all_interfaces(host: &str) -> bool {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    matches!(
        host,
        "" | "0.0.0.0" | "::" | "*" | "0:0:0:0:0:0:0:0" | "::0"
    )
}

/// Host part of a `host:port` listen address (`0.0.0.0:8080`, `[::]:8080`, `*:8080`).
pub fn listen_host(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match addr.rsplit_once(':') {
        Some((host, _)) if !host.contains(':') => host,
        Some(_) => addr,
        None => addr,
    }
}

/// Host of a `host:port` bind (`0.0.0.0:80`, `[::]:80`, `:80`); None for unix sockets and
/// file descriptors.
fn host_of_bind(bind: &str) -> Option<String> {
    let bind = bind.trim();
    if bind.starts_with("unix:") || bind.starts_with("fd://") || bind.starts_with('/') {
        return None;
    }
    if let Some(rest) = bind.strip_prefix('[') {
        return rest.split(']').next().map(str::to_string);
    }
    Some(match bind.rsplit_once(':') {
        Some((host, _)) => host.to_string(),
        None => bind.to_string(),
    })
}

fn plain_host(host: &str) -> Option<String> {
    Some(
        host.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
    )
}

/// A port a container publishes on the host (compose `ports:`).
#[derive(Debug, Clone)]
pub struct PublishedPort {
    /// The host address, `None` when not given (every interface); `Some("")` never occurs.
    pub host_ip: Option<String>,
    /// The host address is an interpolated variable.
    pub host_ip_unknown: bool,
    /// The host port, None for an ephemeral one.
    pub published: Option<String>,
    pub target: String,
    /// The entry (short syntax) or its `published`/`target` value (long syntax).
    pub span: Span,
}

/// Short port syntax: `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`.
pub fn parse_port(text: &str) -> Option<PublishedPort> {
    let text = text.trim();
    let text = text.split('/').next().unwrap_or(text);
    let (ip, rest) = if let Some(after) = text.strip_prefix('[') {
        let (ip, rest) = after.split_once(']')?;
        (Some(ip.to_string()), rest.strip_prefix(':')?.to_string())
    } else {
        (None, text.to_string())
    };
    // Split on ':' outside `${…}`.
    let mut parts = Vec::new();
    let (mut depth, mut cur) = (0usize, String::new());
    for c in rest.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    let (host_ip, published, target) = match (ip, parts.as_slice()) {
        (Some(ip), [host, target]) => (Some(ip), Some(host.clone()), target.clone()),
        (None, [target]) => (None, None, target.clone()),
        (None, [host, target]) => (None, Some(host.clone()), target.clone()),
        (None, [ip, host, target]) => (Some(ip.clone()), Some(host.clone()), target.clone()),
        // An IPv6 address without brackets.
        (None, [.., host, target]) => {
            let n = rest.len() - host.len() - target.len() - 2;
            (
                Some(rest[..n].to_string()),
                Some(host.clone()),
                target.clone(),
            )
        }
        _ => return None,
    };
    // `${HOST:+${HOST}:}${PORT}`: a variable that may carry an address too.
    let address_in_port = published.as_deref().is_some_and(|p| {
        is_interpolated(p)
            && (p.contains('+') || p.replace(":-", "").replace(":?", "").contains(':'))
    });
    Some(PublishedPort {
        host_ip_unknown: host_ip.as_deref().is_some_and(is_interpolated) || address_in_port,
        host_ip: host_ip.filter(|ip| !ip.is_empty()),
        published: published.filter(|p| !p.is_empty()),
        target,
        span: Span::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::launcher::from_shell;
    use crate::source::MappedText;

    fn hosts(line: &str) -> Vec<(String, bool)> {
        let text = MappedText::from_span(line, Span::new(0, line.len()));
        from_shell(&text)
            .iter()
            .flat_map(listen_addresses)
            .map(|l| (l.host, l.explicit))
            .collect()
    }

    #[test]
    fn binds() {
        let all = |h: &str| vec![(h.to_string(), true)];
        assert_eq!(hosts("gunicorn -b 0.0.0.0:8000 app:app"), all("0.0.0.0"));
        assert_eq!(hosts("gunicorn --bind=:8000 app:app"), all(""));
        assert_eq!(hosts("gunicorn -b [::]:80 app:app"), all("::"));
        assert_eq!(hosts("gunicorn -b unix:/run/app.sock app:app"), vec![]);
        assert_eq!(hosts("gunicorn app:app"), vec![]);
        assert_eq!(hosts("uvicorn main:app --host 0.0.0.0"), all("0.0.0.0"));
        assert_eq!(hosts("flask run -h 0.0.0.0"), all("0.0.0.0"));
        assert_eq!(hosts("python manage.py runserver 0:8000"), all("0.0.0.0"));
        assert_eq!(hosts("python manage.py runserver 8000"), vec![]);
        assert_eq!(hosts("waitress-serve --listen=*:8080 app:app"), all("*"));
        assert_eq!(
            hosts("waitress-serve app:app"),
            vec![("0.0.0.0".to_string(), false)]
        );
        assert_eq!(
            hosts("waitress-serve --listen=127.0.0.1:8080 app:app"),
            all("127.0.0.1")
        );
        assert_eq!(
            hosts("python -m http.server 8000"),
            vec![("0.0.0.0".to_string(), false)]
        );
        assert_eq!(
            hosts("python -m http.server -b 127.0.0.1 8000"),
            all("127.0.0.1")
        );
        assert_eq!(
            hosts("granian --interface asgi --host 0.0.0.0 --port 8000 main:app"),
            all("0.0.0.0")
        );
        assert_eq!(
            hosts("granian --host 127.0.0.1 --host=:: main:app"),
            all("::")
        );
        // Its default is loopback; a unix socket is no TCP listener.
        assert_eq!(hosts("granian --interface wsgi main:app"), vec![]);
        assert_eq!(
            hosts("granian --host 0.0.0.0 --uds /run/app.sock main:app"),
            vec![]
        );
        assert_eq!(
            hosts("mod_wsgi-express start-server wsgi.py --host 0.0.0.0"),
            all("0.0.0.0")
        );
    }

    #[test]
    fn ports() {
        let p = |t: &str| {
            let p = parse_port(t).unwrap();
            (p.host_ip, p.published, p.target)
        };
        assert_eq!(p("5000:5000"), (None, Some("5000".into()), "5000".into()));
        assert_eq!(p("8000"), (None, None, "8000".into()));
        assert_eq!(
            p("127.0.0.1:5000:5000/tcp"),
            (Some("127.0.0.1".into()), Some("5000".into()), "5000".into())
        );
        assert_eq!(
            p("[::1]:80:80"),
            (Some("::1".into()), Some("80".into()), "80".into())
        );
        assert_eq!(
            p("${PORT:-8000}:8000"),
            (None, Some("${PORT:-8000}".into()), "8000".into())
        );
        assert!(parse_port("${IP}:80:80").unwrap().host_ip_unknown);
    }
}
