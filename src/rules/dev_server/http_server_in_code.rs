//! DEV003: Python code that serves HTTP with the standard library's `http.server` /
//! `socketserver` classes, which are meant for local development only.

use crate::rules::{FileContext, Rule, Sink, View};
use crate::syntax::python::PyIndex;

pub const RULE: Rule = Rule {
    code: "DEV003",
    check,
    prefilter: Some(|_, text| text.contains("serve_forever")),
};

pub const STDLIB_SERVERS: &[&str] = &[
    "http.server.HTTPServer",
    "http.server.ThreadingHTTPServer",
    "socketserver.TCPServer",
    "socketserver.ThreadingTCPServer",
    "socketserver.ForkingTCPServer",
    "SocketServer.TCPServer",
    "BaseHTTPServer.HTTPServer",
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Python(ix) = ctx.view else {
        return;
    };
    let serve_forever: Vec<_> = ix
        .calls
        .iter()
        .filter(|c| {
            PyIndex::receiver(**c).is_some() && ix.callee_attr(**c) == Some("serve_forever")
        })
        .collect();
    let Some(first_serve) = serve_forever.first() else {
        return;
    };
    for &call in &ix.calls {
        let Some(callee) = PyIndex::callee(call) else {
            continue;
        };
        if ix.refers_to(callee, STDLIB_SERVERS) {
            let name = ix.qualified_name(callee).unwrap_or_default();
            sink.report(
                PyIndex::span(callee),
                format!("`{name}` is a development server and is run with serve_forever()"),
            )
            .label(
                PyIndex::callee(**first_serve).map_or(PyIndex::span(**first_serve), PyIndex::span),
                "served here",
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
            "DEV003",
            "serve.py",
            &[
                (
                    "from http.server import HTTPServer, SimpleHTTPRequestHandler\nhttpd = HTTPServer(('127.0.0.1', 8000), SimpleHTTPRequestHandler)\nhttpd.serve_forever()\n",
                    "HTTPServer",
                ),
                (
                    "import http.server\nhttp.server.ThreadingHTTPServer(('', 8000), H).serve_forever()\n",
                    "http.server.ThreadingHTTPServer",
                ),
                (
                    "import socketserver\nwith socketserver.TCPServer(('', 80), H) as s:\n    s.serve_forever()\n",
                    "socketserver.TCPServer",
                ),
                (
                    "from http.server import *\nHTTPServer(('', 80), H).serve_forever()\n",
                    "HTTPServer",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "DEV003",
            "serve.py",
            &[
                // Constructed but never served (e.g. in a test of a handler).
                "from http.server import HTTPServer\ns = HTTPServer(('', 0), H)\n",
                "from mylib import HTTPServer\nHTTPServer(x).serve_forever()\n",
                "# HTTPServer(('', 80), H).serve_forever()\n",
                "from http.server import BaseHTTPRequestHandler\nclass H(BaseHTTPRequestHandler): pass\n",
            ],
        );
    }
}
