//! Server settings a process reads from its environment: `GUNICORN_CMD_ARGS`, uvicorn's
//! `UVICORN_*` and Granian's `GRANIAN_*` options and `FORWARDED_ALLOW_IPS`, turned into the
//! command-line options they stand for so the concern rules judge them as they judge the
//! command line (and name the variable in their messages).

use crate::model::deployment::{Deployment, EnvVar, Process};
use crate::model::launcher::{Program, value_options};
use crate::source::MappedText;
use std::borrow::Cow;

/// uvicorn's boolean options (click reads `UVICORN_RELOAD=true` as `--reload`).
const UVICORN_FLAGS: &[&str] = &[
    "reload",
    "proxy-headers",
    "use-colors",
    "server-header",
    "date-header",
    "factory",
    "access-log",
];

/// Granian's boolean options whose variable is named after the option (click derives the
/// name from the parameter: `--access-log` is `GRANIAN_LOG_ACCESS_ENABLED`, so it is not
/// here).
const GRANIAN_FLAGS: &[&str] = &["reload", "factory"];

/// Granian's value options whose parameter is not named after the option, so that
/// `GRANIAN_<OPTION>` is not the variable it reads.
const GRANIAN_RENAMED: &[&str] = &["--access-log-fmt"];

/// The deployment with each server's environment settings put before its own arguments,
/// where its command line overrides them. Borrowed when no process reads any.
pub fn with_server_env(deployment: &Deployment) -> Cow<'_, Deployment> {
    let settled: Vec<(usize, Vec<(MappedText, String)>)> = deployment
        .processes
        .iter()
        .enumerate()
        .filter_map(|(i, process)| {
            let words = settings_of(process, &environment(deployment, process));
            (!words.is_empty()).then_some((i, words))
        })
        .collect();
    if settled.is_empty() {
        return Cow::Borrowed(deployment);
    }
    let mut out = deployment.clone();
    for (i, words) in settled {
        let old = &out.processes[i];
        let mut launch = old.launch.clone();
        let mut from_env: Vec<(crate::source::Span, String)> = Vec::new();
        for (word, var) in &words {
            if !from_env.iter().any(|(at, _)| *at == word.span()) {
                from_env.push((word.span(), var.clone()));
            }
        }
        launch
            .args
            .splice(0..0, words.into_iter().map(|(word, _)| word));
        let mut process = Process::new(launch, old.placement, old.origin);
        process.service = old.service;
        process.env_settings = from_env;
        out.processes[i] = process;
    }
    Cow::Owned(out)
}

/// The variables a process starts with: its service's (or the file's) and its own inline
/// assignments, later ones winning.
fn environment(deployment: &Deployment, process: &Process) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = deployment
        .env
        .iter()
        .filter(|v| v.service.is_none() || v.service == process.service)
        .cloned()
        .collect();
    vars.extend(process.launch.env.iter().map(|(name, value)| {
        EnvVar::new(
            name.as_str().to_string(),
            value.as_str().to_string(),
            name.span().cover(value.span()),
            process.origin,
        )
    }));
    vars
}

/// The options the environment gives `process`'s server, each word standing for the
/// variable that sets it, with that variable's name.
fn settings_of(process: &Process, env: &[EnvVar]) -> Vec<(MappedText, String)> {
    let program = &process.launch.program;
    let mut words = Vec::new();
    let last = |name: &str| env.iter().rev().find(|v| v.name == name);
    // Expanded when the process starts, from an environment the file does not give.
    let literal = |v: &&EnvVar| !v.value.contains(['$', '`']);
    let word =
        |text: &str, var: &EnvVar| (MappedText::standing_for(text, var.span), var.name.clone());
    match program {
        Program::Gunicorn => {
            // gunicorn reads it with shlex.split, below its command line.
            if let Some(var) = last("GUNICORN_CMD_ARGS").filter(literal) {
                let given = not_on_command_line(&process.launch, &shell_words(&var.value));
                words.extend(given.iter().map(|w| word(w, var)));
            }
        }
        // Both read `PREFIX_<OPTION>` through click's `auto_envvar_prefix`.
        Program::Uvicorn | Program::Granian => {
            let (prefix, flags, renamed): (&str, &[&str], &[&str]) = match program {
                Program::Uvicorn => ("UVICORN_", UVICORN_FLAGS, &[]),
                _ => ("GRANIAN_", GRANIAN_FLAGS, GRANIAN_RENAMED),
            };
            let mut seen = Vec::new();
            for var in env.iter().rev().filter(literal) {
                let Some(option) = var.name.strip_prefix(prefix) else {
                    continue;
                };
                let option = option.to_ascii_lowercase().replace('_', "-");
                if option.is_empty() || seen.contains(&option) {
                    continue;
                }
                seen.push(option.clone());
                let flag = format!("--{option}");
                // Only the server's own options: `UVICORN_FLAGS=--reload` is some script's.
                if flags.contains(&option.as_str()) {
                    if click_true(&var.value) {
                        words.push(word(&flag, var));
                    } else if option == "proxy-headers" && click_false(&var.value) {
                        // On by default: only turning it off changes anything.
                        words.push(word("--no-proxy-headers", var));
                    }
                } else if value_options(program).contains(&flag.as_str())
                    && !renamed.contains(&flag.as_str())
                {
                    words.push(word(&flag, var));
                    words.push(word(&var.value, var));
                }
            }
            if matches!(program, Program::Granian) {
                return words;
            }
        }
        _ => return words,
    }
    // Both servers take the default of `--forwarded-allow-ips` from this variable.
    if let Some(var) = last("FORWARDED_ALLOW_IPS").filter(literal) {
        words.insert(0, word("--forwarded-allow-ips", var));
        words.insert(1, word(&var.value, var));
    }
    words
}

/// gunicorn's options that accept several values (`--bind` twice binds twice): the command
/// line replaces the environment's whole list, so the environment's are dropped when the
/// command line gives the option.
const GUNICORN_ALIASES: &[&[&str]] = &[
    &["-b", "--bind"],
    &["-u", "--user"],
    &["-g", "--group"],
    &["-m", "--umask"],
    &["-e", "--env"],
];

/// The words of `env_args` whose options `launch`'s own command line does not give.
fn not_on_command_line(
    launch: &crate::model::launcher::Launch,
    env_args: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < env_args.len() {
        let arg = &env_args[i];
        let name = arg.split_once('=').map_or(arg.as_str(), |(n, _)| n);
        let takes_next = !arg.contains('=')
            && env_args
                .get(i + 1)
                .is_some_and(|next| !next.starts_with('-'))
            && name.starts_with('-');
        let names: Vec<&str> = GUNICORN_ALIASES
            .iter()
            .find(|group| group.contains(&name))
            .map_or_else(|| vec![name], |group| group.to_vec());
        let on_command_line = name.starts_with('-')
            && (launch.option(&names).is_some() || launch.flag(&names).is_some());
        let end = if takes_next { i + 2 } else { i + 1 };
        if !on_command_line {
            out.extend(env_args[i..end].iter().cloned());
        }
        i = end;
    }
    out
}

/// click's reading of a boolean environment variable.
fn click_true(value: &str) -> bool {
    ["1", "true", "t", "yes", "y", "on"]
        .iter()
        .any(|t| value.trim().eq_ignore_ascii_case(t))
}

fn click_false(value: &str) -> bool {
    ["0", "false", "f", "no", "n", "off"]
        .iter()
        .any(|t| value.trim().eq_ignore_ascii_case(t))
}

/// Python's `shlex.split`: whitespace-separated words, quotes removed, backslash escapes
/// outside single quotes.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    current.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => current.extend(chars.next()),
                        _ => current.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                current.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::shell_words;

    #[test]
    fn words_as_shlex_splits_them() {
        assert_eq!(
            shell_words("--bind 0.0.0.0:8000  --log-level=debug"),
            ["--bind", "0.0.0.0:8000", "--log-level=debug"]
        );
        assert_eq!(
            shell_words("-b '0.0.0.0:80' --access-logformat \"%(h)s \\\"x\\\"\""),
            ["-b", "0.0.0.0:80", "--access-logformat", "%(h)s \"x\""]
        );
        assert!(shell_words("   ").is_empty());
    }
}

#[cfg(test)]
mod rule_tests {
    use crate::rules::testing::{fires_once_in, quiet_in};

    const GUNICORN_UNIT: &str = "[Service]\nUser=app\nEnvironment=\"GUNICORN_CMD_ARGS=--bind 0.0.0.0:8000 --reload --log-level debug\"\nExecStart=/srv/venv/bin/gunicorn app:app\n";

    #[test]
    fn gunicorn_cmd_args_are_options() {
        let setting = "\"GUNICORN_CMD_ARGS=--bind 0.0.0.0:8000 --reload --log-level debug\"";
        for code in ["NET001", "DEV002", "DBG005"] {
            fires_once_in(code, &[("app.service", GUNICORN_UNIT, setting)]);
        }
        fires_once_in(
            "DEV002",
            &[(
                "Dockerfile",
                "FROM python\nUSER app\nENV GUNICORN_CMD_ARGS=\"--workers 4 --reload\"\nCMD [\"gunicorn\", \"app:app\"]\n",
                "GUNICORN_CMD_ARGS=\"--workers 4 --reload\"",
            )],
        );
    }

    #[test]
    fn uvicorn_reads_its_options_from_uvicorn_variables() {
        let unit = "[Service]\nUser=app\nEnvironment=UVICORN_HOST=0.0.0.0 UVICORN_RELOAD=true\nExecStart=/srv/venv/bin/uvicorn main:app\n";
        fires_once_in("NET001", &[("api.service", unit, "UVICORN_HOST=0.0.0.0")]);
        fires_once_in("DEV002", &[("api.service", unit, "UVICORN_RELOAD=true")]);
    }

    #[test]
    fn granian_reads_its_options_from_granian_variables() {
        let unit = "[Service]\nUser=app\nEnvironment=GRANIAN_HOST=0.0.0.0 GRANIAN_RELOAD=yes GRANIAN_LOG_LEVEL=debug\nExecStart=/srv/venv/bin/granian --interface asgi main:app\n";
        fires_once_in("NET001", &[("api.service", unit, "GRANIAN_HOST=0.0.0.0")]);
        fires_once_in("DEV002", &[("api.service", unit, "GRANIAN_RELOAD=yes")]);
        fires_once_in(
            "DBG005",
            &[("api.service", unit, "GRANIAN_LOG_LEVEL=debug")],
        );
        // The command line's own --host and --no-reload come after the environment's.
        let overridden = "[Service]\nUser=app\nEnvironment=GRANIAN_HOST=0.0.0.0 GRANIAN_RELOAD=1\nExecStart=/srv/venv/bin/granian --host 127.0.0.1 --no-reload main:app\n";
        for code in ["NET001", "DEV002"] {
            quiet_in(code, &[("api.service", overridden)]);
        }
    }

    /// A finding that comes from a variable names it, not only the line that starts the
    /// server.
    #[test]
    fn findings_from_the_environment_name_the_variable() {
        let message = |code: &str, text: &str| {
            let found = crate::rules::testing::diagnostics(code, "app.service", text);
            assert_eq!(found.len(), 1, "{code}: {found:?}");
            found[0].message.clone()
        };
        let unit = GUNICORN_UNIT;
        assert_eq!(
            message("NET001", unit),
            "GUNICORN_CMD_ARGS makes the server ExecStart= starts listen on 0.0.0.0, exposing it on every network interface"
        );
        assert_eq!(
            message("DEV002", unit),
            "GUNICORN_CMD_ARGS starts gunicorn with its auto-reloader"
        );
        assert_eq!(
            message("DBG005", unit),
            "GUNICORN_CMD_ARGS makes gunicorn log at level debug (started by ExecStart=)"
        );
        let proxy = "[Service]\nUser=app\nEnvironment=FORWARDED_ALLOW_IPS=*\nExecStart=/srv/venv/bin/uvicorn --host 0.0.0.0 main:app\n";
        assert!(
            message("WSG010", proxy).starts_with(
                "FORWARDED_ALLOW_IPS makes the server ExecStart= starts trust X-Forwarded-For"
            ),
            "{}",
            message("WSG010", proxy)
        );
        // The command line's own option is still "ExecStart= starts …".
        let own = "[Service]\nUser=app\nEnvironment=UVICORN_RELOAD=1\nExecStart=/srv/venv/bin/uvicorn --host 0.0.0.0 main:app\n";
        assert!(message("NET001", own).starts_with("ExecStart= starts a server that listens"));
    }

    #[test]
    fn what_the_environment_does_not_decide_stays_quiet() {
        for code in ["NET001", "DEV002"] {
            quiet_in(
                code,
                &[
                    // Worker counts and a port alone are not binds; false is false.
                    (
                        "api.service",
                        "[Service]\nUser=app\nEnvironment=WEB_CONCURRENCY=4 UVICORN_PORT=8000 UVICORN_RELOAD=false\nExecStart=/srv/venv/bin/uvicorn main:app\n",
                    ),
                    // The command line's --bind replaces the environment's.
                    (
                        "app.service",
                        "[Service]\nUser=app\nEnvironment=\"GUNICORN_CMD_ARGS=--bind 0.0.0.0:8000\"\nExecStart=/srv/venv/bin/gunicorn --bind 127.0.0.1:8000 app:app\n",
                    ),
                    // Another program does not read gunicorn's variable.
                    (
                        "app.service",
                        "[Service]\nUser=app\nEnvironment=\"GUNICORN_CMD_ARGS=--bind 0.0.0.0:8000 --reload\"\nExecStart=/srv/venv/bin/uvicorn main:app\n",
                    ),
                    // Not an option of uvicorn's: some wrapper script's variable.
                    (
                        "api.service",
                        "[Service]\nUser=app\nEnvironment=UVICORN_FLAGS=--reload UVICORN_BIND=0.0.0.0\nExecStart=/srv/venv/bin/uvicorn main:app\n",
                    ),
                    // Granian reads GRANIAN_*, not uvicorn's variables.
                    (
                        "app.service",
                        "[Service]\nUser=app\nEnvironment=UVICORN_HOST=0.0.0.0 UVICORN_RELOAD=1 GUNICORN_CMD_ARGS=--reload\nExecStart=/srv/venv/bin/granian main:app\n",
                    ),
                    // Nor a GRANIAN_ variable that names no option of its own.
                    (
                        "app.service",
                        "[Service]\nUser=app\nEnvironment=GRANIAN_BIND=0.0.0.0 GRANIAN_FLAGS=--reload GRANIAN_RELOAD=off\nExecStart=/srv/venv/bin/granian main:app\n",
                    ),
                    // hypercorn reads no such variable.
                    (
                        "app.service",
                        "[Service]\nUser=app\nEnvironment=UVICORN_HOST=0.0.0.0 UVICORN_RELOAD=1\nExecStart=/srv/venv/bin/hypercorn main:app\n",
                    ),
                    // Left to a variable the unit does not set.
                    (
                        "app.service",
                        "[Service]\nUser=app\nEnvironment=\"GUNICORN_CMD_ARGS=$EXTRA\"\nExecStart=/srv/venv/bin/gunicorn app:app\n",
                    ),
                ],
            );
        }
    }
}
