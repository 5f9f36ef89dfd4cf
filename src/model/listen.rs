//! Where a launched server listens: the bind options of each server command line, and the
//! servers whose default is every interface.

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
            hosts("mod_wsgi-express start-server wsgi.py --host 0.0.0.0"),
            all("0.0.0.0")
        );
    }
}
