//! NET001: a Python server bound to all interfaces (`0.0.0.0`, `::`, `""`, `*`), which exposes
//! a backend that a reverse proxy should front. Inside a container image such a bind is
//! normal, so Dockerfile start commands are not checked.

use crate::catalog::Format;
use crate::model::deployment::Placement;
use crate::model::listen::{is_all_interfaces, listen_host};
use crate::model::python::{
    self, CALL_COMMAND, Call, Expr, ListenHost, Literal, Semantic, listening_names,
};
use crate::rules::{FileContext, Rule, Sink, View};
use std::collections::BTreeSet;
use std::sync::LazyLock;

pub const RULE: Rule = Rule {
    code: "NET001",
    check,
    // Launch lines in other formats need no host literal (a default bind counts).
    prefilter: Some(|format, text| format != Format::Python || may_bind_all(text)),
};

/// Names of the calls that listen on every interface when given no host (or `None`):
/// asyncio's servers, aiohttp's `run_app`, Tornado's `listen`, `bind` and `bind_sockets`.
const DEFAULT_HOST_NAMES: &[&str] = &[
    "start_server",
    "create_server",
    "bind_sockets",
    "run_app",
    "listen",
    "bind",
];

/// The names a module must spell for a check here to find a call: the methods (`app.run`,
/// `sock.bind`) and the last part of every callee, which the module writes at the call or in
/// its import however the callee is renamed (`from uvicorn import run as serve`).
static CALL_NAMES: LazyLock<Names> = LazyLock::new(|| {
    Names::new(
        checked_callees()
            .map(|callee| callee.rsplit('.').next().unwrap_or(callee))
            .chain(["run", "run_server"])
            .chain(listening_names().iter().copied())
            .chain(DEFAULT_HOST_NAMES.iter().copied()),
    )
});

/// The last parts of the callees the checks below resolve, and the app methods `run` and
/// `run_server`: any other call is none of them.
static CALLEE_LAST_NAMES: LazyLock<Names> = LazyLock::new(|| {
    Names::new(
        checked_callees()
            .map(|callee| callee.rsplit('.').next().unwrap_or(callee))
            .chain(["run", "run_server"]),
    )
});

/// The callees `check` compares calls with (the listening sockets' are the model's).
fn checked_callees() -> impl Iterator<Item = &'static &'static str> {
    HOST_ARGUMENTS
        .iter()
        .flat_map(|(callees, _, _)| callees.iter())
        .chain(ADDRESS_TUPLE_SERVERS)
        .chain(CALL_COMMAND)
}

/// A small set of words, looked up for every word of a file: most words are told apart by
/// their first byte and length alone, before any comparison.
struct Names {
    sorted: Vec<&'static [u8]>,
    /// Bit `n` of `shapes[b]`: some name starts with `b` and is `n` bytes long.
    shapes: [u64; 256],
}

impl Names {
    fn new(names: impl Iterator<Item = &'static str>) -> Names {
        let sorted: BTreeSet<&'static [u8]> = names.map(str::as_bytes).collect();
        let mut shapes = [0u64; 256];
        for name in &sorted {
            shapes[usize::from(name[0])] |= 1 << name.len().min(63);
        }
        Names {
            sorted: sorted.into_iter().collect(),
            shapes,
        }
    }

    fn contains(&self, word: &[u8]) -> bool {
        let Some(first) = word.first() else {
            return false;
        };
        word.len() < 64
            && self.shapes[usize::from(*first)] & (1 << word.len()) != 0
            && self.sorted.binary_search(&word).is_ok()
    }
}

/// The bytes of identifiers: ASCII letters, digits, `_`, and any byte of a non-ASCII character.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80;
        b += 1;
    }
    table
};

/// Whether a Python file can hold a finding: it names a listening call, and either a call
/// that listens everywhere by default or a string whose value (alone or concatenated, as the
/// parse will see it) is an every-interface host or listen address. Scans, not a parse.
fn may_bind_all(text: &str) -> bool {
    let bytes = text.as_bytes();
    let call_names = &*CALL_NAMES;
    let mut calls = false;
    let mut at = 0;
    // Each run of identifier bytes, wherever it is written.
    while at < bytes.len() {
        if !NAME_BYTES[usize::from(bytes[at])] {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && NAME_BYTES[usize::from(bytes[at])] {
            at += 1;
        }
        let word = &bytes[start..at];
        if call_names.contains(word) {
            if DEFAULT_HOST_NAMES
                .iter()
                .any(|name| name.as_bytes() == word)
            {
                return true;
            }
            calls = true;
        }
    }
    if !calls {
        return false;
    }
    let mut host = false;
    python::string_values(text, &mut |value| {
        host = host || may_name_all_interfaces(value);
    });
    host
}

/// A string that a check reads as every interface: a host (`""`, `"0.0.0.0"`, `"[::]"`), a
/// listen address or list of them with such a host (`":8080"`, `"*:80 [::]:80"`), or
/// Django's `"0:8000"`.
fn may_name_all_interfaces(value: &str) -> bool {
    let address = |a: &str| {
        let host = listen_host(a);
        is_all_interfaces(host) || host == "0" && a.contains(':')
    };
    is_all_interfaces(value) || address(value) || value.split_whitespace().any(address)
}

/// (callees, host keyword, host position): calls whose host argument decides the bind.
const HOST_ARGUMENTS: &[(&[&str], &str, usize)] = &[
    (&["uvicorn.run", "uvicorn.main.run"], "host", usize::MAX),
    (
        &[
            "werkzeug.serving.run_simple",
            "werkzeug.run_simple",
            "run_simple",
        ],
        "hostname",
        0,
    ),
    (
        &[
            "waitress.serve",
            "waitress.server.create_server",
            "waitress.create_server",
        ],
        "host",
        usize::MAX,
    ),
    (&["hypercorn.run"], "host", usize::MAX),
    (&["bottle.run"], "host", usize::MAX),
    (&["aiohttp.web.run_app"], "host", usize::MAX),
    // bjoern.run(app, host, port)
    (&["bjoern.run", "bjoern.listen"], "host", 1),
    // Granian("main:app", address="0.0.0.0").serve()
    (
        &["granian.Granian", "granian.server.Granian"],
        "address",
        usize::MAX,
    ),
];

/// Servers that take `(host, port)` as their first argument: cheroot's WSGI server.
const ADDRESS_TUPLE_SERVERS: &[&str] = &[
    "cheroot.wsgi.Server",
    "cheroot.wsgi.WSGIServer",
    "cheroot.server.HTTPServer",
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // A container has its own network namespace; only processes on a host are exposed.
    for process in &ctx.deployment.processes {
        if process.placement != Placement::Host {
            continue;
        }
        for listen in &process.listen {
            if is_all_interfaces(&listen.host) {
                let how = if listen.explicit {
                    "listens on"
                } else {
                    "listens by default on"
                };
                let shown = if listen.host.is_empty() {
                    "every interface"
                } else {
                    &listen.host
                };
                let message = match process.setting_variable(listen.span) {
                    Some(var) => format!(
                        "{var} makes the server {} starts listen on {shown}, exposing it on every network interface",
                        process.origin
                    ),
                    None => format!(
                        "{} starts a server that {how} {shown}, exposing it on every network interface",
                        process.origin
                    ),
                };
                sink.report(listen.span, message);
            }
        }
    }
    for service in &ctx.deployment.services {
        for bind in &service.host_binds_of_image {
            let shown = if bind.host.is_empty() {
                "every interface of the host (its default)".to_string()
            } else {
                format!("{}, every interface of the host", bind.host)
            };
            let d = sink.report(
                bind.at,
                format!(
                    "{} runs its image's `{}` with the host's network, so it listens on {shown}",
                    service.subject, bind.command
                ),
            );
            d.labels.push(bind.label.clone());
        }
    }
    let View::Python(python) = ctx.view else {
        return;
    };
    check_sockets(python, sink);
    for call in python.calls() {
        if !python
            .callee_last_name(call)
            .is_some_and(|name| CALLEE_LAST_NAMES.contains(name.as_bytes()))
        {
            continue;
        }
        // app.run(host="0.0.0.0") on an object that resolves to a framework app: Flask, Dash,
        // Sanic, Bottle, Quart, Flask-SocketIO's `socketio.run(app, host)`. Other `run`
        // methods (`subprocess.run`, Fabric's, the Docker SDK's) take anything there.
        if let Some(framework) = python.app_run(call) {
            check_host(python, call, "host", Some(framework.host_position()), sink);
            continue;
        }
        if python.calls_any(call, ADDRESS_TUPLE_SERVERS) {
            check_address_tuple(python, call, "bind_addr", sink);
            continue;
        }
        if python.calls_any(call, CALL_COMMAND) {
            check_runserver(python, call, sink);
            continue;
        }
        for (targets, keyword, position) in HOST_ARGUMENTS {
            if python.calls_any(call, targets) {
                let position = (*position != usize::MAX).then_some(*position);
                check_host(python, call, keyword, position, sink);
                if targets[0].starts_with("waitress") {
                    check_waitress_listen(python, call, sink);
                }
                if targets[0] == "aiohttp.web.run_app" {
                    check_run_app_default(python, call, sink);
                }
            }
        }
    }
}

fn check_host<'t>(
    python: &Semantic<'t>,
    call: Call<'t>,
    keyword: &str,
    position: Option<usize>,
    sink: &mut Sink<'_>,
) {
    let Some(value) = python.argument(call, keyword, position) else {
        return;
    };
    if let Some(Literal::Str(host)) = python.literal(value)
        && is_all_interfaces(&host)
    {
        report(python, call, value, &host, sink);
    }
}

/// Sockets and socket servers (`sock.bind(("", 80))`, `asyncio.start_server(cb, port=80)`,
/// Tornado's `app.listen(8888)`) whose host, written or by default, is every interface.
fn check_sockets(python: &Semantic<'_>, sink: &mut Sink<'_>) {
    for listen in python.listening_sockets() {
        match listen.host {
            ListenHost::Literal { host, at } if is_all_interfaces(&host) => {
                report(python, listen.call, at, &host, sink);
            }
            ListenHost::Literal { .. } => {}
            ListenHost::Default => {
                sink.report(
                    python.callee_span(listen.call),
                    format!(
                        "{} is given no host, so it listens on every network interface",
                        listen.what
                    ),
                );
            }
        }
    }
}

/// aiohttp's `web.run_app(app)` with no host (or `host=None`) serves on every interface, as
/// Tornado's `listen(port)` does; a `path=` (unix socket) or `sock=` listener instead, or
/// settings passed as `**kwargs`, leave it to those.
fn check_run_app_default<'t>(python: &Semantic<'t>, call: Call<'t>, sink: &mut Sink<'_>) {
    let host = python.argument(call, "host", None);
    let no_host = match host {
        None => true,
        Some(value) => python.text(value).trim() == "None",
    };
    let elsewhere = ["path", "sock"]
        .iter()
        .any(|k| python.argument(call, k, None).is_some());
    let splat = python.text_at(call.span()).contains("**");
    if no_host && !elsewhere && !splat {
        let at = python
            .keyword_span(call, "host")
            .unwrap_or_else(|| python.callee_span(call));
        sink.report(
            at,
            "aiohttp's web.run_app is given no host, so it listens on every network interface",
        );
    }
}

/// Server(("0.0.0.0", 8000), app): the host is the first item of the address tuple.
fn check_address_tuple<'t>(
    python: &Semantic<'t>,
    call: Call<'t>,
    keyword: &str,
    sink: &mut Sink<'_>,
) {
    let Some(address) = python.argument(call, keyword, Some(0)) else {
        return;
    };
    if let Some(Literal::Tuple(items)) = python.literal(address)
        && let Some(Some(Literal::Str(host))) = items.first()
        && is_all_interfaces(host)
    {
        // Point at the tuple's host when it is written inline, else at the argument.
        report(python, call, python.first_item(address), host, sink);
    }
}

/// call_command("runserver", "0.0.0.0:8000"): Django's development server on every interface.
fn check_runserver<'t>(python: &Semantic<'t>, call: Call<'t>, sink: &mut Sink<'_>) {
    let is_runserver = python
        .argument(call, "", Some(0))
        .and_then(|name| python.string_value(name))
        .is_some_and(|name| name == "runserver");
    let Some(value) = python
        .argument(call, "addrport", Some(1))
        .filter(|_| is_runserver)
    else {
        return;
    };
    if let Some(Literal::Str(addrport)) = python.literal(value) {
        // A bare port (`"8000"`) listens on 127.0.0.1.
        let host = addrport
            .contains(':')
            .then(|| listen_host(&addrport))
            .map(|h| if h == "0" { "0.0.0.0" } else { h })
            .filter(|h| is_all_interfaces(h) && !h.is_empty());
        if let Some(host) = host {
            report(python, call, value, host, sink);
        }
    }
}

/// waitress.serve(app, listen="0.0.0.0:8080 [::]:8080")
fn check_waitress_listen<'t>(python: &Semantic<'t>, call: Call<'t>, sink: &mut Sink<'_>) {
    let Some(value) = python.argument(call, "listen", None) else {
        return;
    };
    if let Some(Literal::Str(listen)) = python.literal(value)
        && let Some(addr) = listen
            .split_whitespace()
            .find(|a| is_all_interfaces(listen_host(a)))
    {
        report(python, call, value, addr, sink);
    }
}

fn report<'t>(
    python: &Semantic<'t>,
    call: Call<'t>,
    value: Expr<'t>,
    host: &str,
    sink: &mut Sink<'_>,
) {
    let shown = match host {
        "" if python.text(value) == "None" => "None (all interfaces)",
        "" => "\"\" (all interfaces)",
        host => host,
    };
    let diagnostic = sink.report(
        value.span(),
        format!("the server listens on {shown}, exposing it on every network interface"),
    );
    // When the host came through a variable, also show where it was set.
    if value.is_name() {
        diagnostic.label(python.callee_span(call), "bound here");
        if let Some(assigned) = python.assigned_value(value) {
            diagnostic.label(assigned.span(), "address set here");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::listen::{is_all_interfaces, listen_host};
    use crate::rules::testing::{fires_once, quiet};

    /// The trigger keeps every spelling the check fires on: each case is linted through it,
    /// and none has an empty string or a docstring to let an over-broad byte test pass.
    #[test]
    fn trigger_keeps_aliases_concatenations_and_listen_addresses() {
        fires_once(
            "NET001",
            "serve.py",
            &[
                (
                    "from http.server import HTTPServer as S, BaseHTTPRequestHandler as H\nS(('0.0.0.0', 80), H)",
                    "'0.0.0.0'",
                ),
                (
                    "from uvicorn import run as go\nfrom app import app\ngo(app, host='::')",
                    "'::'",
                ),
                (
                    "import socketserver as ss\nss.TCPServer(('*', 80), None)",
                    "'*'",
                ),
                (
                    "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.' '0')",
                    "'0.0.0.' '0'",
                ),
                (
                    "from flask import Flask\napp = Flask(__name__)\napp.run(host=r'0.0.0.0')",
                    "r'0.0.0.0'",
                ),
                (
                    "from flask import Flask\napp = Flask(__name__)\nHOST = (\n  '0.0.'\n  '0.0')\napp.run(host=HOST)",
                    "HOST",
                ),
                (
                    "from waitress import serve as s\nfrom app import app\ns(app, listen='*:8080')",
                    "'*:8080'",
                ),
                (
                    "from django.core.management import call_command as cc\ncc('runserver', '0:8000')",
                    "'0:8000'",
                ),
                (
                    "import asyncio as aio\naio.start_server(handle, port=8080)",
                    "aio.start_server",
                ),
                (
                    "from aiohttp.web import run_app as go\nfrom app import app\ngo(app)",
                    "go",
                ),
            ],
        );
    }

    /// What the trigger lets through still has to be a listening call on every interface.
    #[test]
    fn lookalikes_past_the_trigger_stay_quiet() {
        quiet(
            "NET001",
            "serve.py",
            &[
                "from uvicorn import run as go\ngo(app, host='0.0.0.' '1')",
                "import subprocess\nsubprocess.run(['ls', ''], cwd='*')",
                "def run(host=''):\n    pass\nrun(host='0.0.0.0')",
                "import socket\nSEPARATOR = ':'\nprint(f'{socket.gethostname()}:{0}')",
            ],
        );
    }

    #[test]
    fn hosts() {
        for h in ["0.0.0.0", "", "::", "[::]", "*"] {
            assert!(is_all_interfaces(h), "{h}");
        }
        for h in ["127.0.0.1", "localhost", "::1", "10.0.0.5"] {
            assert!(!is_all_interfaces(h), "{h}");
        }
        assert_eq!(listen_host("0.0.0.0:8080"), "0.0.0.0");
        assert_eq!(listen_host("[::]:8080"), "::");
        assert_eq!(listen_host("*:8080"), "*");
    }

    #[test]
    fn fail() {
        fires_once(
            "NET001",
            "app.py",
            &[
                ("app.run(host='0.0.0.0')", "'0.0.0.0'"),
                ("app.run('0.0.0.0', 5000)", "'0.0.0.0'"),
                ("app.run(host=\"::\", port=80)", "\"::\""),
                ("HOST = '0.0.0.0'\napp.run(host=HOST)", "HOST"),
                (
                    "from http.server import HTTPServer\nHTTPServer(('0.0.0.0', 8000), H)",
                    "'0.0.0.0'",
                ),
                (
                    "from http.server import HTTPServer\naddr = ('', 8000)\nHTTPServer(addr, H)",
                    "addr",
                ),
                (
                    "import socketserver\nsocketserver.TCPServer(('', 8000), H)",
                    "''",
                ),
                (
                    "from waitress import serve\nserve(app, host='0.0.0.0', port=8080)",
                    "'0.0.0.0'",
                ),
                (
                    "from waitress import serve\nserve(app, listen='*:8080')",
                    "'*:8080'",
                ),
                (
                    "import uvicorn\nuvicorn.run(app, host='0.0.0.0')",
                    "'0.0.0.0'",
                ),
                (
                    "from werkzeug.serving import run_simple\nrun_simple('0.0.0.0', 5000, app)",
                    "'0.0.0.0'",
                ),
                (
                    "from flask_socketio import SocketIO\nsocketio = SocketIO(app)\nsocketio.run(app, '0.0.0.0', 5000)",
                    "'0.0.0.0'",
                ),
                (
                    "from flask_socketio import SocketIO\nsocketio = SocketIO(app)\nsocketio.run(app, host='::')",
                    "'::'",
                ),
                (
                    "from aiohttp import web\nweb.run_app(app, host='0.0.0.0', port=8080)",
                    "'0.0.0.0'",
                ),
                (
                    "import bjoern\nbjoern.run(app, '0.0.0.0', 8000)",
                    "'0.0.0.0'",
                ),
                (
                    "from granian import Granian\nGranian('main:app', address='0.0.0.0').serve()",
                    "'0.0.0.0'",
                ),
                (
                    "from cheroot.wsgi import Server\nServer(('0.0.0.0', 8080), app).start()",
                    "'0.0.0.0'",
                ),
                (
                    "from django.core.management import call_command\ncall_command('runserver', '0.0.0.0:8000')",
                    "'0.0.0.0:8000'",
                ),
                (
                    "from django.core.management import call_command\ncall_command('runserver', '0:8000')",
                    "'0:8000'",
                ),
                (
                    "import bottle\nbottle.run(host='0.0.0.0', port=8080)",
                    "'0.0.0.0'",
                ),
                (
                    "from sanic import Sanic\nsrv = Sanic('x')\nsrv.run(host='0.0.0.0')",
                    "'0.0.0.0'",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "NET001",
            "app.py",
            &[
                "app.run()",
                "app.run(host='127.0.0.1')",
                "app.run(host=os.environ.get('HOST', '127.0.0.1'))",
                "app.run(host=os.environ['HOST'])",
                "# app.run(host='0.0.0.0')",
                "'''app.run(host=\"0.0.0.0\")'''",
                "from http.server import HTTPServer\nHTTPServer(('localhost', 8000), H)",
                "from waitress import serve\nserve(app, listen='127.0.0.1:8080')",
                "import uvicorn\nuvicorn.run(app, host='127.0.0.1')",
                "asyncio.run(main())",
                "sock.bind(('0.0.0.0', 53))",
                "import subprocess\nsubprocess.run('0.0.0.0')",
                "import subprocess\nsubprocess.run(['ping', '0.0.0.0'])",
                "foo.run(host='0.0.0.0')",
                "import docker\nclient = docker.from_env()\nclient.containers.run('nginx', host='0.0.0.0')",
                "def deploy(c):\n    c.run('curl 0.0.0.0')",
                "from django.core.management import call_command\ncall_command('runserver', '8000')",
                "from django.core.management import call_command\ncall_command('migrate', '0.0.0.0:1')",
                "BLOCKED = ['0.0.0.0']\nif host == '0.0.0.0':\n    log.info('0.0.0.0')",
            ],
        );
    }

    #[test]
    fn sockets_fail() {
        let socket = "import socket\nsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n";
        let cases: Vec<(String, &str)> = vec![
            (format!("{socket}sock.bind(('0.0.0.0', 8080))"), "'0.0.0.0'"),
            (format!("{socket}sock.bind(('', 8080))"), "''"),
            (format!("{socket}sock.bind(('::', 8080))"), "'::'"),
            (format!("{socket}HOST = ''\nsock.bind((HOST, 8080))"), "HOST"),
            (format!("{socket}ADDR = ('0.0.0.0', 80)\nsock.bind(ADDR)"), "ADDR"),
            // A UDP server on a fixed port listens too (a syslog or DNS server).
            (
                "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('', 514))"
                    .to_string(),
                "''",
            ),
            (
                "from socket import *\nwith socket(AF_INET6) as s:\n    s.bind(('::', 80))".to_string(),
                "'::'",
            ),
            (
                "import socket\nclass S:\n    def __init__(self):\n        self.sock = socket.socket()\n    def start(self):\n        self.sock.bind(('0.0.0.0', 9))"
                    .to_string(),
                "'0.0.0.0'",
            ),
            (
                "import socket\nsocket.create_server(('', 8000))".to_string(),
                "''",
            ),
            (
                "from socket import create_server\ncreate_server(('0.0.0.0', 8000), reuse_port=True)"
                    .to_string(),
                "'0.0.0.0'",
            ),
            (
                "import socketserver\nsocketserver.UDPServer(('', 9999), H)".to_string(),
                "''",
            ),
            (
                "import socketserver\nclass Server(socketserver.ThreadingMixIn, socketserver.TCPServer):\n    pass\nServer(('0.0.0.0', 8000), H)"
                    .to_string(),
                "'0.0.0.0'",
            ),
            (
                "from wsgiref.simple_server import make_server\nmake_server('', 8000, app)".to_string(),
                "''",
            ),
            (
                "import asyncio\nasync def main():\n    await asyncio.start_server(cb, port=8888)"
                    .to_string(),
                "asyncio.start_server",
            ),
            (
                "import asyncio\nasync def main():\n    await asyncio.start_server(cb, None, 8888)"
                    .to_string(),
                "None",
            ),
            (
                "import asyncio\nasync def main():\n    await asyncio.start_server(cb, host='0.0.0.0', port=8888)"
                    .to_string(),
                "'0.0.0.0'",
            ),
            (
                "import asyncio\nasync def main():\n    loop = asyncio.get_running_loop()\n    await loop.create_server(Proto, '0.0.0.0', 8888)"
                    .to_string(),
                "'0.0.0.0'",
            ),
            (
                "import asyncio\nloop = asyncio.new_event_loop()\nloop.create_server(Proto, port=8888)"
                    .to_string(),
                "loop.create_server",
            ),
            (
                "import tornado.web\napp = tornado.web.Application([])\napp.listen(8888)".to_string(),
                "app.listen",
            ),
            (
                "from tornado.web import Application\ndef make_app():\n    return Application([])\nmake_app().listen(8888, address='0.0.0.0')"
                    .to_string(),
                "'0.0.0.0'",
            ),
            (
                "import tornado.web\nclass App(tornado.web.Application):\n    pass\nApp().listen(8888)"
                    .to_string(),
                "App().listen",
            ),
            (
                "from tornado.httpserver import HTTPServer\nserver = HTTPServer(app)\nserver.bind(8888)"
                    .to_string(),
                "server.bind",
            ),
        ];
        let cases: Vec<(&str, &str)> = cases.iter().map(|(s, u)| (s.as_str(), *u)).collect();
        fires_once("NET001", "app.py", &cases);
    }

    #[test]
    fn sockets_pass() {
        quiet(
            "NET001",
            "app.py",
            &[
                // The receiver is not known to be a socket.
                "sock.bind(('0.0.0.0', 8080))",
                "def serve(sock):\n    sock.bind(('0.0.0.0', 8080))",
                "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 8080))",
                "import socket\ns = socket.socket()\ns.bind(('localhost', 8080))",
                // A host from a variable, the environment or a parameter's default value.
                "import os, socket\ns = socket.socket()\ns.bind((os.environ['HOST'], 80))",
                "import socket\ndef serve(host='0.0.0.0'):\n    s = socket.socket()\n    s.bind((host, 80))",
                // Port 0: the free-port idiom, or a client choosing its source address.
                "import socket\ns = socket.socket()\ns.bind(('', 0))\nport = s.getsockname()[1]",
                "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('0.0.0.0', 0))\ns.sendto(q, ('8.8.8.8', 53))",
                // ftplib's active-mode data socket: a port the kernel picks, for one transfer.
                "import socket\nsock = socket.create_server(('', 0), family=af, backlog=1)",
                // A multicast receiver must bind the wildcard address to get the group's
                // datagrams.
                "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('', 5353))\ns.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)",
                // A unix socket's address is a path.
                "import socket\ns = socket.socket(socket.AF_UNIX)\ns.bind('/run/app.sock')",
                // The all-interfaces string compared, stored in a block list or logged.
                "import socket, logging\nBLOCKED = {'0.0.0.0', '::'}\nif addr[0] == '0.0.0.0':\n    logging.warning('refusing %s', '0.0.0.0')",
                "import socket\nsocket.create_server(('127.0.0.1', 8000))",
                "import asyncio\nasync def main():\n    await asyncio.start_server(cb, '127.0.0.1', 8888)",
                "import asyncio\nasync def main():\n    await asyncio.start_server(cb, sock=listener)",
                "import asyncio\nasync def main():\n    await asyncio.start_unix_server(cb, path='/run/app.sock')",
                "loop.create_server(Proto, '0.0.0.0', 8888)",
                "import tornado.web\napp = tornado.web.Application([])\napp.listen(8888, address='127.0.0.1')",
                "import tornado.web\napp = tornado.web.Application([])\napp.listen(8888, '127.0.0.1')",
                // `listen(backlog)` on a socket is not an address.
                "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 80))\ns.listen(5)",
                "server.listen(8888)",
            ],
        );
    }
}
