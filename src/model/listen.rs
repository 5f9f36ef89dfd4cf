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

/// Where a server is reached: a TCP port on a host, or a unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `host` as written (`0.0.0.0`, `127.0.0.1`, `web`), empty for every interface; `port`
    /// None when not known (a variable).
    Tcp { host: String, port: Option<u16> },
    /// The socket's path.
    Unix(String),
}

/// Whether a host names this machine's loopback interface, which only local processes reach.
pub fn is_loopback(host: &str) -> bool {
    let host = host
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    host == "localhost"
        || host == "::1"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

/// The port of a listen address of `launch`: the `:port` written with the address (`written`,
/// the option's value), else the program's own port option (`uvicorn --host 0.0.0.0 --port
/// 9000`), else the program's default port. None when the port is a variable.
pub fn listen_port(launch: &Launch, written: &str, explicit: bool) -> Option<u16> {
    let written = written.trim().trim_matches(['"', '\'']);
    if explicit {
        // `0.0.0.0:8000`, `[::]:8000`, `:8000`; a bare port (systemd's `ListenStream=8000`).
        if written.bytes().all(|b| b.is_ascii_digit()) && !written.is_empty() {
            return written.parse().ok();
        }
        let port_text = match written.strip_prefix('[') {
            Some(rest) => rest.split_once(']').and_then(|(_, p)| p.strip_prefix(':')),
            // One `:` is `host:port`; more is an IPv6 host alone (`::`).
            None if written.matches(':').count() == 1 => written.rsplit_once(':').map(|(_, p)| p),
            None => None,
        };
        if let Some(port) = port_text {
            // uWSGI's `https = :443,cert,key`.
            return port.split(',').next().unwrap_or(port).trim().parse().ok();
        }
    }
    let (names, default): (&[&str], u16) = match launch.program {
        Program::Gunicorn | Program::Hypercorn => (&[], 8000),
        Program::Uvicorn | Program::ModWsgiExpress => (&["--port"], 8000),
        Program::Daphne => (&["-p", "--port"], 8000),
        Program::FlaskRun => (&["-p", "--port"], 5000),
        Program::WaitressServe => (&["--port"], 8080),
        Program::HttpServer => {
            let port = launch
                .positionals()
                .into_iter()
                .find(|p| !p.as_str().is_empty());
            return match port {
                Some(p) => p.as_str().parse().ok(),
                None => Some(8000),
            };
        }
        _ => return None,
    };
    match launch.option(names) {
        Some(port) => port.as_str().parse().ok(),
        None => Some(default),
    }
}

/// The unix sockets a launch listens on, with the value's span: `gunicorn -b unix:PATH`,
/// `uvicorn --uds PATH`, `daphne -u PATH`, `waitress-serve --unix-socket=PATH`, a uWSGI
/// socket option whose value is a path.
pub fn unix_sockets(launch: &Launch) -> Vec<(String, Span)> {
    let values = match launch.program {
        Program::Gunicorn | Program::Hypercorn => launch.options(&["-b", "--bind"]),
        Program::Uvicorn => launch.options(&["--uds"]),
        Program::Daphne => launch.options(&["-u", "--unix-socket"]),
        Program::WaitressServe => launch.options(&["--unix-socket"]),
        Program::Uwsgi => launch.options(UWSGI_LISTENERS),
        _ => Vec::new(),
    };
    values
        .into_iter()
        .filter_map(|v| {
            let text = v.as_str().trim().trim_matches(['"', '\'']);
            let path = match launch.program {
                Program::Gunicorn | Program::Hypercorn => text.strip_prefix("unix:")?,
                // An address has a `:`; `=0` is a shared socket, `@name` an abstract one.
                Program::Uwsgi => {
                    let addr = text.split(',').next().unwrap_or(text).trim();
                    if addr.contains(':') || addr.starts_with(['=', '@']) || addr.is_empty() {
                        return None;
                    }
                    addr
                }
                _ => text,
            };
            (!path.is_empty()).then(|| (path.to_string(), v.span()))
        })
        .collect()
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

    fn ports_of(line: &str) -> Vec<(String, Option<u16>)> {
        let text = MappedText::from_span(line, Span::new(0, line.len()));
        from_shell(&text)
            .iter()
            .flat_map(|launch| {
                listen_addresses(launch).into_iter().map(|l| {
                    let written = if l.explicit {
                        &line[l.span.range()]
                    } else {
                        ""
                    };
                    (l.host, listen_port(launch, written, l.explicit))
                })
            })
            .collect()
    }

    #[test]
    fn listen_ports() {
        let one = |h: &str, p: Option<u16>| vec![(h.to_string(), p)];
        assert_eq!(
            ports_of("gunicorn -b 0.0.0.0:8000 app:app"),
            one("0.0.0.0", Some(8000))
        );
        assert_eq!(
            ports_of("gunicorn -b [::]:9000 app:app"),
            one("::", Some(9000))
        );
        // gunicorn's port defaults to 8000 when only a host is given.
        assert_eq!(
            ports_of("gunicorn -b 0.0.0.0 app:app"),
            one("0.0.0.0", Some(8000))
        );
        assert_eq!(
            ports_of("gunicorn -b 0.0.0.0:$PORT app:app"),
            one("0.0.0.0", None)
        );
        assert_eq!(
            ports_of("uvicorn main:app --host 0.0.0.0 --port 9000"),
            one("0.0.0.0", Some(9000))
        );
        assert_eq!(
            ports_of("uvicorn main:app --host ::"),
            one("::", Some(8000))
        );
        assert_eq!(ports_of("flask run -h 0.0.0.0"), one("0.0.0.0", Some(5000)));
        assert_eq!(
            ports_of("waitress-serve app:app"),
            one("0.0.0.0", Some(8080))
        );
        assert_eq!(
            ports_of("python -m http.server 9999"),
            one("0.0.0.0", Some(9999))
        );
        assert_eq!(
            ports_of("python manage.py runserver 0:8000"),
            one("0.0.0.0", Some(8000))
        );
        assert_eq!(ports_of("uwsgi --http :9090"), one("", Some(9090)));
        assert_eq!(
            ports_of("uwsgi --https :443,foo.crt,foo.key"),
            one("", Some(443))
        );
    }

    #[test]
    fn unix_socket_paths() {
        let socks = |line: &str| {
            let text = MappedText::from_span(line, Span::new(0, line.len()));
            from_shell(&text)
                .iter()
                .flat_map(unix_sockets)
                .map(|(p, _)| p)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            socks("gunicorn -b unix:/run/app.sock app:app"),
            ["/run/app.sock"]
        );
        assert_eq!(
            socks("uvicorn main:app --uds /run/app.sock"),
            ["/run/app.sock"]
        );
        assert_eq!(socks("uwsgi --socket /tmp/app.sock"), ["/tmp/app.sock"]);
        assert!(socks("uwsgi --socket 127.0.0.1:3031").is_empty());
        assert!(socks("uwsgi --shared-socket =0").is_empty());
        assert!(socks("gunicorn -b 0.0.0.0:8000 app:app").is_empty());
    }

    #[test]
    fn loopback_hosts() {
        for yes in [
            "127.0.0.1",
            "localhost",
            "LOCALHOST",
            "::1",
            "[::1]",
            "127.0.1.1",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "0.0.0.0",
            "",
            "127.example.com",
            "10.0.0.1",
            "web",
            "127.0.0",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
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
