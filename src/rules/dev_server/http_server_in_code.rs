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
    let serves: Vec<_> = python
        .calls()
        .filter(|c| python.receiver(*c).is_some() && python.method(*c) == Some("serve_forever"))
        .map(|c| python.callee_span(c))
        .collect();
    let Some(&first_serve) = serves.first() else {
        return;
    };
    for call in python.calls() {
        if python.calls_any(call, STDLIB_SERVERS) {
            let name = python.callee_name(call).unwrap_or_default();
            let at = python.callee_span(call);
            // The server is served by the next serve_forever() after it is made (the same
            // expression, its `with` block or its variable); the first one stands in otherwise.
            let served = serves
                .iter()
                .copied()
                .find(|s| s.start >= at.start)
                .unwrap_or(first_serve);
            sink.report(
                at,
                format!("`{name}` is a development server and is run with serve_forever()"),
            )
            .label(served, "served here");
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
    fn each_server_is_labelled_where_it_is_served() {
        let text = "import http.server as h\na = h.HTTPServer(('', 1), H)\nb = h.HTTPServer(('', 2), H)\nb.serve_forever()\na.serve_forever()\nc = h.HTTPServer(('', 3), H)\nc.serve_forever()\n";
        let found = crate::rules::testing::diagnostics("DEV003", "serve.py", text);
        let labelled: Vec<&str> = found
            .iter()
            .map(|d| &text[d.labels[0].span.range()])
            .collect();
        assert_eq!(found.len(), 3);
        // The third server is served on the line after it, not by the file's first call.
        assert_eq!(labelled[2], "c.serve_forever");
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
