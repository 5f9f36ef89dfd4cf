//! FS001: the image or the app's code makes files world-writable (`chmod 777`, `chmod o+w`,
//! `COPY --chmod=666`, `os.chmod(path, 0o666)`), so any process or local user can rewrite
//! them.

use crate::catalog::Format;
use crate::model::deployment::{PathKind, Placement};
use crate::model::python::Semantic;
use crate::rules::{FileContext, Rule, Sink, View};
use crate::source::MappedText;

pub const RULE: Rule = Rule {
    code: "FS001",
    check,
    prefilter: Some(|format, text| format != Format::Python || text.contains("chmod")),
};

/// Whether a chmod mode (octal or symbolic) gives others write permission.
pub fn grants_world_write(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let others = mode.as_bytes()[mode.len() - 1] - b'0';
        return others & 0o2 != 0;
    }
    mode.split(',').any(|clause| {
        let op = clause.find(['+', '=']);
        let Some(op) = op else { return false };
        let who = &clause[..op];
        let perms = &clause[op + 1..];
        // Symbolic modes may chain operators (`u+x,o+w` is split above; `o=rw-x` is rare).
        let perms = perms.split(['-', '+', '=']).next().unwrap_or("");
        (who.contains('o') || who.contains('a')) && perms.contains('w')
    })
}

/// Sticky world-writable directories (`chmod 1777 /tmp`, docker-library's `1777 "$GOPATH"`)
/// are how shared directories are meant to be made: nobody can remove or rename another
/// user's files in them.
fn is_sticky(mode: &str) -> bool {
    let octal_sticky = mode.len() == 4
        && mode.bytes().all(|b| b.is_ascii_digit())
        && (mode.as_bytes()[0] - b'0') & 1 == 1;
    octal_sticky || mode.contains('t')
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // Files a server on a host creates for every local user (uWSGI's `chmod-socket = 666`).
    for service in &ctx.deployment.services {
        if service.placement != Placement::Host {
            continue;
        }
        for fact in service
            .writable
            .iter()
            .filter(|f| f.kind == PathKind::WorldWritable)
        {
            sink.report(
                fact.at,
                format!(
                    "{} lets every local user write to {}, so any of them can send the app \
                     requests directly",
                    fact.how, fact.path
                ),
            );
        }
    }
    if let View::Python(python) = ctx.view {
        check_python(python, sink);
    }
    let View::Dockerfile { image, .. } = ctx.view else {
        return;
    };
    for (keyword, mode, span) in image.copy_modes() {
        if grants_world_write(mode.as_str()) {
            sink.report(
                span,
                format!(
                    "{keyword} --chmod={} makes the copied files world-writable",
                    mode.as_str()
                ),
            );
        }
    }
    for words in image.run_commands_mentioning("chmod") {
        check_chmod(&words, sink);
    }
}

fn check_chmod(words: &[MappedText], sink: &mut Sink<'_>) {
    let Some(first) = words.first() else { return };
    if first.as_str().rsplit('/').next() != Some("chmod") {
        return;
    }
    let operands: Vec<&MappedText> = words[1..]
        .iter()
        .filter(|w| !w.as_str().starts_with('-') || looks_like_mode(w.as_str()))
        .collect();
    let Some(mode) = operands.first() else {
        return;
    };
    if grants_world_write(mode.as_str()) && !is_sticky(mode.as_str()) {
        let span = first.span().cover(mode.span());
        sink.report(
            span,
            format!("chmod {} makes files world-writable", mode.as_str()),
        );
    }
}

/// The sticky bit: a world-writable directory where nobody can remove another user's files.
const STICKY: u32 = 0o1000;

/// `os.chmod(path, 0o777)`, `Path(p).chmod(stat.S_IRWXO | …)`: a mode that grants write to
/// others, set on an existing file (modes given to `os.makedirs` or `os.open` are masked by
/// the umask and are not read).
fn check_python(python: &Semantic<'_>, sink: &mut Sink<'_>) {
    for change in python.mode_changes() {
        if change.bits & 0o002 == 0 || change.bits & STICKY != 0 {
            continue;
        }
        let written = python.text(change.mode);
        let octal = format!("0o{:o}", change.bits);
        let mode = if written.eq_ignore_ascii_case(&octal) {
            written.to_string()
        } else if python.literal(change.mode).is_some() {
            format!("{written} ({octal})")
        } else {
            written.to_string()
        };
        // `os.chmod` also when imported as an alias; a path's method by its class.
        let callee = python
            .callee_name(change.call)
            .unwrap_or_else(|| format!("Path.{}", python.method(change.call).unwrap_or("chmod")));
        sink.report(
            change.mode.span(),
            format!("{callee} sets mode {mode}, which lets every local user write to it"),
        );
    }
}

/// `-w` style modes are rare but `-R` is an option; a leading `-` followed by rwx letters only
/// (without `w` for others) never grants world write, so only `a`/`o` forms matter.
fn looks_like_mode(word: &str) -> bool {
    word.len() > 1 && word[1..].bytes().all(|b| b"rwxXst".contains(&b)) && word != "-R"
}

#[cfg(test)]
mod tests {
    use super::grants_world_write;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn modes() {
        for m in [
            "777", "0777", "666", "1777", "772", "a+w", "o+w", "ugo+rwx", "a=rwx", "go+w",
            "u+x,o+w", "o+rw",
        ] {
            assert!(grants_world_write(m), "{m}");
        }
        for m in [
            "755", "0755", "644", "775", "770", "u+w", "g+w", "+x", "o-w", "a-w", "o+r", "a+rX",
        ] {
            assert!(!grants_world_write(m), "{m}");
        }
    }

    #[test]
    fn fail() {
        fires_once(
            "FS001",
            "Dockerfile",
            &[
                ("FROM python\nRUN chmod 777 /app\n", "chmod 777"),
                (
                    "FROM python\nRUN chmod -R 777 /app/uploads\n",
                    "chmod -R 777",
                ),
                (
                    "FROM python\nRUN mkdir /data && chmod a+w /data\n",
                    "chmod a+w",
                ),
                (
                    "FROM python\nRUN apt-get update \\\n && chmod -R o+w /srv\n",
                    "chmod -R o+w",
                ),
                ("FROM python\nCOPY --chmod=777 app /app\n", "--chmod=777"),
                (
                    "FROM python\nRUN [\"chmod\", \"666\", \"/app/db.sqlite\"]\n",
                    "\"chmod\", \"666\"",
                ),
                (
                    "FROM python\nRUN <<EOF\nset -e\nchmod 777 /app\nEOF\n",
                    "chmod 777",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "FS001",
            "Dockerfile",
            &[
                "FROM python\nRUN chmod 755 /app\n",
                "FROM python\nRUN chmod +x /entrypoint.sh\n",
                "FROM python\nRUN chmod 1777 /tmp\n",
                "FROM python\nRUN chmod -R 1777 \"$GOPATH\"\n",
                "FROM python\nRUN chmod a+rwxt /srv/shared\n",
                "FROM python\nRUN chmod -R g+w /app\n",
                "FROM python\nRUN echo chmod 777 /app\n",
                "FROM python\n# RUN chmod 777 /app\n",
                "FROM python\nCOPY --chmod=755 app /app\n",
                "FROM python\nRUN chmod o-w /app\n",
            ],
        );
    }

    #[test]
    fn python_fail() {
        fires_once(
            "FS001",
            "app.py",
            &[
                ("import os\nos.chmod('/srv/app/uploads', 0o777)", "0o777"),
                ("import os\nos.chmod(path, 0o666)", "0o666"),
                ("import os\nos.chmod(path, 0o757)", "0o757"),
                ("import os\nos.chmod(path, 511)", "511"),
                ("import os\nos.fchmod(fd, 0o662)", "0o662"),
                ("import os\nos.lchmod(path, mode=0o777)", "0o777"),
                (
                    "from os import chmod as set_mode\nset_mode(path, 0o777)",
                    "0o777",
                ),
                (
                    "import os, stat\nos.chmod(path, stat.S_IWOTH)",
                    "stat.S_IWOTH",
                ),
                (
                    "import os, stat\nos.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)",
                    "stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO",
                ),
                (
                    "import os\nfrom stat import S_IWOTH\nos.chmod(p, os.stat(p).st_mode | S_IWOTH)",
                    "os.stat(p).st_mode | S_IWOTH",
                ),
                ("import os\nMODE = 0o777\nos.chmod(p, MODE)", "MODE"),
                (
                    "from pathlib import Path\nPath('/srv/app/db.sqlite').chmod(0o666)",
                    "0o666",
                ),
                (
                    "import pathlib\np = pathlib.Path(base) / 'uploads'\np.chmod(0o777)",
                    "0o777",
                ),
            ],
        );
    }

    #[test]
    fn python_pass() {
        quiet(
            "FS001",
            "app.py",
            &[
                "import os\nos.chmod(path, 0o755)",
                "import os\nos.chmod(path, 0o640)",
                "import os, stat\nos.chmod(path, stat.S_IRUSR | stat.S_IWUSR)",
                "import os, stat\nos.chmod(p, os.stat(p).st_mode | stat.S_IXUSR)",
                // A sticky world-writable directory, as for `chmod 1777 /tmp`.
                "import os\nos.chmod('/srv/shared', 0o1777)",
                "import os, stat\nos.chmod(d, stat.S_ISVTX | 0o777)",
                // A mode from a parameter or computed at run time is not guessed.
                "import os\ndef fix(path, mode):\n    os.chmod(path, mode)",
                "import os\nos.chmod(path, int(os.environ['MODE'], 8))",
                // The process umask still applies to the modes of new files and directories,
                // so they are not world-writable modes set by the code.
                "import os\nos.makedirs('/srv/app/uploads', mode=0o777, exist_ok=True)",
                "import os\nos.mkdir(path, 0o777)",
                "import os\nfd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)",
                "from pathlib import Path\nPath(p).mkdir(mode=0o777)\nPath(p).touch(mode=0o666)",
                // A chmod on an object not known to be a path (an SFTP client's).
                "sftp.chmod('/srv/x', 0o777)",
                "def f(p):\n    p.chmod(0o777)",
                "# os.chmod(path, 0o777)",
            ],
        );
    }
}
