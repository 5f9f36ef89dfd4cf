//! Launcher model: which program a command line starts (gunicorn, uvicorn, flask run, …) and
//! with which arguments, seen through wrappers such as `exec`, `env`, `gosu`, `poetry run`
//! and `sh -c`, with spans back into the original file.
//!
//! Every simple command with a program word yields a `Launch`; builtins and unknown
//! programs are `Other` (so `echo "flask run"` is `Other { name: "echo" }`, never `FlaskRun`).
//! `manage.py` with a subcommand other than `runserver` is `PythonScript { script }`.
//!
//! `types` holds what a launch is, `wrappers` the commands looked through to the program
//! they start, `programs` how each program and its arguments are recognised.

mod programs;
pub(crate) use programs::value_options;
mod target;
mod types;
mod wrappers;

pub use target::{Entry, Runs, flask_app};
pub use types::{Launch, Program, RunAs};

use crate::source::{MappedText, Span};
use crate::syntax::shell::{self, SimpleCommand};
use wrappers::resolve;

type Env = Vec<(MappedText, MappedText)>;

/// How many `sh -c` / `env -S` levels to look through.
const MAX_DEPTH: usize = 8;

/// Every simple command of a shell-form line that runs a program, in order.
pub fn from_shell(line: &MappedText) -> Vec<Launch> {
    let mut out = Vec::new();
    for cmd in shell::split_commands(line) {
        command(&cmd, &[], 0, &mut out);
    }
    out
}

/// The launches of one simple command already split by the shell (a line of a script).
pub fn from_command(cmd: &SimpleCommand) -> Vec<Launch> {
    let mut out = Vec::new();
    command(cmd, &[], 0, &mut out);
    out
}

/// The launch of an exec-form argv (no shell: assignments are not recognised).
pub fn from_exec(words: &[MappedText]) -> Vec<Launch> {
    let mut out = Vec::new();
    command(&shell::exec_command(words), &[], 0, &mut out);
    out
}

fn command(
    cmd: &SimpleCommand,
    outer: &[(MappedText, MappedText)],
    depth: usize,
    out: &mut Vec<Launch>,
) {
    let mut env = outer.to_vec();
    env.extend(cmd.assignments.iter().cloned());
    resolve(&cmd.words, env, depth, out);
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn text(words: &[MappedText], i: usize) -> Option<&str> {
    words.get(i).map(MappedText::as_str)
}

fn rest(words: &[MappedText], i: usize) -> &[MappedText] {
    words.get(i..).unwrap_or(&[])
}

fn other_name(w: &MappedText) -> String {
    let b = basename(w.as_str());
    if b.is_empty() { w.as_str() } else { b }.to_string()
}

fn push(out: &mut Vec<Launch>, program: Program, span: Span, args: &[MappedText], env: &Env) {
    out.push(Launch {
        program,
        program_span: span,
        args: args.to_vec(),
        env: env.clone(),
        runs_as: None,
        program_word: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mt(s: &str) -> MappedText {
        MappedText::from_span(s, Span::new(0, s.len()))
    }

    /// A tiny JSON-array reader for exec-form test input, mapping each string like a
    /// Dockerfile parser would: content bytes to themselves, first byte to the opening quote,
    /// end past the closing quote.
    fn exec_words(src: &str) -> Vec<MappedText> {
        let mut words = Vec::new();
        let mut it = src.char_indices().peekable();
        while let Some((q, c)) = it.next() {
            if c != '"' {
                continue;
            }
            let mut m = MappedText::new(q);
            let mut first = true;
            while let Some((i, c)) = it.next() {
                let origin = if first { q } else { i };
                first = false;
                match c {
                    '"' => {
                        m.push_str("", i + 1);
                        break;
                    }
                    '\\' => {
                        if let Some((j, e)) = it.next() {
                            let c = if e == 'n' { '\n' } else { e };
                            m.push_char(c, origin.min(i), j + e.len_utf8());
                        }
                    }
                    _ => m.push_char(c, origin, i + c.len_utf8()),
                }
            }
            words.push(m);
        }
        words
    }

    fn other(name: &str) -> Program {
        Program::Other {
            name: name.to_string(),
        }
    }

    /// Short description of a program for table comparisons.
    fn prog(p: &Program) -> String {
        match p {
            Program::PythonScript { script } => format!("script:{}", script.as_str()),
            Program::PythonModule { module } => format!("module:{}", module.as_str()),
            Program::Other { name } => format!("other:{name}"),
            p => format!("{p:?}"),
        }
    }

    /// (program, original text of program_span, arg texts) per launch.
    fn check(src: &str, launches: &[Launch], want: &[(&str, &str, &[&str])]) {
        let got: Vec<(String, &str, Vec<&str>)> = launches
            .iter()
            .map(|l| {
                let args = l.args.iter().map(MappedText::as_str).collect();
                (prog(&l.program), &src[l.program_span.range()], args)
            })
            .collect();
        let want: Vec<(String, &str, Vec<&str>)> = want
            .iter()
            .map(|(p, span, args)| (p.to_string(), *span, args.to_vec()))
            .collect();
        assert_eq!(got, want, "input: {src:?}");
    }

    #[test]
    fn shell_form_table() {
        // (input, [(program, program_span text, [args])])
        #[allow(clippy::type_complexity)]
        #[rustfmt::skip]
        let cases: &[(&str, &[(&str, &str, &[&str])])] = &[
            ("gunicorn app:app", &[("Gunicorn", "gunicorn", &["app:app"])]),
            ("/opt/venv/bin/gunicorn -w 4 app:app", &[("Gunicorn", "/opt/venv/bin/gunicorn", &["-w", "4", "app:app"])]),
            (".venv/bin/uvicorn app:app --reload", &[("Uvicorn", ".venv/bin/uvicorn", &["app:app", "--reload"])]),
            ("~/.local/bin/hypercorn a:b", &[("Hypercorn", "~/.local/bin/hypercorn", &["a:b"])]),
            ("/srv/venv/bin/granian --interface asgi main:app", &[("Granian", "/srv/venv/bin/granian", &["--interface", "asgi", "main:app"])]),
            ("python -m granian main:app", &[("Granian", "python -m granian", &["main:app"])]),
            ("python /usr/local/bin/granian main:app", &[("Granian", "python /usr/local/bin/granian", &["main:app"])]),
            ("daphne -b 0.0.0.0 proj.asgi:application", &[("Daphne", "daphne", &["-b", "0.0.0.0", "proj.asgi:application"])]),
            ("waitress-serve --listen=*:8080 app:app", &[("WaitressServe", "waitress-serve", &["--listen=*:8080", "app:app"])]),
            ("python -m waitress --port=80 a:b", &[("WaitressServe", "python -m waitress", &["--port=80", "a:b"])]),
            ("flask run --host 0.0.0.0", &[("FlaskRun", "flask run", &["--host", "0.0.0.0"])]),
            ("flask --app app --debug run -p 80", &[("FlaskRun", "flask --app app --debug run", &["--app", "app", "--debug", "-p", "80"])]),
            ("python -m flask run", &[("FlaskRun", "python -m flask run", &[])]),
            ("python3 -m flask --app x routes", &[("module:flask", "python3 -m flask", &["--app", "x", "routes"])]),
            ("flask db upgrade", &[("other:flask", "flask", &["db", "upgrade"])]),
            ("python manage.py runserver 0.0.0.0:8000", &[("DjangoRunserver", "python manage.py runserver", &["0.0.0.0:8000"])]),
            ("./manage.py runserver", &[("DjangoRunserver", "./manage.py runserver", &[])]),
            ("python /app/manage.py runserver --noreload", &[("DjangoRunserver", "python /app/manage.py runserver", &["--noreload"])]),
            ("django-admin runserver 8000", &[("DjangoRunserver", "django-admin runserver", &["8000"])]),
            ("python -m django runserver", &[("DjangoRunserver", "python -m django runserver", &[])]),
            ("python manage.py migrate --noinput", &[("script:manage.py", "python manage.py", &["migrate", "--noinput"])]),
            ("python -m http.server 8000", &[("HttpServer", "python -m http.server", &["8000"])]),
            ("python -m SimpleHTTPServer", &[("HttpServer", "python -m SimpleHTTPServer", &[])]),
            ("mod_wsgi-express start-server wsgi.py --port 80", &[("ModWsgiExpress", "mod_wsgi-express start-server", &["wsgi.py", "--port", "80"])]),
            ("mod_wsgi-express setup-server wsgi.py", &[("other:mod_wsgi-express setup-server", "mod_wsgi-express setup-server", &["wsgi.py"])]),
            ("python -m mod_wsgi.server start-server", &[("module:mod_wsgi.server", "python -m mod_wsgi.server", &["start-server"])]),
            ("python app.py", &[("script:app.py", "python app.py", &[])]),
            ("python3 -u /srv/app/main.py --x", &[("script:/srv/app/main.py", "python3 -u /srv/app/main.py", &["--x"])]),
            ("/usr/local/bin/python3.12 -B -X dev -W ignore -O run.py", &[("script:run.py", "/usr/local/bin/python3.12 -B -X dev -W ignore -O run.py", &[])]),
            ("pypy3 -m gunicorn app", &[("Gunicorn", "pypy3 -m gunicorn", &["app"])]),
            ("python -mgunicorn app", &[("Gunicorn", "python -mgunicorn", &["app"])]),
            ("python -um uvicorn a:b", &[("Uvicorn", "python -um uvicorn", &["a:b"])]),
            ("python -m celery -A proj worker", &[("module:celery", "python -m celery", &["-A", "proj", "worker"])]),
            ("python -c 'import x'", &[("other:python", "python", &["-c", "import x"])]),
            ("python", &[("other:python", "python", &[])]),
            ("python /usr/local/bin/gunicorn app", &[("Gunicorn", "python /usr/local/bin/gunicorn", &["app"])]),
            ("./app.py", &[("script:./app.py", "./app.py", &[])]),
            ("$CMD --x", &[("other:$CMD", "$CMD", &["--x"])]),
            ("\"$@\"", &[("other:$@", "\"$@\"", &[])]),
            ("${VENV}/bin/gunicorn app", &[("Gunicorn", "${VENV}/bin/gunicorn", &["app"])]),
            ("celery -A proj worker", &[("other:celery", "celery", &["-A", "proj", "worker"])]),
            // Negatives: mentioned, not launched.
            ("echo \"flask run\"", &[("other:echo", "echo", &["flask run"])]),
            ("# flask run", &[]),
            ("exec", &[]),
            ("FOO=1", &[]),
            // Several launches.
            ("python manage.py migrate && gunicorn app:app", &[("script:manage.py", "python manage.py", &["migrate"]), ("Gunicorn", "gunicorn", &["app:app"])]),
            ("cd /app; exec uvicorn a:b", &[("other:cd", "cd", &["/app"]), ("Uvicorn", "uvicorn", &["a:b"])]),
            // Wrappers.
            ("exec gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("exec -a web gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("nohup gunicorn app > log 2>&1 &", &[("Gunicorn", "gunicorn", &["app"])]),
            ("time -p gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("gosu app gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("su-exec app:app uvicorn a:b", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("s6-setuidgid app gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("tini -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("/usr/bin/tini -s -g -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("dumb-init --rewrite 15:2 gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("catatonit -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("sudo -u app -E gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("runuser -u app -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("su app -c 'gunicorn x'", &[("Gunicorn", "gunicorn", &["x"])]),
            ("su -s /bin/sh app", &[("other:su", "su", &["-s", "/bin/sh", "app"])]),
            ("poetry run gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("pipenv run python manage.py runserver", &[("DjangoRunserver", "python manage.py runserver", &[])]),
            ("uv run --with gunicorn gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("uv run -m flask run", &[("FlaskRun", "uv run -m flask run", &[])]),
            ("uv sync", &[("other:uv", "uv", &["sync"])]),
            ("uvx --from hypercorn hypercorn a:b", &[("Hypercorn", "hypercorn", &["a:b"])]),
            ("pdm run -p . uvicorn a:b", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("hatch run prod:gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("rye run flask run", &[("FlaskRun", "flask run", &[])]),
            ("newrelic-admin run-program gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("newrelic-admin run-python app.py", &[("script:app.py", "run-python app.py", &[])]),
            ("ddtrace-run gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("opentelemetry-instrument --traces_exporter console --metrics_exporter=none uvicorn a:b", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("exec tini -- gosu app poetry run python -m gunicorn x", &[("Gunicorn", "python -m gunicorn", &["x"])]),
            ("sh -c \"exec gunicorn -b :8000 app:app\"", &[("Gunicorn", "gunicorn", &["-b", ":8000", "app:app"])]),
            ("bash -lc 'cd /app && flask run'", &[("other:cd", "cd", &["/app"]), ("FlaskRun", "flask run", &[])]),
            ("/bin/sh -ec 'uvicorn a:b'", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("bash -o pipefail -c 'gunicorn x'", &[("Gunicorn", "gunicorn", &["x"])]),
            ("dash -c 'sh -c \"gunicorn x\"'", &[("Gunicorn", "gunicorn", &["x"])]),
            ("sh entrypoint.sh", &[("other:sh", "sh", &["entrypoint.sh"])]),
            ("sh -c 'migrate && exec \"$@\"' sh gunicorn -b :80 app", &[("other:migrate", "migrate", &[]), ("Gunicorn", "gunicorn", &["-b", ":80", "app"])]),
            ("sh -c 'exec \"$@\"'", &[]),
            ("sh -c 'echo $@'", &[("other:echo", "echo", &[])]),
            ("env -S 'gunicorn -w 2' app", &[("Gunicorn", "gunicorn", &["-w", "2", "app"])]),
            ("if [ -n \"$DEBUG\" ]; then flask run; else gunicorn app; fi", &[("other:[", "[", &["-n", "$DEBUG", "]"]), ("FlaskRun", "flask run", &[]), ("Gunicorn", "gunicorn", &["app"])]),
        ];
        for (src, want) in cases {
            check(src, &from_shell(&mt(src)), want);
        }
    }

    #[test]
    fn exec_form_table() {
        #[allow(clippy::type_complexity)]
        #[rustfmt::skip]
        let cases: &[(&str, &[(&str, &str, &[&str])])] = &[
            (r#"["python", "-m", "http.server", "8000"]"#, &[("HttpServer", r#""python", "-m", "http.server""#, &["8000"])]),
            (r#"["sh","-c","python manage.py runserver 0.0.0.0:8000"]"#, &[("DjangoRunserver", "python manage.py runserver", &["0.0.0.0:8000"])]),
            (r#"["FOO=1", "gunicorn"]"#, &[("other:FOO=1", r#""FOO=1""#, &["gunicorn"])]),
            (r#"["env", "FOO=1", "gunicorn", "a b"]"#, &[("Gunicorn", r#""gunicorn""#, &["a b"])]),
            (r#"["gunicorn", "--bind", "0.0.0.0:80", "app:app"]"#, &[("Gunicorn", r#""gunicorn""#, &["--bind", "0.0.0.0:80", "app:app"])]),
            (r#"["/usr/bin/tini", "--", "uvicorn", "a:b"]"#, &[("Uvicorn", r#""uvicorn""#, &["a:b"])]),
            (r#"["flask", "run", "echo ;"]"#, &[("FlaskRun", r#""flask", "run""#, &["echo ;"])]),
            (r#"[]"#, &[]),
        ];
        for (src, want) in cases {
            check(src, &from_exec(&exec_words(src)), want);
        }
    }

    /// Launch of a one-launch shell line.
    fn one(src: &str) -> Launch {
        let mut l = from_shell(&mt(src));
        assert_eq!(l.len(), 1, "input: {src:?}");
        l.remove(0)
    }

    #[test]
    fn options_with_spans() {
        // (input, names, expected value, expected original text under the value's span)
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], &str, &str)] = &[
            ("gunicorn --bind=127.0.0.1:8000 app", &["--bind", "-b"], "127.0.0.1:8000", "127.0.0.1:8000"),
            ("gunicorn -b0.0.0.0:80 app", &["--bind", "-b"], "0.0.0.0:80", "0.0.0.0:80"),
            ("gunicorn -b 0.0.0.0:80 app", &["--bind", "-b"], "0.0.0.0:80", "0.0.0.0:80"),
            ("gunicorn --bind \"0.0.0.0:8000\" app", &["--bind", "-b"], "0.0.0.0:8000", "\"0.0.0.0:8000\""),
            ("gunicorn --bind=\"0.0.0.0:8000\" app", &["--bind", "-b"], "0.0.0.0:8000", "\"0.0.0.0:8000\""),
            ("gunicorn -b a -b b app", &["--bind", "-b"], "b", "b"),
            ("uvicorn app:app --host 0.0.0.0 --port 8000", &["--port"], "8000", "8000"),
            ("flask --app hello run", &["--app", "-A"], "hello", "hello"),
            ("flask -A hello run -h 0.0.0.0", &["--host", "-h"], "0.0.0.0", "0.0.0.0"),
            ("sh -c \"exec gunicorn -b :8000 app:app\"", &["--bind", "-b"], ":8000", ":8000"),
            ("bash -c 'gunicorn --bind \"[::]:80\" x'", &["--bind", "-b"], "[::]:80", "\"[::]:80\""),
            ("sh -c \"gunicorn --bind \\\"0.0.0.0:80\\\" x\"", &["--bind"], "0.0.0.0:80", "\\\"0.0.0.0:80\\\""),
            ("gunicorn \\\n  --bind \\\n  0.0.0.0:80 \\\n  app", &["--bind"], "0.0.0.0:80", "0.0.0.0:80"),
            ("gunicorn --workers=4 --bi\\\nnd=x app", &["--bind"], "x", "x"),
            ("daphne -p 8001 a:b", &["--port", "-p"], "8001", "8001"),
            ("python -m http.server --bind 127.0.0.1 8000", &["--bind", "-b"], "127.0.0.1", "127.0.0.1"),
            ("waitress-serve --port 8080 a:b", &["--port"], "8080", "8080"),
            ("unknown --custom val", &["--custom"], "val", "val"),
        ];
        for (src, names, value, original) in cases {
            let l = one(src);
            let v = l
                .option(names)
                .unwrap_or_else(|| panic!("no option in {src:?}"));
            assert_eq!(v.as_str(), *value, "input: {src:?}");
            assert_eq!(&src[v.span().range()], *original, "input: {src:?}");
        }
        let l = one("gunicorn -b a --bind=b -bc app");
        let all: Vec<String> = l
            .options(&["--bind", "-b"])
            .iter()
            .map(|v| v.as_str().to_string())
            .collect();
        assert_eq!(all, ["a", "b", "c"]);
        assert!(one("gunicorn app").option(&["--bind", "-b"]).is_none());
        // A value-taking option at the very end has no value.
        assert!(one("gunicorn app --bind").option(&["--bind"]).is_none());
        // Short forms only when listed.
        assert!(one("gunicorn -b x app").option(&["--bind"]).is_none());
        // After `--` nothing is an option.
        assert!(one("uvicorn -- --port 1").option(&["--port"]).is_none());
    }

    #[test]
    fn flags_with_spans() {
        // (input, names, expected original text under the span, or None)
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("uvicorn app:app --reload", &["--reload"], Some("--reload")),
            ("flask --debug run", &["--debug"], Some("--debug")),
            ("flask run --debug", &["--debug"], Some("--debug")),
            ("flask --no-debug run", &["--debug"], None),
            ("gunicorn -R app", &["-R", "--enable-stdio-inheritance"], Some("-R")),
            ("gunicorn -Db :80 app", &["-D", "--daemon"], Some("-D")),
            ("python -m http.server -vR", &["-R"], Some("R")),
            ("uvicorn --reload=true a:b", &["--reload"], None),
            ("gunicorn --log-file --reload app", &["--reload"], None),
            ("sh -c 'exec uvicorn a:b --reload'", &["--reload"], Some("--reload")),
            ("python manage.py runserver --noreload", &["--noreload"], Some("--noreload")),
            ("uvicorn a:b -- --reload", &["--reload"], None),
        ];
        for (src, names, want) in cases {
            let got = one(src).flag(names).map(|s| &src[s.range()]);
            assert_eq!(got, *want, "input: {src:?}");
        }
    }

    #[test]
    fn positionals_skip_option_values() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("gunicorn -w 4 -k uvicorn.workers.UvicornWorker --bind=:80 app:app", &["app:app"]),
            ("gunicorn app:app -b :80 --reload", &["app:app"]),
            ("uvicorn --host 0.0.0.0 main:app --port 80", &["main:app"]),
            ("flask --app x run --port 80 --reload", &[]),
            ("python manage.py runserver -v 2 0.0.0.0:8000", &["0.0.0.0:8000"]),
            ("python -m http.server -d /srv 8080", &["8080"]),
            ("daphne -b 0.0.0.0 -p 80 proj.asgi:app", &["proj.asgi:app"]),
            ("hypercorn -w 2 -b :80 a:b", &["a:b"]),
            ("granian --interface wsgi --workers 4 --log-level info --reload main:app", &["main:app"]),
            ("granian --uds /run/a.sock --no-ws --access-log-fmt x a:b", &["a:b"]),
            ("waitress-serve --listen=*:80 --threads 8 a:b", &["a:b"]),
            ("mod_wsgi-express start-server --port 80 wsgi.py", &["wsgi.py"]),
            ("uvicorn -- -weird:app", &["-weird:app"]),
        ];
        for (src, want) in cases {
            let l = one(src);
            let got: Vec<&str> = l.positionals().iter().map(|m| m.as_str()).collect();
            assert_eq!(got, *want, "input: {src:?}");
        }
    }

    #[test]
    fn environment_assignments() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("VAR=1 flask run", &["VAR=1"]),
            ("env FLASK_DEBUG=1 flask run", &["FLASK_DEBUG=1"]),
            ("A=1 env -i B=2 -u C D=\"x y\" flask run", &["A=1", "B=2", "D=x y"]),
            ("sudo -u app DEBUG=1 flask run", &["DEBUG=1"]),
            ("A=1 sh -c 'B=2 flask run'", &["A=1", "B=2"]),
            ("A=1 true; flask run", &[]),
        ];
        for (src, want) in cases {
            let launches = from_shell(&mt(src));
            let l = launches.last().unwrap();
            assert_eq!(l.program, Program::FlaskRun, "input: {src:?}");
            let got: Vec<String> = l
                .env
                .iter()
                .map(|(n, v)| format!("{}={}", n.as_str(), v.as_str()))
                .collect();
            assert_eq!(got, *want, "input: {src:?}");
        }
        let src = "env FLASK_DEBUG=1 flask run";
        let (n, v) = &one(src).env[0];
        assert_eq!(
            (&src[n.span().range()], &src[v.span().range()]),
            ("FLASK_DEBUG", "1")
        );
        let src = "sh -c 'DEBUG=\"1\" exec flask run'";
        let (n, v) = &one(src).env[0];
        assert_eq!(
            (&src[n.span().range()], &src[v.span().range()]),
            ("DEBUG", "\"1\"")
        );
        let src = r#"["env", "DEBUG=1", "flask", "run"]"#;
        let l = from_exec(&exec_words(src));
        let (n, v) = &l[0].env[0];
        assert_eq!(
            (&src[n.span().range()], &src[v.span().range()]),
            ("\"DEBUG", "1\"")
        );
    }

    #[test]
    fn spans_inside_nested_quotes() {
        let src = "CMD sh -c \"exec gunicorn -b :8000 app:app\"";
        let line = MappedText::from_span(src, Span::new(4, src.len()));
        let l = &from_shell(&line)[0];
        assert_eq!(&src[l.program_span.range()], "gunicorn");
        let v = l.option(&["-b"]).unwrap();
        assert_eq!(v.span(), Span::new(28, 33));
        assert_eq!(&src[v.span().range()], ":8000");

        let src = r#"["sh","-c","python manage.py runserver 0.0.0.0:8000"]"#;
        let l = &from_exec(&exec_words(src))[0];
        assert_eq!(&src[l.positionals()[0].span().range()], "0.0.0.0:8000");

        let src = r#"["python", "-m", "http.server", "8000"]"#;
        let l = &from_exec(&exec_words(src))[0];
        assert_eq!(&src[l.positionals()[0].span().range()], "\"8000\"");
        assert_eq!(l.program, Program::HttpServer);
    }

    #[test]
    fn script_and_module_payloads() {
        let src = "python3 -u /srv/app/main.py";
        match one(src).program {
            Program::PythonScript { script } => {
                assert_eq!(&src[script.span().range()], "/srv/app/main.py")
            }
            p => panic!("{p:?}"),
        }
        let src = "python -m my.pkg --x";
        match one(src).program {
            Program::PythonModule { module } => assert_eq!(&src[module.span().range()], "my.pkg"),
            p => panic!("{p:?}"),
        }
        assert_eq!(one("ls -la").program, other("ls"));
    }

    #[test]
    fn malformed_input_never_panics() {
        let inputs = [
            "",
            "\\",
            "'",
            "\"",
            "sh -c",
            "sh -c '",
            "bash -c \"sh -c '",
            "env",
            "env -S",
            "env -u",
            "python -m",
            "python -X",
            "python -W",
            "python --",
            "python -",
            "gosu",
            "gosu u",
            "sudo -u",
            "runuser -u",
            "su -c",
            "poetry",
            "poetry run",
            "uv run -m",
            "hatch run :",
            "hatch run é:ü",
            "newrelic-admin",
            "newrelic-admin run-python",
            "flask",
            "flask --app",
            "manage.py",
            "mod_wsgi-express",
            "gunicorn -b",
            "gunicorn -",
            "gunicorn -é",
            "exec --",
            "time",
            "tini --",
            "$(",
            "python -mé",
            "python -é",
            "'é' -bé --é=é",
        ];
        let names: &[&str] = &["--bind", "-b", "-é", "--é"];
        for s in inputs {
            for l in from_shell(&mt(s))
                .iter()
                .chain(from_exec(&shell::words(&mt(s))).iter())
            {
                let _ = (
                    l.option(names),
                    l.options(names),
                    l.flag(names),
                    l.positionals(),
                );
                assert!(
                    l.program_span.end <= s.len() && l.program_span.start <= l.program_span.end
                );
            }
        }
        // Nesting that needs no quoting stops at MAX_DEPTH instead of recursing unboundedly.
        let deep = "hatch run a:".repeat(100_000) + "gunicorn x";
        assert!(from_shell(&mt(&deep)).is_empty());
        let shallow = "hatch run a:".repeat(3) + "gunicorn x";
        assert_eq!(from_shell(&mt(&shallow))[0].program, Program::Gunicorn);
        let nested = "sh -c 'bash -c \"dash -c gunicorn\"'";
        assert_eq!(from_shell(&mt(nested))[0].program, Program::Gunicorn);
        // Long wrapper chains are handled iteratively.
        let long = "exec ".repeat(100_000) + "gunicorn x";
        assert_eq!(from_shell(&mt(&long))[0].program, Program::Gunicorn);
    }
}
