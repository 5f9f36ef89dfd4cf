//! WSG010: proxy headers trusted from anyone. mod_wsgi's `WSGITrustedProxyHeaders` without
//! `WSGITrustedProxies` in scope, and gunicorn's or uvicorn's `--forwarded-allow-ips '*'`
//! (`forwarded_allow_ips = "*"` in a gunicorn config) on a host server that listens on every
//! interface: `X-Forwarded-For` and friends are then believed from any client, so anyone who
//! reaches the server can spoof the client address, host or scheme the app sees.

use super::apache_of;
use crate::model::deployment::Placement;
use crate::model::launcher::Program;
use crate::model::listen::is_all_interfaces;
use crate::rules::{FileContext, Rule, Sink, contains_ignore_case};

pub const RULE: Rule = Rule {
    code: "WSG010",
    check,
    prefilter: Some(|_, text| {
        contains_ignore_case(text, "wsgitrustedproxyheaders")
            || text.contains("forwarded-allow-ips")
            // Also the `FORWARDED_ALLOW_IPS` variable both servers read.
            || contains_ignore_case(text, "forwarded_allow_ips")
    }),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_servers(ctx, sink);
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("wsgitrustedproxyheaders") {
        if !apache.is_local(e) {
            continue;
        }
        let entry = &apache.entries[e];
        let enclosing = apache.sections(e);
        // A list set here or in a context this one inherits from applies.
        let trusted = apache.named("wsgitrustedproxies").any(|p| {
            let proxies = &apache.entries[p];
            (proxies.scope == entry.scope || proxies.scope == 0)
                && proxies.section.is_none_or(|s| enclosing.contains(&s))
        });
        if !trusted {
            sink.report(
                apache.node(e).name_span,
                "WSGITrustedProxyHeaders without WSGITrustedProxies: any client can spoof these headers",
            );
        }
    }
}

/// gunicorn and uvicorn believe `X-Forwarded-*` only from the addresses
/// `--forwarded-allow-ips` lists (loopback by default). `*` trusts every peer: a concern only
/// when peers other than the proxy can reach the server, which deploylint knows for a host
/// process listening on every interface. A container's bind is its own namespace's, and a
/// loopback or unix-socket bind is reachable only by the proxy beside it.
fn check_servers(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for process in &ctx.deployment.processes {
        let launch = &process.launch;
        if process.placement != Placement::Host
            || !matches!(launch.program, Program::Gunicorn | Program::Uvicorn)
        {
            continue;
        }
        let Some((ips, written)) = launch.option_written(&["--forwarded-allow-ips"]) else {
            continue;
        };
        // A value from a variable is decided elsewhere.
        if ips.as_str().contains('$') {
            continue;
        }
        let trusts_anyone = ips
            .as_str()
            .split(',')
            .any(|ip| ip.trim().trim_matches(['\'', '"']) == "*");
        let Some(open) = process.listen.iter().find(|l| is_all_interfaces(&l.host)) else {
            continue;
        };
        if trusts_anyone {
            let shown = if open.host.is_empty() {
                "every interface"
            } else {
                open.host.as_str()
            };
            // The whole option: its value alone may start inside its quotes.
            let at = written;
            let who = match process.setting_variable(at) {
                Some(var) => format!("{var} makes the server {} starts trust", process.origin),
                None => format!("{} trusts", process.origin),
            };
            let d = sink.report(
                at,
                format!(
                    "{who} X-Forwarded-For and friends from any address (forwarded-allow-ips *) while listening on {shown}: a client that reaches it directly can spoof its address and scheme"
                ),
            );
            if open.explicit && open.span != at && open.span != ips.span() {
                d.label(open.span, "reachable on every interface here");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG010",
            SITE,
            &[
                (
                    "WSGITrustedProxyHeaders X-Forwarded-For\n",
                    "WSGITrustedProxyHeaders",
                ),
                (
                    "<Location /a>\nWSGITrustedProxies 10.0.0.1\n</Location>\n<Location /b>\nWSGITrustedProxyHeaders X-Forwarded-For\n</Location>\n",
                    "WSGITrustedProxyHeaders",
                ),
            ],
        );
        quiet(
            "WSG010",
            SITE,
            &[
                "WSGITrustedProxyHeaders X-Forwarded-For\nWSGITrustedProxies 127.0.0.1\n",
                "WSGITrustedProxies 127.0.0.1\n<VirtualHost *>\n<Location /b>\nWSGITrustedProxyHeaders X-Forwarded-For\n</Location>\n</VirtualHost>\n",
            ],
        );
    }

    /// gunicorn and uvicorn command lines in a systemd unit (a host).
    #[test]
    fn servers_on_a_host() {
        const UNIT: &str = "app.service";
        let unit = |exec: &str| format!("[Service]\nExecStart={exec}\n");
        let bad = [
            (
                "/usr/bin/gunicorn -b 0.0.0.0:8000 --forwarded-allow-ips='*' app:app",
                "--forwarded-allow-ips='*'",
            ),
            (
                "/usr/bin/gunicorn --bind=[::]:8000 --forwarded-allow-ips=10.0.0.1,* app:app",
                "--forwarded-allow-ips=10.0.0.1,*",
            ),
            (
                "/usr/bin/uvicorn main:app --host 0.0.0.0 --proxy-headers --forwarded-allow-ips '*'",
                "--forwarded-allow-ips '*'",
            ),
        ];
        for (exec, underlined) in bad {
            fires_once("WSG010", UNIT, &[(&unit(exec), underlined)]);
        }
        let good = [
            // Only the proxy is trusted.
            "/usr/bin/gunicorn -b 0.0.0.0:8000 --forwarded-allow-ips=10.0.0.1 app:app",
            // Reachable only from this host.
            "/usr/bin/gunicorn -b 127.0.0.1:8000 --forwarded-allow-ips='*' app:app",
            "/usr/bin/gunicorn -b unix:/run/app.sock --forwarded-allow-ips='*' app:app",
            // uvicorn's default host is loopback.
            "/usr/bin/uvicorn main:app --forwarded-allow-ips '*'",
            // --proxy-headers keeps uvicorn's loopback-only default.
            "/usr/bin/uvicorn main:app --host 0.0.0.0 --proxy-headers",
            // Decided by a variable this file does not set.
            "/usr/bin/gunicorn -b 0.0.0.0:8000 --forwarded-allow-ips=$PROXIES app:app",
        ];
        for exec in good {
            quiet("WSG010", UNIT, &[&unit(exec)]);
        }
    }

    #[test]
    fn gunicorn_configs() {
        const CONF: &str = "gunicorn.conf.py";
        fires_once(
            "WSG010",
            CONF,
            &[
                (
                    "bind = \"0.0.0.0:8000\"\nforwarded_allow_ips = \"*\"\n",
                    "\"*\"",
                ),
                (
                    "bind = \"0.0.0.0:8000\"\nforwarded_allow_ips = [\"10.0.0.1\", \"*\"]\n",
                    "[\"10.0.0.1\", \"*\"]",
                ),
            ],
        );
        quiet(
            "WSG010",
            CONF,
            &[
                "bind = \"0.0.0.0:8000\"\nforwarded_allow_ips = \"127.0.0.1\"\n",
                "bind = \"127.0.0.1:8000\"\nforwarded_allow_ips = \"*\"\n",
                "import os\nbind = \"0.0.0.0:8000\"\nforwarded_allow_ips = os.environ[\"FWD\"]\n",
            ],
        );
    }
}
