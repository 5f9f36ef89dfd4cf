//! Property tests: parsers never panic and hand on spans inside their text; concise and JSON
//! positions agree with the spans; every output format renders any span; results do not
//! depend on the order files are visited or the number of threads.
//!
//! The invariants themselves live in `deploylint::invariants`, shared with the fuzz targets.

mod common;

use deploylint::catalog::Format;
use deploylint::diagnostic::{Diagnostic, Label, Severity};
use deploylint::engine::{self, Outcome, Overrides, Resolver};
use deploylint::invariants;
use deploylint::report::{self, OutputFormat, RenderOptions};
use deploylint::source::{SourceFile, Span};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// Pieces that make the parsers take their interesting paths, mixed with arbitrary text.
const TOKENS: &[&str] = &[
    "apiVersion: v1\nkind: Pod\nspec:\n",
    "---\n",
    "  containers:\n  - name: w\n    image: shop\n",
    "    command: [flask, run]\n",
    "    securityContext: {privileged: true, runAsUser: 0}\n",
    "  hostNetwork: true\n  hostPID: true\n",
    "    env:\n    - {name: FLASK_DEBUG, value: \"1\"}\n",
    "FROM ",
    "RUN ",
    "CMD ",
    "ENTRYPOINT ",
    "USER ",
    "ENV ",
    "ARG ",
    "ONBUILD ",
    "COPY ",
    "HEALTHCHECK ",
    "SHELL ",
    "WORKDIR ",
    " AS ",
    "python",
    "root",
    "0:0",
    "--chown=",
    "--from=",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "\\\n",
    "`\n",
    "\n",
    "\r\n",
    " ",
    "\t",
    "[\"",
    "\", \"",
    "\"]",
    "[",
    "]",
    "\"",
    "'",
    "\\",
    "\\u00e9",
    "\\\"",
    "$",
    "${",
    "}",
    "$(",
    ")",
    "(",
    "`",
    ";",
    "&&",
    "||",
    "|",
    "&",
    ">",
    "2>&1",
    "<<EOF\n",
    "<<-'EOF'\n",
    "EOF\n",
    "=",
    "A=1 ",
    "é",
    "€",
    "𝄞",
    "\u{feff}",
    "\0",
    "gunicorn ",
    "-b ",
    "--bind=",
    "0.0.0.0:8000",
    "uvicorn ",
    "--host ",
    "--reload",
    "flask run",
    "manage.py runserver",
    "python -m ",
    "http.server",
    "sh -c ",
    "env ",
    "sudo -u ",
    "exec ",
    "chmod 777 ",
    "/tmp",
    "if ",
    "then ",
    "fi",
    "for x in ",
    "do ",
    "done",
    "case ",
    " in ",
    "esac",
    "((",
    "))",
    "app.run(",
    "debug=True",
    "host='0.0.0.0'",
    ", ",
    "import flask\n",
    "from flask import Flask\n",
    "app = Flask(__name__)\n",
    "DEBUG = True\n",
    "def f():\n",
    "    ",
    "lambda: ",
    "f'{x}'",
    "b'x'",
    "'''",
    "\"\"\"",
    "# deploylint: ignore[DBG001]",
    // Apache, systemd, compose and Procfile shapes.
    "<VirtualHost *:80>\n",
    "</VirtualHost>\n",
    "<IfModule !mod_wsgi.c>\n",
    "</IfModule>\n",
    "WSGIDaemonProcess app user=root home=/tmp/x ",
    "WSGIScriptAlias / /srv/app/app.wsgi ",
    "DocumentRoot /srv/app\n",
    "Include *.conf\n",
    "[Service]\n",
    "[Unit]\n",
    "ExecStart=-/usr/bin/gunicorn ",
    "User=root\n",
    "Environment=\"FLASK_DEBUG=1\"\n",
    "services:\n",
    "  web:\n",
    "    image: app\n",
    "    ports: [\"5000:5000\"]\n",
    "    command: ",
    "&anchor ",
    "*anchor",
    "<<: *anchor\n",
    "- ",
    "web: ",
    "\\\n",
    "# deploylint: ignore-file",
    "# deploylint: ignore",
    "FLASK_DEBUG=1",
    "[uwsgi]\n",
    "uwsgi:\n",
    "socket = :80\n",
    "  - ",
    "%(",
    "%n",
    "@(",
    "ini = ",
    "if-env = X\n",
    "endif\n",
    "chmod-socket\n",
    "[program:web]\n",
    "command=gunicorn -b 0.0.0.0:80 a:b\n",
    "environment=A=\"1\",B='2'\n",
    "%(ENV_X)s",
    "%(program_name)s",
    "[inet_http_server]\nport=*:9001\n",
    "user=root\n",
    ";",
    "=",
    ":",
    "PYTHONDEBUG=1",
    "server {\n",
    "location /static {",
    "location ~* \\.(css)$ {",
    "alias /srv/app/static/;",
    "root /srv/app;",
    "}",
    "{",
    "\"a\\\"b\"",
    "'x'",
    "${host}",
    "content_by_lua_block {",
    "--[[ } ]]",
    "[==[",
    "if ($x ~ \"y\") {",
    "{ROOT}",
    "server_tokens on;",
    "include conf.d/*.conf;",
];

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..48).prop_map(|t| t.concat())
}

/// Token soup, arbitrary Unicode, or both interleaved.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => tokens(),
        1 => any::<String>(),
        1 => (tokens(), any::<String>(), tokens()).prop_map(|(a, b, c)| a + &b + &c),
    ]
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        text().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..256),
        (tokens(), prop::collection::vec(any::<u8>(), 0..16)).prop_map(|(t, b)| [
            t.into_bytes(),
            b
        ]
        .concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn dockerfile_parser_spans_stay_inside(text in text()) {
        invariants::check_dockerfile(&text);
    }

    #[test]
    fn python_parser_spans_stay_inside(text in text()) {
        invariants::check_python(&text);
    }

    #[test]
    fn shell_and_launcher_spans_stay_inside(text in text()) {
        invariants::check_command_line(&text);
    }

    #[test]
    fn apache_systemd_yaml_procfile_spans_stay_inside(text in text()) {
        invariants::check_apache(&text);
        invariants::check_systemd(&text);
        invariants::check_yaml(&text);
        invariants::check_procfile(&text);
    }

    #[test]
    fn nginx_spans_stay_inside(text in text()) {
        invariants::check_nginx(&text);
    }

    #[test]
    fn ini_and_uwsgi_spans_stay_inside(text in text()) {
        invariants::check_ini(&text);
    }

    #[test]
    fn config_and_rule_pack_parsers_never_panic(text in text()) {
        invariants::check_config(&text);
        invariants::check_rule_pack(&text);
    }
}

/// Pieces of start scripts: control structure, parameters, privilege drops.
const SCRIPT_TOKENS: &[&str] = &[
    "if ",
    "then ",
    "elif ",
    "else ",
    "fi",
    "case ",
    " in ",
    "esac",
    ";;",
    ")",
    "(",
    "{ ",
    "}",
    "while ",
    "until ",
    "do ",
    "done",
    "for x in a b; ",
    "function f ",
    "f() ",
    "f ",
    "! ",
    "; ",
    "\n",
    "\n",
    " && ",
    " || ",
    " | ",
    " & ",
    "\\\n",
    "# c\n",
    "exec ",
    "\"$@\"",
    "$1 ",
    "\"${1#-}\" ",
    "$# ",
    "[ ",
    " ] ",
    "[[ ",
    " ]] ",
    "= ",
    "!= ",
    "-eq 0 ",
    "-z ",
    "set -- ",
    "set -e",
    "shift ",
    "exit 1",
    "return ",
    "gosu app ",
    "su-exec app:app ",
    "setpriv --reuid=app --init-groups ",
    "runuser -u app -- ",
    "chpst -u app ",
    "su app -c 'gunicorn x' ",
    "sudo -u app ",
    "gunicorn -b 0.0.0.0:80 a:b",
    "flask run",
    "'celery'",
    "\"$(id -u)\" ",
    "0 ",
    "*) ",
    "web|w) ",
    "sh -c '",
    "'",
];

fn script_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(SCRIPT_TOKENS), 0..64)
            .prop_map(|t| t.concat()),
        1 => text(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any script text: following it never panics, and what it finds points inside it.
    #[test]
    fn start_scripts_never_panic_and_stay_inside(text in script_text()) {
        invariants::check_start_script(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// A whole check of an image whose entrypoint script is random text: findings moved into
    /// the script point inside it, and rendering them never panics.
    #[test]
    fn whole_check_with_a_random_entrypoint_script(script in script_text()) {
        let dir = write_tree(&[
            (
                "Dockerfile".to_string(),
                "FROM python\nCOPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"gunicorn\", \"a:b\"]\n".to_string(),
            ),
            ("entrypoint.sh".to_string(), script.clone()),
        ]);
        let paths = vec![dir.path().to_path_buf()];
        let resolver = Resolver::new(&paths, Overrides::default());
        let outcome = engine::run(&paths, &resolver);
        for d in &outcome.diagnostics {
            if d.path.ends_with("entrypoint.sh") {
                prop_assert!(d.span.end <= script.len() && d.span.start <= d.span.end);
                prop_assert!(script.is_char_boundary(d.span.start) && script.is_char_boundary(d.span.end));
            }
        }
        for (format, _) in invariants::RENDERINGS {
            let _ = render(&outcome, *format);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The whole check, as the engine reads files: diagnostics inside the text, every format
    /// renders.
    #[test]
    fn whole_check_on_any_bytes(bytes in bytes()) {
        invariants::check_bytes(Format::Dockerfile, "Dockerfile", &bytes);
        invariants::check_bytes(Format::Python, "app.py", &bytes);
        invariants::check_bytes(Format::Apache, "apache2/sites-available/site.conf", &bytes);
        invariants::check_bytes(Format::Systemd, "app.service", &bytes);
        invariants::check_bytes(Format::Compose, "compose.yaml", &bytes);
        invariants::check_bytes(Format::Procfile, "Procfile", &bytes);
        invariants::check_bytes(Format::Gunicorn, "gunicorn.conf.py", &bytes);
        invariants::check_bytes(Format::Kubernetes, "k8s/deployment.yaml", &bytes);
        invariants::check_bytes(Format::Nginx, "nginx/nginx.conf", &bytes);
    }

    /// Concise and JSON positions, recomputed here from the text independently of SourceFile.
    #[test]
    fn reported_positions_agree_with_spans(text in text(), a in any::<usize>(), b in any::<usize>()) {
        let source = SourceFile::new("Dockerfile", text.as_str());
        let text = source.text();
        let boundary = |i: usize| {
            let mut i = i % (text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (a, b) = (boundary(a), boundary(b));
        let (start, end) = (a.min(b), a.max(b));
        let mut diagnostics = invariants::check_bytes(Format::Dockerfile, "Dockerfile", text.as_bytes());
        diagnostics.push(diagnostic(Span::new(start, end), Vec::new()));
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let outcome = outcome(source.clone(), diagnostics);
        let concise = render(&outcome, OutputFormat::Concise);
        let json: Vec<serde_json::Value> =
            serde_json::from_str(&render(&outcome, OutputFormat::Json)).unwrap();
        // Messages may contain newlines only in theory; locate lines by their prefix.
        let lines: Vec<&str> = concise.lines().filter(|l| l.starts_with("Dockerfile:")).collect();
        prop_assert_eq!(lines.len(), outcome.diagnostics.len());
        for ((d, line), item) in outcome.diagnostics.iter().zip(lines).zip(&json) {
            let (l, c) = position(text, d.span.start);
            prop_assert!(line.starts_with(&format!("Dockerfile:{l}:{c}: {} ", d.code)), "{line} vs {l}:{c}");
            prop_assert_eq!(item["line"].as_u64(), Some(l as u64));
            prop_assert_eq!(item["column"].as_u64(), Some(c as u64));
            let (el, ec) = position(text, d.span.end);
            prop_assert_eq!(item["end_line"].as_u64(), Some(el as u64));
            prop_assert_eq!(item["end_column"].as_u64(), Some(ec as u64));
        }
    }

    /// Any span at all (reversed, zero-width, at or past the end, inside a character, across
    /// lines), on the finding and on its labels, renders in every format.
    #[test]
    fn rendering_never_panics_for_any_span(
        text in text(),
        spans in prop::collection::vec((0usize..300, 0usize..300), 1..6),
        at_end in any::<bool>(),
    ) {
        let source = SourceFile::new("app.py", text.as_str());
        let len = source.text().len();
        let mut spans: Vec<Span> = spans.into_iter().map(|(a, b)| Span::new(a, b)).collect();
        if at_end {
            spans.push(Span::empty(len));
            spans.push(Span::new(len.saturating_sub(1), len));
            spans.push(Span::new(0, len));
        }
        let labels = spans
            .iter()
            .enumerate()
            .map(|(i, &span)| Label {
                path: (i % 3 == 2).then(|| PathBuf::from("elsewhere.py")),
                span,
                message: format!("label {i}\nwith a second line"),
            })
            .collect();
        let mut diagnostics: Vec<Diagnostic> = spans.iter().map(|&s| diagnostic(s, Vec::new())).collect();
        diagnostics.push(diagnostic(spans[0], labels));
        let outcome = outcome(source, diagnostics);
        invariants::render_all(&outcome);
    }
}

/// One-based line and character column of byte `offset`, counted from scratch.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

fn diagnostic(span: Span, labels: Vec<Label>) -> Diagnostic {
    Diagnostic {
        code: "USR001".into(),
        name: "runs-as-root".into(),
        severity: Severity::Error,
        path: PathBuf::from(if labels.is_empty() {
            "Dockerfile"
        } else {
            "app.py"
        }),
        span,
        message: "a message\nover two lines".into(),
        labels,
        help: Some("help".into()),
        fix: None,
    }
}

fn outcome(source: SourceFile, mut diagnostics: Vec<Diagnostic>) -> Outcome {
    for d in &mut diagnostics {
        d.path = source.path().to_path_buf();
    }
    Outcome {
        diagnostics,
        sources: vec![Arc::new(source)],
        ..Outcome::default()
    }
}

fn render(outcome: &Outcome, format: OutputFormat) -> String {
    let mut out = Vec::new();
    report::render(outcome, format, &RenderOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A small project of generated files: each a Dockerfile or Python file of token soup, some
/// starting the Python files (so project rules connect files too).
fn project() -> impl Strategy<Value = Vec<(String, String)>> {
    let file = (0..4usize, tokens()).prop_map(|(kind, body)| match kind {
        0 => (
            "Dockerfile",
            format!("FROM python\n{body}\nCMD python app.py\n"),
        ),
        1 => ("Dockerfile", format!("FROM python\n{body}")),
        2 => ("app.py", format!("{body}\napp.run(debug=True)\n")),
        _ => ("app.py", body),
    });
    prop::collection::vec(file, 1..12).prop_map(|files| {
        files
            .into_iter()
            .enumerate()
            .map(|(i, (name, body))| (format!("d{}/s{i}/{name}", i % 3), body))
            .collect()
    })
}

fn write_tree(files: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn lint_paths(paths: &[PathBuf]) -> Vec<Diagnostic> {
    let resolver = Resolver::new(paths, Overrides::default());
    engine::run(paths, &resolver).diagnostics
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The library, given the same files in a shuffled order, finds the same things.
    #[test]
    fn results_do_not_depend_on_visit_order(
        files in project(),
        seed in any::<u64>(),
    ) {
        let dir = write_tree(&files);
        let mut paths: Vec<PathBuf> = files.iter().map(|(n, _)| dir.path().join(n)).collect();
        let sorted = lint_paths(&paths);
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..paths.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            paths.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&lint_paths(&paths), &sorted);
        let mut reversed = paths.clone();
        reversed.reverse();
        prop_assert_eq!(&lint_paths(&reversed), &sorted);
        // And the directory walk agrees with the explicit list.
        prop_assert_eq!(&lint_paths(&[dir.path().to_path_buf()]), &sorted);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The binary gives byte-identical output with one thread and with four.
    #[test]
    fn results_do_not_depend_on_thread_count(files in project()) {
        let dir = write_tree(&files);
        let run = |threads: &str, format: &str| {
            common::bin()
                .args(["check", "--output-format", format, "."])
                .env("RAYON_NUM_THREADS", threads)
                .current_dir(dir.path())
                .output()
                .unwrap()
        };
        for format in ["concise", "json", "sarif"] {
            let one = run("1", format);
            let four = run("4", format);
            prop_assert_eq!(one.status.code(), four.status.code());
            prop_assert_eq!(common::stdout(&one), common::stdout(&four));
        }
    }
}

#[test]
fn position_helper_counts_characters() {
    assert_eq!(position("ab\néé x", 8), (2, 4));
    assert_eq!(position("", 0), (1, 1));
}
