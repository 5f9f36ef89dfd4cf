//! DEV003: Python code that serves HTTP with the standard library's `http.server` /
//! `socketserver` classes, which are meant for local development only.

use crate::rules::{FileContext, Rule, Sink, View};

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
    let View::Python(python) = ctx.view else {
        return;
    };
    let Some(first_serve) = python
        .calls()
        .find(|c| python.receiver(*c).is_some() && python.method(*c) == Some("serve_forever"))
    else {
        return;
    };
    for call in python.calls() {
        if python.calls_any(call, STDLIB_SERVERS) {
            let name = python.callee_name(call).unwrap_or_default();
            sink.report(
                python.callee_span(call),
                format!("`{name}` is a development server and is run with serve_forever()"),
            )
            .label(python.callee_span(first_serve), "served here");
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
