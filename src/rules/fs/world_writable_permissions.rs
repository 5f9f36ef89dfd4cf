//! FS001: the image makes files world-writable (`chmod 777`, `chmod o+w`, `COPY --chmod=666`),
//! so any process in the container can rewrite the application.

use crate::model::deployment::{PathKind, Placement};
use crate::rules::{FileContext, Rule, Sink, View};
use crate::source::MappedText;

pub const RULE: Rule = Rule {
    code: "FS001",
    check,
    prefilter: None,
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
    for words in image.run_commands() {
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
}
