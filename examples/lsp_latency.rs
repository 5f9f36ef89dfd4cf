//! Measures `deploylint server`'s latency from `didChange` to the `publishDiagnostics` for that
//! version, on a 500-line Python file and a 300-line Apache configuration, each edited 300 times
//! (every edit changes the text, so every run lints afresh). Prints the median and the 95th
//! percentile. Usage: `cargo build --release && cargo run --release --example lsp_latency
//! [path/to/deploylint]` (default: target/release/deploylint).

#[path = "../tests/common/lsp.rs"]
mod lsp;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EDITS: usize = 300;
const WARMUP: usize = 20;

/// A Flask application of `lines` lines: routes, helpers, settings read from the environment,
/// and a development entry point at the end.
fn python(lines: usize) -> String {
    let mut s = String::from(
        "import os\nimport logging\nfrom flask import Flask, jsonify, request\n\n\
         app = Flask(__name__)\napp.config[\"SECRET_KEY\"] = os.environ[\"SECRET_KEY\"]\n\
         log = logging.getLogger(__name__)\n\n",
    );
    let mut i = 0;
    while s.lines().count() < lines - 4 {
        s.push_str(&format!(
            "@app.route(\"/items/{i}\", methods=[\"GET\", \"POST\"])\n\
             def item_{i}():\n    \
             \"\"\"Item {i}: échantillon.\"\"\"\n    \
             if request.method == \"POST\":\n        \
             log.info(\"posted %s\", request.json)\n        \
             return jsonify(ok=True, item={i})\n    \
             return jsonify(item={i}, name=\"item-{i}\")\n\n"
        ));
        i += 1;
    }
    s.push_str("if __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", debug=True)\n");
    s
}

/// An Apache configuration of `lines` lines: virtual hosts serving mod_wsgi daemons.
fn apache(lines: usize) -> String {
    let mut s = String::from(
        "ServerRoot \"/etc/httpd\"\nListen 80\nLoadModule wsgi_module modules/mod_wsgi.so\n\
         User apache\nGroup apache\nServerTokens Full\nServerSignature On\n\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!(
            "<VirtualHost *:80>\n    \
             ServerName app{i}.example.com\n    \
             DocumentRoot /srv/app{i}/public\n    \
             WSGIDaemonProcess app{i} user=app{i} group=app{i} processes=2 threads=15 python-home=/srv/app{i}/venv\n    \
             WSGIProcessGroup app{i}\n    \
             WSGIScriptAlias / /srv/app{i}/wsgi.py\n    \
             <Directory /srv/app{i}>\n        \
             <Files wsgi.py>\n            \
             Require all granted\n        \
             </Files>\n    \
             </Directory>\n    \
             Alias /static /srv/app{i}/static\n    \
             ErrorLog /var/log/httpd/app{i}-error.log\n\
             </VirtualHost>\n\n"
        ));
        i += 1;
    }
    s
}

/// Edits `text` (a changed comment on its 10th line) `EDITS` times and times each round trip.
fn measure(client: &mut lsp::Client, path: &Path, language: &str, text: &str) -> Vec<Duration> {
    let uri = client.open(path, language, text);
    let first = client.diagnostics(&uri);
    let findings = first["diagnostics"].as_array().map_or(0, Vec::len);
    let lines: Vec<&str> = text.lines().collect();
    let mut times = Vec::new();
    for round in 0..WARMUP + EDITS {
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        edited.insert(9, format!("# edit {round}"));
        let edited = edited.join("\n") + "\n";
        let version = round as i64 + 2;
        let started = Instant::now();
        client.change(&uri, version, &edited);
        let published = client.expect(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        let elapsed = started.elapsed();
        assert_eq!(
            published["params"]["diagnostics"]
                .as_array()
                .map_or(0, Vec::len),
            findings
        );
        if round >= WARMUP {
            times.push(elapsed);
        }
    }
    eprintln!(
        "{}: {} lines, {findings} findings",
        path.display(),
        text.lines().count()
    );
    times
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} edits)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    let bin = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/deploylint"));
    let bin = std::fs::canonicalize(&bin).unwrap_or_else(|e| {
        eprintln!("{}: {e} (build it: cargo build --release)", bin.display());
        std::process::exit(2);
    });
    let dir = std::env::temp_dir().join(format!("deploylint-lsp-latency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut client = lsp::Client::start(&bin, &dir);
    client.initialize(&[&dir]);
    let py = measure(&mut client, &dir.join("app.py"), "python", &python(500));
    let conf = measure(&mut client, &dir.join("httpd.conf"), "apache", &apache(300));
    assert_eq!(client.shutdown().code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
    report("python, 500 lines", py);
    report("apache, 300 lines", conf);
}
