//! WSG010: proxy headers trusted from anyone. mod_wsgi's `WSGITrustedProxyHeaders` without
//! `WSGITrustedProxies` in scope, gunicorn's or uvicorn's `--forwarded-allow-ips '*'`
//! (`forwarded_allow_ips = "*"` in a gunicorn config) on a host server that listens on every
//! interface, Werkzeug's `ProxyFix` in the app such a server serves, and an nginx
//! `proxy_pass` that hands the client's own `X-Forwarded-For` to a server that believes it:
//! `X-Forwarded-For` and friends are then what the client wrote, so anyone who reaches the
//! server can spoof the client address, host or scheme the app sees.

use super::apache_of;
use crate::catalog::{Format, RuleEntry};
use crate::diagnostic::Diagnostic;
use crate::graph::proxy::{Proxies, Via};
use crate::graph::{Class, Launcher};
use crate::model::deployment::Placement;
use crate::model::launcher::{Entry, Program};
use crate::model::listen::is_all_interfaces;
use crate::model::project::{LauncherFact, Project, find_module};
use crate::model::python::{self, Literal, Semantic};
use crate::rules::{FileContext, ProjectRule, Rule, Sink, contains_ignore_case};
use std::path::{Path, PathBuf};

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

/// Werkzeug's `ProxyFix` in the module a host server serves on every interface, and an nginx
/// `proxy_pass` that passes the client's `X-Forwarded-For` to a server that believes it.
pub const PROJECT_RULE: ProjectRule = ProjectRule {
    code: "WSG010",
    check: |project, entry, out| {
        check_proxy_fix(project, entry, out);
        check_passed_through(project, entry, out);
    },
};

/// Werkzeug's middleware that believes `X-Forwarded-*` (under each name it has had).
const PROXY_FIX: &[&str] = &[
    "werkzeug.middleware.proxy_fix.ProxyFix",
    "werkzeug.contrib.fixers.ProxyFix",
];

/// `ProxyFix(app, x_for=N)` takes the client address from the N-th last `X-Forwarded-For`
/// entry (1 by default), written by whoever connects: the proxy, when only the proxy can
/// connect. Reported in the module a launcher serves when that launcher binds every
/// interface of a host (not a container's own namespace, not loopback or a unix socket), so
/// a client can connect around the proxy and write the header itself. When nothing in the
/// project says where the app runs, nothing is reported; `x_for=0` trusts no address, and a
/// count the code does not fix is not judged.
fn check_proxy_fix(project: &Project<'_>, entry: &RuleEntry, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<(PathBuf, crate::source::Span)> = Vec::new();
    for file in project.files {
        for launcher in &file.facts.launchers {
            let Some(open) = launcher.open_on_host else {
                continue;
            };
            let Some(module) = served_module(project, &file.path, launcher) else {
                continue;
            };
            for (at, count, _) in proxy_fix_calls(project, &module) {
                if reported.contains(&(module.clone(), at)) {
                    continue;
                }
                reported.push((module.clone(), at));
                let hops = if count == 1 {
                    "the last proxy hop".to_string()
                } else {
                    format!("the last {count} proxy hops")
                };
                let mut sink = Sink::new(entry, &module, out).for_format(Format::Python);
                let d = sink.report(
                    at,
                    format!(
                        "ProxyFix takes the client address from X-Forwarded-For (x_for={count}: {hops}) while {} ({}:{}) serves this app on every interface of its host: a client that connects directly writes that header itself",
                        launcher.program,
                        file.path.display(),
                        launcher.line,
                    ),
                );
                d.label_in(file.path.clone(), open, "listens on every interface here");
            }
        }
    }
}

/// The `ProxyFix` calls in a module that take the client address from `X-Forwarded-For`
/// (`x_for` of 1 or more, as the code fixes it), with the count and the call's line.
fn proxy_fix_calls(
    project: &Project<'_>,
    module: &Path,
) -> Vec<(crate::source::Span, i128, usize)> {
    let Ok(text) = project.file_set.read(module) else {
        return Vec::new();
    };
    if !text.text.contains("ProxyFix") {
        return Vec::new();
    }
    let parsed = python::parse(&text.text);
    let Some(python) = Semantic::new(&parsed, &text.text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for call in python.calls() {
        if !python.calls_any(call, PROXY_FIX) {
            continue;
        }
        let count = match python.argument(call, "x_for", Some(1)) {
            None => 1,
            Some(value) => match python.literal(value) {
                Some(Literal::Int(n)) => n,
                _ => continue,
            },
        };
        let at = python.callee_span(call);
        if count > 0 {
            let line = text.text[..at.start.min(text.text.len())]
                .matches('\n')
                .count()
                + 1;
            out.push((at, count, line));
        }
    }
    out
}

/// nginx's `proxy_pass` sends the client's own `X-Forwarded-For` unless its location (or the
/// block it inherits `proxy_set_header` from) sets it. A server behind it that believes the
/// header from the proxy (uvicorn, from the addresses `--forwarded-allow-ips` lists, loopback
/// by default; Werkzeug's `ProxyFix` in the app, from whoever connects) then sees whatever
/// address the client wrote. Reported on the `proxy_pass`, where the fix goes, when the
/// project joins it to such a server; an include the tree does not hold, a variable in the
/// address, or a server that does not read the header keeps it quiet.
fn check_passed_through(project: &Project<'_>, entry: &RuleEntry, out: &mut Vec<Diagnostic>) {
    if !project.files.iter().any(|f| {
        f.facts
            .proxies
            .iter()
            .any(|p| p.passes_client_forwarded_for)
    }) {
        return;
    }
    let launchers: Vec<Launcher> = project
        .files
        .iter()
        .flat_map(|f| {
            f.facts.launchers.iter().map(|l| Launcher {
                file: f.path.clone(),
                fact: l.clone(),
                entry_file: None,
                class: Class::Unknown,
                evidence: Vec::new(),
            })
        })
        .collect();
    // Files of one deployment sit close together; the join checks that. Its launcher indices
    // count the files' launcher facts in order, as `launchers` does.
    let proxies = Proxies::of(project);
    let mut reported: Vec<(PathBuf, crate::source::Span)> = Vec::new();
    for edge in &proxies.edges {
        let proxy = &proxies.list[edge.proxy];
        if !proxy.passes_client_forwarded_for
            || reported.contains(&(proxy.pass_path.clone(), proxy.pass_span))
        {
            continue;
        }
        let launcher = &launchers[edge.launcher];
        let started = format!(
            "started by {}:{}",
            launcher.file.display(),
            launcher.fact.line
        );
        let (message, label_path, label_span, label) = if let Some(from) = launcher
            .fact
            .trusts_forwarded_for
            .as_deref()
            .and_then(|ips| believed_from(ips, edge.via, launcher.fact.on_host))
        {
            (
                format!(
                    "nginx passes the client's own X-Forwarded-For to {} ({started}), which trusts it from {from}: any client can set the address the app sees",
                    launcher.fact.program
                ),
                launcher.file.clone(),
                launcher.fact.span,
                format!(
                    "{} takes the client address from X-Forwarded-For here",
                    launcher.fact.program
                ),
            )
        } else {
            let Some(module) = served_module(project, &launcher.file, &launcher.fact) else {
                continue;
            };
            let Some((at, count, line)) = proxy_fix_calls(project, &module).into_iter().next()
            else {
                continue;
            };
            (
                format!(
                    "nginx passes the client's own X-Forwarded-For to {} ({started}), whose app believes it through ProxyFix (x_for={count}, {}:{line}): any client can set the address the app sees",
                    launcher.fact.program,
                    module.display()
                ),
                module,
                at,
                "ProxyFix takes the client address from X-Forwarded-For here".to_string(),
            )
        };
        reported.push((proxy.pass_path.clone(), proxy.pass_span));
        let mut sink = Sink::new(entry, &proxy.pass_path, out);
        // The help in the proxy's own terms (the file the join read it from).
        if let Some(file) = project.files.iter().find(|f| {
            f.facts
                .proxies
                .iter()
                .any(|p| p.pass_span == proxy.pass_span && p.pass_path == proxy.pass_path)
        }) {
            sink = sink.for_format(file.format);
        }
        sink.report(proxy.pass_span, message)
            .label_in(label_path, label_span, label);
    }
}

/// Whom uvicorn believes the header from, when it includes the proxy that reaches it `via`:
/// `*`, or a loopback address for a proxy on the loopback of the host the server runs on (not
/// a unix socket, whose peer has no address, nor a container, which sees a published port's
/// clients from its bridge's gateway).
fn believed_from(ips: &str, via: Via, on_host: bool) -> Option<String> {
    let list: Vec<&str> = ips
        .split(',')
        .map(|ip| ip.trim().trim_matches(['\'', '"']))
        .collect();
    if list.contains(&"*") {
        return Some("any address".to_string());
    }
    if via != Via::Loopback || !on_host {
        return None;
    }
    list.iter()
        .find(|ip| matches!(**ip, "127.0.0.1" | "::1" | "localhost"))
        .map(|ip| ip.to_string())
}

/// The module file a launcher serves (`shop.wsgi:app` as `shop/wsgi.py`, found from the
/// launcher's directory up), when the project holds it.
fn served_module(
    project: &Project<'_>,
    launcher_file: &Path,
    launcher: &LauncherFact,
) -> Option<PathBuf> {
    let runs = launcher.runs.as_ref()?;
    match &runs.entry {
        Entry::Module(module) => {
            find_module(project.file_set, launcher_file, module).map(|(path, _)| path)
        }
        Entry::File(file) if !file.starts_with('/') => {
            let path = launcher_file.parent()?.join(file);
            project.file_set.inside(&path).map(|_| path)
        }
        Entry::File(_) => None,
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
