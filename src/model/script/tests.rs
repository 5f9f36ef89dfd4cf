//! The script reader: which command each way through a script ends in, and as whom.

use super::*;
use crate::source::Span;

fn mt(s: &str) -> MappedText {
    MappedText::from_span(s, Span::new(0, s.len()))
}

/// CMD words for the positional parameters (spans are irrelevant here).
fn params(words: &[&str]) -> Vec<MappedText> {
    words.iter().map(|w| mt(w)).collect()
}

/// The final launches as `program` or `program as user`, sorted; plus whether some way ends
/// without one.
fn finals(script: &str, cmd: Option<&[&str]>) -> (Vec<String>, bool) {
    let cmd = cmd.map(params);
    let run = run(&mt(script), cmd.as_deref());
    let mut got: Vec<String> = run
        .final_launches()
        .into_iter()
        .map(|l| {
            let program = match &l.program {
                Program::Other { name } => name.clone(),
                Program::PythonScript { script } => format!("script:{}", script.as_str()),
                p => format!("{p:?}"),
            };
            match &l.runs_as {
                Some(r) => format!("{program} as {}", r.user.as_str()),
                None => program,
            }
        })
        .collect();
    got.sort();
    (got, run.may_end_without_launch())
}

#[test]
#[allow(clippy::type_complexity)]
fn exec_of_the_command_it_is_handed() {
    let cases: &[(&str, Option<&[&str]>, &[&str])] = &[
        (
            "#!/bin/sh\nset -e\nexec \"$@\"\n",
            Some(&["gunicorn", "app:app"]),
            &["Gunicorn"],
        ),
        ("#!/bin/sh\nset -e\nexec \"$@\"\n", None, &["$@"]),
        ("exec gunicorn -b :80 app:app", None, &["Gunicorn"]),
        (
            "python manage.py migrate\nexec gunicorn app",
            None,
            &["Gunicorn"],
        ),
        // Without exec, the last server it runs is what it ends in.
        (
            "python manage.py migrate --noinput\ngunicorn app",
            None,
            &["Gunicorn"],
        ),
        // Line continuations and comments.
        (
            "# exec flask run\nexec \\\n  uvicorn \\\n  main:app # trailing\n",
            None,
            &["Uvicorn"],
        ),
        (
            "exec gosu app \"$@\"",
            Some(&["gunicorn", "app"]),
            &["Gunicorn as app"],
        ),
        (
            "exec su-exec app:app \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as app:app"],
        ),
        (
            "exec s6-setuidgid app \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as app"],
        ),
        (
            "exec setpriv --reuid=app --regid=app --init-groups \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as app"],
        ),
        (
            "exec setpriv --reuid 1000 --regid 1000 --clear-groups -- \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as 1000"],
        ),
        (
            "exec runuser -u app -- \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as app"],
        ),
        (
            "exec chpst -u app:app \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as app:app"],
        ),
        (
            "exec chpst -uapp \"$@\"",
            Some(&["gunicorn"]),
            &["Gunicorn as app"],
        ),
        ("exec su app -c 'gunicorn app'", None, &["Gunicorn as app"]),
        (
            "exec su -s /bin/sh -c 'exec gunicorn app' app",
            None,
            &["Gunicorn as app"],
        ),
        (
            "exec sudo -u app -E gunicorn app",
            None,
            &["Gunicorn as app"],
        ),
        (
            "exec sudo --user=app gunicorn app",
            None,
            &["Gunicorn as app"],
        ),
        // sudo without -u, setpriv without --reuid: no account switch.
        ("exec sudo gunicorn app", None, &["Gunicorn"]),
        (
            "exec setpriv --no-new-privs gunicorn app",
            None,
            &["Gunicorn"],
        ),
        // The innermost switch wins.
        (
            "exec gosu app gosu root gunicorn app",
            None,
            &["Gunicorn as root"],
        ),
        (
            "exec tini -- gosu app \"$@\"",
            Some(&["uvicorn", "a:b"]),
            &["Uvicorn as app"],
        ),
        // `set --` replaces the parameters.
        (
            "set -- gunicorn \"$@\"\nexec \"$@\"",
            Some(&["app:app"]),
            &["Gunicorn"],
        ),
        (
            "shift\nexec \"$@\"",
            Some(&["web", "gunicorn", "app"]),
            &["Gunicorn"],
        ),
    ];
    for (script, cmd, want) in cases {
        let (got, _) = finals(script, *cmd);
        assert_eq!(got, *want, "script: {script:?}");
    }
}

/// The docker-library pattern: options as the first argument go to the server, and only
/// the server's own command drops privileges.
#[test]
fn branches_decided_by_the_first_argument() {
    let script = r#"#!/bin/bash
set -e
# first arg is `-f` or `--some-option`
if [ "${1#-}" != "$1" ]; then
	set -- gunicorn "$@"
fi
if [ "$1" = 'gunicorn' ] && [ "$(id -u)" = '0' ]; then
	chown -R app /data
	exec gosu app "$@"
fi
exec "$@"
"#;
    assert_eq!(
        finals(script, Some(&["gunicorn", "app:app"])).0,
        ["Gunicorn as app"]
    );
    assert_eq!(
        finals(script, Some(&["--bind", ":80"])).0,
        ["Gunicorn as app"]
    );
    // Another command skips the drop: it runs as root.
    assert_eq!(finals(script, Some(&["flask", "run"])).0, ["FlaskRun"]);
    // Unknown parameters: every way (`set -- gunicorn "$@"` makes `$1` known again).
    assert_eq!(
        finals(script, None).0,
        ["$@", "$@ as app", "Gunicorn as app"]
    );
}

#[test]
fn a_drop_only_for_the_worker_leaves_the_server_root() {
    let script =
        "#!/bin/sh\nif [ \"$1\" = 'celery' ]; then\n  exec gosu app \"$@\"\nfi\nexec \"$@\"\n";
    assert_eq!(finals(script, Some(&["gunicorn", "app"])).0, ["Gunicorn"]);
    assert_eq!(
        finals(script, Some(&["celery", "worker"])).0,
        ["celery as app"]
    );
    // A condition deploylint cannot decide is followed both ways.
    let script = "if [ -n \"$RUN_AS_APP\" ]; then exec gosu app \"$@\"; fi\nexec \"$@\"";
    assert_eq!(
        finals(script, Some(&["gunicorn", "app"])).0,
        ["Gunicorn", "Gunicorn as app"]
    );
}

#[test]
fn case_functions_and_and_or_lists() {
    let script = r#"#!/bin/sh
_main() {
	case "$1" in
		web|serve) shift; exec gosu app gunicorn "$@" ;;
		worker) exec gosu app celery -A proj worker ;;
		dev) exec flask run --host 0.0.0.0 ;;
		*) exec "$@" ;;
	esac
}
_main "$@"
"#;
    assert_eq!(
        finals(script, Some(&["web", "app:app"])).0,
        ["Gunicorn as app"]
    );
    assert_eq!(finals(script, Some(&["dev"])).0, ["FlaskRun"]);
    assert_eq!(finals(script, Some(&["uvicorn", "a:b"])).0, ["Uvicorn"]);
    assert_eq!(
        finals(script, None).0,
        ["$@", "FlaskRun", "Gunicorn as app", "celery as app"]
    );
    // `cmd && exec x || exit 1`; `exit` ends a way without a launch.
    let (got, open) = finals("[ -f /app/ready ] && exec gunicorn app\nexit 1", None);
    assert_eq!(got, ["Gunicorn"]);
    assert!(open);
    let (got, open) = finals("[ \"$1\" = x ] || exit 1\nexec gunicorn app", Some(&["y"]));
    assert!(got.is_empty() && open);
    // `function name { … }`, return, until loops, subshells.
    let script = "function start {\n  return\n  exec flask run\n}\nstart\nuntil nc -z db 5432; do sleep 1; done\n(cd /app)\nexec uvicorn a:b";
    assert_eq!(finals(script, None).0, ["Uvicorn"]);
}

#[test]
fn else_and_elif_arms() {
    let script = "if [ \"$1\" = a ]; then exec gunicorn a\nelif [ \"$1\" = b ]; then exec uvicorn b\nelse exec flask run\nfi";
    assert_eq!(finals(script, Some(&["a"])).0, ["Gunicorn"]);
    assert_eq!(finals(script, Some(&["b"])).0, ["Uvicorn"]);
    assert_eq!(finals(script, Some(&["c"])).0, ["FlaskRun"]);
    assert_eq!(finals(script, Some(&[])).0, ["FlaskRun"]);
    let script = "if ! [ \"$1\" = a ]; then exec gunicorn a; fi; exec uvicorn b";
    assert_eq!(finals(script, Some(&["a"])).0, ["Uvicorn"]);
    let script = "if [ $# -eq 0 ]; then set -- gunicorn app; fi\nexec \"$@\"";
    assert_eq!(finals(script, Some(&[])).0, ["Gunicorn"]);
    assert_eq!(finals(script, Some(&["uvicorn", "x:y"])).0, ["Uvicorn"]);
    let script = "if [[ \"$1\" == gunicorn* ]]; then exec gosu app \"$@\"; fi; exec \"$@\"";
    assert_eq!(finals(script, Some(&["gunicorn"])).0, ["Gunicorn as app"]);
}

#[test]
fn spans_point_into_the_script() {
    let script = "#!/bin/sh\nexec gosu app flask run --host 0.0.0.0\n";
    // The script in its own span space, after a 100-byte file.
    let mut text = MappedText::new(101);
    text.push_str(script, 101);
    let run = run(&text, None);
    let launch = run.final_launches()[0];
    let at = |span: Span| &script[span.start - 101..span.end - 101];
    assert_eq!(at(launch.program_span), "flask run");
    assert_eq!(at(launch.runs_as.as_ref().unwrap().user.span()), "app");
}

#[test]
fn hostile_scripts_stay_bounded() {
    // Deep nesting, many branches, recursion.
    let deep = "if a; then ".repeat(5_000) + "exec gunicorn x" + &"; fi".repeat(5_000);
    let _ = run(&mt(&deep), None);
    let wide = "if a; then b; fi\n".repeat(200) + "exec gunicorn x";
    let r = run(&mt(&wide), None);
    assert!(r.truncated || !r.endings.is_empty());
    let recursive = "f() { f; g; }\ng() { f; }\nf";
    let _ = run(&mt(recursive), None);
    let case_deep = "case x in ".repeat(2_000);
    let _ = run(&mt(&case_deep), None);
    for s in [
        "", "fi", "esac", ")", "}", "then", "if", "case", "f()", "function", ";;", "!",
    ] {
        let _ = run(&mt(s), Some(&[]));
    }
}

#[test]
fn which_launches_run_a_script() {
    let got = |line: &str| {
        crate::model::launcher::from_shell(&mt(line))
            .iter()
            .filter_map(script_of)
            .map(|(s, args)| {
                let args: Vec<&str> = args.iter().map(MappedText::as_str).collect();
                format!("{} {}", s.as_str(), args.join(" "))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        got("/entrypoint.sh gunicorn app"),
        ["/entrypoint.sh gunicorn app"]
    );
    assert_eq!(got("./start"), ["./start "]);
    assert_eq!(got("docker-entrypoint.sh"), ["docker-entrypoint.sh "]);
    assert_eq!(got("sh -e scripts/start.sh x"), ["scripts/start.sh x"]);
    assert_eq!(got("bash /srv/run.sh"), ["/srv/run.sh "]);
    assert_eq!(got("tini -- /entrypoint.sh"), ["/entrypoint.sh "]);
    assert!(got("celery worker").is_empty());
    assert!(got("gunicorn app").is_empty());
    assert!(got("$APP_START").is_empty());
}
