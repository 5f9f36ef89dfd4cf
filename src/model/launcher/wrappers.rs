//! The commands a launch is looked through to reach the program they start: `exec`, `env`,
//! `sudo`, `gosu`, `su -c`, `sh -c`, process supervisors, `poetry run` and other runners.

use super::programs::{is_python, named, python, python_module};
use super::{Env, Launch, MAX_DEPTH, RunAs, basename, command, rest, text};
use crate::source::MappedText;
use crate::syntax::shell;

/// Value-taking options of `poetry`/`uv`/`pdm`/`hatch`/`rye`/`pipx` before and after `run`.
#[rustfmt::skip]
pub(super) const RUNNER: &[&str] = &[
    "-C", "--directory", "-P", "--project", "--with", "--with-requirements", "--with-editable",
    "--env-file", "--python", "-p", "--package", "--extra", "--no-extra", "--group",
    "--only-group", "--no-group", "--index", "--index-url", "--extra-index-url",
    "--default-index", "--find-links", "-f", "--cache-dir", "--config-file", "--venv",
    "--pyproject", "--exclude-newer", "--upgrade-package", "--reinstall-package",
    "--refresh-package", "--config-setting", "--resolution", "--prerelease", "--link-mode",
    "--python-platform", "--index-strategy", "--keyring-provider", "--color", "--from",
    "--spec", "--pip-args",
];
#[rustfmt::skip]
pub(super) const SUDO: &[&str] = &[
    "-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-p", "--prompt",
    "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user", "-R",
    "--chroot",
];

/// Index of the first word after the options starting at `j` (a `--` is consumed).
pub(super) fn skip_options(words: &[MappedText], mut j: usize, value_opts: &[&str]) -> usize {
    while let Some(t) = text(words, j) {
        if t == "--" {
            return j + 1;
        }
        if t == "-" || !t.starts_with('-') {
            break;
        }
        j += if value_opts.contains(&t) { 2 } else { 1 };
    }
    j
}

/// Value-taking options of `setpriv` (util-linux).
#[rustfmt::skip]
const SETPRIV: &[&str] = &[
    "--reuid", "--ruid", "--euid", "--regid", "--rgid", "--egid", "--groups", "--inh-caps",
    "--ambient-caps", "--bounding-set", "--securebits", "--pdeathsig", "--selinux-label",
    "--apparmor-profile", "--landlock-access", "--landlock-rule",
];
/// Value-taking options of runit's `chpst`.
#[rustfmt::skip]
const CHPST: &[&str] = &[
    "-u", "-U", "-b", "-e", "-/", "-C", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c",
    "-r", "-t",
];

/// Looks through wrappers at `words` and records the launch it ends in, with the account
/// the innermost privilege-dropping wrapper switches to.
pub(super) fn resolve(words: &[MappedText], env: Env, depth: usize, out: &mut Vec<Launch>) {
    let start = out.len();
    let mut drops = Vec::new();
    resolve_words(words, env, depth, out, &mut drops);
    if let Some(drop) = drops.pop() {
        // Launches found deeper already carry their own (inner) drop.
        for launch in out[start..].iter_mut().filter(|l| l.runs_as.is_none()) {
            launch.runs_as = Some(drop.clone());
        }
    }
}

fn drop_to(drops: &mut Vec<RunAs>, user: Option<&MappedText>, tool: &str) {
    if let Some(user) = user {
        drops.push(RunAs {
            user: user.clone(),
            tool: tool.to_string(),
        });
    }
}

fn resolve_words(
    words: &[MappedText],
    mut env: Env,
    depth: usize,
    out: &mut Vec<Launch>,
    drops: &mut Vec<RunAs>,
) {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let name = basename(w.as_str());
        i = match name {
            "exec" => skip_options(words, i + 1, &["-a"]),
            "nohup" | "command" | "ddtrace-run" => skip_options(words, i + 1, &[]),
            "time" => skip_options(words, i + 1, &["-f", "--format", "-o", "--output"]),
            "nice" => skip_options(words, i + 1, &["-n", "--adjustment"]),
            "tini" | "tini-static" | "dumb-init" | "catatonit" => {
                skip_options(words, i + 1, &["-p", "-e", "-r", "--rewrite"])
            }
            "gosu" | "su-exec" | "s6-setuidgid" => {
                drop_to(drops, words.get(i + 1), name);
                i + 2
            }
            "sudo" => {
                let mut user = None;
                let j = sudo(words, i + 1, &mut env, &mut user);
                // Without `-u`, sudo runs the command as root.
                drop_to(drops, user.as_ref(), name);
                j
            }
            "setpriv" => setpriv(words, i + 1, drops),
            "chpst" => {
                let j = skip_options(words, i + 1, CHPST);
                let user = options_in(words, i + 1, j, &["-u"], CHPST);
                drop_to(drops, user.as_ref(), name);
                j
            }
            "opentelemetry-instrument" => otel(words, i + 1),
            "newrelic-admin" => match text(words, i + 1) {
                Some("run-program") => i + 2,
                Some("run-python") => return python(words, i + 1, &env, out),
                _ => return named(words, i, None, &env, out),
            },
            "env" => match env_prefix(words, i + 1, &mut env, depth, out) {
                Some(j) => j,
                None => return,
            },
            "su" | "runuser" => match su_like(words, i, &env, depth, out, drops) {
                Some(j) => j,
                None => return,
            },
            "poetry" | "pipenv" | "uv" | "uvx" | "pdm" | "hatch" | "rye" | "pipx" => {
                match runner(words, i, &env, depth, out) {
                    Some(j) => j,
                    None => return,
                }
            }
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" => {
                return shell_c(words, i, &env, depth, out);
            }
            _ if is_python(name) => return python(words, i, &env, out),
            _ => return named(words, i, None, &env, out),
        };
    }
}

/// The value of the last of `names` among the options in `words[from..to]`, however written
/// (`-u app`, `--reuid=app`, `-uapp` for a one-letter option).
fn options_in(
    words: &[MappedText],
    from: usize,
    to: usize,
    names: &[&str],
    value_opts: &[&str],
) -> Option<MappedText> {
    let mut found = None;
    let mut j = from;
    while j < to.min(words.len()) {
        let w = &words[j];
        let t = w.as_str();
        if let Some(name) = names.iter().find(|n| t == **n) {
            found = words
                .get(j + 1)
                .cloned()
                .filter(|_| value_opts.contains(name));
            j += 2;
            continue;
        }
        if let Some(name) = names.iter().find(|n| {
            t.len() > n.len()
                && t.starts_with(**n)
                && (n.starts_with("--") && t.as_bytes()[n.len()] == b'='
                    || !n.starts_with("--") && n.len() == 2)
        }) {
            let at = name.len() + usize::from(name.starts_with("--"));
            found = Some(w.sub(at..t.len()));
        }
        j += if value_opts.contains(&t) { 2 } else { 1 };
    }
    found
}

/// `setpriv [--reuid U] [--regid G] [--init-groups] … X`: a drop when it sets the real user.
fn setpriv(words: &[MappedText], from: usize, drops: &mut Vec<RunAs>) -> usize {
    let mut j = from;
    while let Some(t) = text(words, j) {
        if t == "--" {
            j += 1;
            break;
        }
        if !t.starts_with('-') {
            break;
        }
        j += if SETPRIV.contains(&t) { 2 } else { 1 };
    }
    let user = options_in(words, from, j, &["--reuid", "--ruid"], SETPRIV);
    drop_to(drops, user.as_ref(), "setpriv");
    j
}

pub(super) fn sudo(
    words: &[MappedText],
    mut j: usize,
    env: &mut Env,
    user: &mut Option<MappedText>,
) -> usize {
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        if t == "--" {
            return j + 1;
        }
        if t.len() > 1 && t.starts_with('-') {
            if matches!(t, "-u" | "--user") {
                *user = words.get(j + 1).cloned();
            } else if let Some(v) = t.strip_prefix("--user=") {
                *user = Some(w.sub(t.len() - v.len()..t.len()));
            }
            j += if SUDO.contains(&t) { 2 } else { 1 };
        } else if let Some(a) = shell::assignment(w) {
            env.push(a);
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// `opentelemetry-instrument --traces_exporter console X`: all its options take a value.
pub(super) fn otel(words: &[MappedText], mut j: usize) -> usize {
    while let Some(t) = text(words, j) {
        if t == "--" {
            return j + 1;
        }
        if t.starts_with("--") && !t.contains('=') {
            j += 2;
        } else if t.starts_with('-') {
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// `env [-i] [-u NAME] [NAME=value…] X`; `env -S "X args"` re-splits its string.
pub(super) fn env_prefix(
    words: &[MappedText],
    mut j: usize,
    env: &mut Env,
    depth: usize,
    out: &mut Vec<Launch>,
) -> Option<usize> {
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        let split = match t {
            "-S" | "--split-string" => words.get(j + 1).cloned().map(|s| (s, j + 2)),
            _ if t.starts_with("--split-string=") => Some((w.sub(15..t.len()), j + 1)),
            _ if t.starts_with("-S") => Some((w.sub(2..t.len()), j + 1)),
            _ => None,
        };
        if let Some((s, after)) = split {
            if depth < MAX_DEPTH {
                let mut argv = shell::words(&shell::script_text(&s));
                argv.extend_from_slice(rest(words, after));
                resolve(&argv, env.clone(), depth + 1, out);
            }
            return None;
        }
        match t {
            "-u" | "--unset" | "-C" | "--chdir" => j += 2,
            _ if t.starts_with('-') => j += 1,
            _ => match shell::assignment(w) {
                Some(a) => {
                    env.push(a);
                    j += 1;
                }
                None => break,
            },
        }
    }
    Some(j)
}

/// `su [-] [user] -c CMD`, `runuser -u USER [--] X`, `runuser -l user -c CMD`. The user
/// (root when `su` names none) is recorded as the account the command runs as.
pub(super) fn su_like(
    words: &[MappedText],
    i: usize,
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
    drops: &mut Vec<RunAs>,
) -> Option<usize> {
    let mut j = i + 1;
    let mut user_opt = false;
    let mut user_seen = false;
    let mut user = None;
    let mut script = None;
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        match t {
            "--" => {
                j += 1;
                break;
            }
            "-c" | "--command" | "--session-command" => {
                script = words.get(j + 1).cloned();
                j += 2;
            }
            "-u" | "--user" => {
                user_opt = true;
                user = words.get(j + 1).cloned();
                j += 2;
            }
            "-g"
            | "--group"
            | "-G"
            | "--supp-group"
            | "-s"
            | "--shell"
            | "-w"
            | "--whitelist-environment" => j += 2,
            _ if t.starts_with("--command=") => {
                script = Some(w.sub(10..t.len()));
                j += 1;
            }
            _ if t.starts_with('-') => j += 1,
            _ if !user_opt && !user_seen => {
                user_seen = true;
                user = Some(w.clone());
                j += 1;
            }
            _ => break,
        }
    }
    let tool = basename(words[i].as_str());
    if let Some(script) = script {
        let start = out.len();
        run_script(&script, &[], env, depth, out);
        if let Some(user) = user {
            for launch in out[start..].iter_mut().filter(|l| l.runs_as.is_none()) {
                launch.runs_as = Some(RunAs {
                    user: user.clone(),
                    tool: tool.to_string(),
                });
            }
        }
        return None;
    }
    if user_opt {
        drop_to(drops, user.as_ref(), tool);
        return Some(j);
    }
    named(words, i, None, env, out);
    None
}

/// Re-splits a `-c` script and records its launches with the outer environment. `params`
/// are the script's positional parameters (`$1`…): an exact `$@` or `$*` word expands to
/// them, as in the `sh -c '… exec "$@"' sh gunicorn app` entrypoint idiom.
pub(super) fn run_script(
    script: &MappedText,
    params: &[MappedText],
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for mut cmd in shell::split_commands(&shell::script_text(script)) {
        if cmd.words.iter().any(|w| matches!(w.as_str(), "$@" | "$*")) {
            cmd.words = cmd
                .words
                .into_iter()
                .flat_map(|w| match w.as_str() {
                    "$@" | "$*" => params.to_vec(),
                    _ => vec![w],
                })
                .collect();
        }
        command(&cmd, env, depth + 1, out);
    }
}

/// `sh [-e] [-o opt] -c SCRIPT`, `bash -lc SCRIPT`; a shell running a file is `Other`.
pub(super) fn shell_c(
    words: &[MappedText],
    i: usize,
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
) {
    let mut j = i + 1;
    let mut has_c = false;
    while let Some(t) = text(words, j) {
        if t == "--" || t == "-" {
            j += 1;
            break;
        }
        if t.starts_with("--") {
            j += if matches!(t, "--rcfile" | "--init-file") {
                2
            } else {
                1
            };
        } else if t.len() > 1 && (t.starts_with('-') || t.starts_with('+')) {
            let letters = &t[1..];
            has_c |= t.starts_with('-') && letters.contains('c');
            // `-o pipefail` / `-O extglob` take the next word.
            j += 1 + usize::from(letters.contains(['o', 'O']));
        } else {
            break;
        }
    }
    if has_c && depth < MAX_DEPTH {
        if let Some(script) = words.get(j) {
            // After the script come `$0` and then the positional parameters.
            run_script(script, rest(words, j + 2), env, depth, out);
        }
        return;
    }
    named(words, i, None, env, out);
}

/// `poetry run X`, `uv run [--with x] X`, `uv run -m MOD`, `uvx X`, `hatch run [env:]X`, ….
pub(super) fn runner(
    words: &[MappedText],
    i: usize,
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
) -> Option<usize> {
    let tool = basename(words[i].as_str());
    let mut j = i + 1;
    if tool != "uvx" {
        j = skip_options(words, j, RUNNER);
        if tool == "uv" && text(words, j) == Some("tool") {
            j += 1;
        }
        if text(words, j) != Some("run") {
            named(words, i, None, env, out);
            return None;
        }
        j += 1;
    }
    let mut module = false;
    while let Some(t) = text(words, j) {
        if t == "--" {
            j += 1;
            break;
        }
        if t == "-" || !t.starts_with('-') {
            break;
        }
        module |= tool == "uv" && matches!(t, "-m" | "--module");
        j += if RUNNER.contains(&t) { 2 } else { 1 };
    }
    if module {
        if let Some(m) = words.get(j) {
            python_module(words, m.clone(), j + 1, words[i].span(), env, out);
        }
        return None;
    }
    if tool == "hatch"
        && let Some(w) = words.get(j)
        && let Some(colon) = w.as_str().find(':')
        && colon > 0
        && !w.as_str()[..colon].contains('/')
    {
        // `hatch run ENV:CMD`: drop the environment name.
        if depth < MAX_DEPTH {
            let mut argv = vec![w.sub(colon + 1..w.as_str().len())];
            argv.extend_from_slice(rest(words, j + 1));
            resolve(&argv, env.clone(), depth + 1, out);
        }
        return None;
    }
    Some(j)
}
