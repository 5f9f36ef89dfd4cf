//! FS003: the app's process creates files with a umask that gives other local users access
//! to them (a systemd `UMask=`, a `WSGIDaemonProcess umask=`), or group write when the group
//! is an account other services share. One rule over the services of the deployment model,
//! and the app's own code (`os.umask(0)`).

use crate::edit::Edit;
use crate::model::deployment::is_shared_account;
use crate::model::python::Semantic;
use crate::rules::{FileContext, Rule, Sink, View};
use crate::source::Span;

pub const RULE: Rule = Rule {
    code: "FS003",
    check,
    prefilter: Some(|_, t| crate::rules::contains_ignore_case(t, "umask")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let View::Python(python) = ctx.view {
        check_python(python, sink);
    }
    for service in &ctx.deployment.services {
        let Some(umask) = &service.umask else {
            continue;
        };
        let fix = sink.fix(tighten(ctx.source.text(), umask.at));
        if let Some(access) = others_access(umask.mask) {
            sink.report(
                umask.at,
                format!(
                    "{} gives other users {access} access to the files {} creates",
                    umask.written, service.subject
                ),
            )
            .set_fix(fix);
        } else if group_writable(umask.mask)
            && let Some(group) = umask
                .group
                .as_deref()
                .filter(|g| is_shared_account(g, &ctx.options.shared_accounts))
        {
            // Group write for a dedicated group is how a service shares with its clients.
            sink.report(
                umask.at,
                format!(
                    "{} makes new files writable by the shared group {group}",
                    umask.written
                ),
            )
            .set_fix(fix);
        }
    }
}

/// `os.umask(0o002)`: a literal mask that leaves other users access to what the process
/// creates from then on. A mask read and put back (`old = os.umask(0)` … `os.umask(old)`) is
/// not a setting.
fn check_python(python: &Semantic<'_>, sink: &mut Sink<'_>) {
    for set in python.umask_sets() {
        let Some(access) = others_access(set.mask) else {
            continue;
        };
        let written = python.text(set.value);
        let callee = python
            .callee_name(set.call)
            .unwrap_or_else(|| "os.umask".to_string());
        // Python needs the `0o` prefix; the fix writes it whatever the original's base.
        let tight = set.mask | 0o027;
        let fix = sink.fix(vec![Edit::replace(
            set.value.span(),
            format!("0o{tight:03o}"),
        )]);
        sink.report(
            set.value.span(),
            format!(
                "{callee}({written}) gives other users {access} access to the files the process \
                 creates from then on"
            ),
        )
        .set_fix(fix);
    }
}

/// The edit that tightens the umask written at `span` to cover `0027` (keeping any stricter
/// bits), written like the original (`022` stays three digits, `0o` stays). None when the
/// text there is not a plain octal value (quoted, from a variable or a specifier).
fn tighten(text: &str, span: Span) -> Vec<Edit> {
    let Some(value) = text.get(span.range()) else {
        return Vec::new();
    };
    let (prefix, digits) = value.strip_prefix("0o").map_or(("", value), |d| ("0o", d));
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Vec::new();
    }
    let Ok(mask) = u32::from_str_radix(digits, 8) else {
        return Vec::new();
    };
    let width = digits.len().max(3);
    let tight = mask | 0o027;
    vec![Edit::replace(span, format!("{prefix}{tight:0width$o}"))]
}

/// What a umask leaves open to other users, in words (`read and execute`), if anything.
fn others_access(mask: u32) -> Option<String> {
    let open = !mask & 0o007;
    let words: Vec<&str> = [(0o4, "read"), (0o2, "write"), (0o1, "execute")]
        .iter()
        .filter(|(bit, _)| open & bit != 0)
        .map(|(_, w)| *w)
        .collect();
    match words.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

/// Whether a umask leaves new files writable by their group.
fn group_writable(mask: u32) -> bool {
    mask & 0o020 == 0
}

#[cfg(test)]
mod tests {
    use super::others_access;
    use crate::model::deployment::parse_umask;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn apache_fix_tightens_the_mask() {
        let fix = |src: &str| crate::rules::testing::fixed("FS003", "apache2/site.conf", src);
        assert_eq!(
            fix("WSGIDaemonProcess app umask=0022 threads=5\n"),
            "WSGIDaemonProcess app umask=0027 threads=5\n"
        );
        assert_eq!(
            fix("WSGIDaemonProcess app umask=070\n"),
            "WSGIDaemonProcess app umask=077\n"
        );
        let quoted = "WSGIDaemonProcess app \"umask=0002\"\n";
        assert_eq!(fix(quoted), quoted);
    }

    #[test]
    fn systemd_fix_tightens_the_mask() {
        let fix = |src: &str| crate::rules::testing::fixed("FS003", "app.service", src);
        assert_eq!(
            fix("[Service]\r\nUMask=0002\r\nExecStart=/usr/bin/gunicorn app:app\r\n"),
            "[Service]\r\nUMask=0027\r\nExecStart=/usr/bin/gunicorn app:app\r\n"
        );
        assert_eq!(fix("[Service]\nUMask=022\n"), "[Service]\nUMask=027\n");
        assert_eq!(fix("[Service]\nUMask=0070\n"), "[Service]\nUMask=0077\n");
    }

    #[test]
    fn masks() {
        assert_eq!(parse_umask("0027"), Some(0o027));
        assert_eq!(parse_umask("22"), Some(0o22));
        assert_eq!(parse_umask("0x22"), None);
        assert_eq!(parse_umask("0o22"), None);
        assert_eq!(parse_umask("99"), None);
        assert_eq!(parse_umask(""), None);
        assert_eq!(others_access(0o022).as_deref(), Some("read and execute"));
        assert_eq!(others_access(0o002).as_deref(), Some("read and execute"));
        assert_eq!(
            others_access(0o000).as_deref(),
            Some("read, write and execute")
        );
        assert_eq!(others_access(0o003).as_deref(), Some("read"));
        assert_eq!(others_access(0o027), None);
        assert_eq!(others_access(0o007), None);
    }

    #[test]
    fn systemd_fail() {
        fires_once(
            "FS003",
            "app.service",
            &[
                ("[Service]\nUMask=0022\n", "0022"),
                ("[Service]\nUMask=0000\n", "0000"),
                ("[Service]\nUMask=0027\nUMask=002\n", "002"),
                ("[Service]\nUMask=0007\nGroup=www-data\n", "0007"),
                ("[Service]\nUMask=0007\nUser=nobody\n", "0007"),
            ],
        );
        fires_once("FS003", "app.socket", &[("[Socket]\nUMask=0000\n", "0000")]);
    }

    #[test]
    fn systemd_pass() {
        quiet(
            "FS003",
            "app.service",
            &[
                "[Service]\nUMask=0027\n",
                "[Service]\nUMask=0077\n",
                "[Service]\nUMask=0777\n",
                // Group write for a dedicated group is how a service shares with its clients.
                "[Service]\nUser=redis\nGroup=redis\nUMask=007\n",
                "[Service]\nUMask=007\n",
                // The default (0022) is not reported: nothing was chosen.
                "[Service]\nUser=app\n",
                "[Service]\nUMask=0022\nUMask=\n",
                "[Service]\nUMask=bogus\n",
                "[Unit]\nUMask=0000\n",
                "[Service]\n# UMask=0000\n",
            ],
        );
    }

    #[test]
    fn apache() {
        fires_once(
            "FS003",
            "apache2/site.conf",
            &[
                ("WSGIDaemonProcess app user=app umask=0022\n", "0022"),
                // Without user= or group=, the daemon's files get Apache's group.
                ("User www-data\nWSGIDaemonProcess app umask=0007\n", "0007"),
                (
                    "WSGIDaemonProcess app user=app group=www-data umask=0002\n",
                    "0002",
                ),
                (
                    "WSGIDaemonProcess app user=app group=www-data umask=0007\n",
                    "0007",
                ),
            ],
        );
        quiet(
            "FS003",
            "apache2/site.conf",
            &[
                "WSGIDaemonProcess app user=app umask=0027\n",
                "WSGIDaemonProcess app user=app\n",
                "WSGIDaemonProcess app umask=${MASK}\n",
                // Group write for the daemon's own group.
                "WSGIDaemonProcess app user=app group=app umask=0007\n",
                // Apache's account unknown (its configuration not in view): not guessed.
                "WSGIDaemonProcess app umask=0007\n",
            ],
        );
    }

    #[test]
    fn python() {
        fires_once(
            "FS003",
            "app.py",
            &[
                ("import os\nos.umask(0)", "0"),
                ("import os\nos.umask(0o002)", "0o002"),
                ("import os\nos.umask(0o000)", "0o000"),
                ("from os import umask\numask(0o022)", "0o022"),
                // Its result kept but never put back: the mask stays.
                ("import os\nprevious = os.umask(0)", "0"),
            ],
        );
        quiet(
            "FS003",
            "app.py",
            &[
                "import os\nos.umask(0o027)",
                "import os\nos.umask(0o077)",
                // Reading the current mask: set, then put back at once.
                "import os\nmask = os.umask(0)\nos.umask(mask)",
                "import os\ndef current():\n    old = os.umask(0o022)\n    try:\n        return old\n    finally:\n        os.umask(old)",
                // A mask from configuration is not guessed.
                "import os\nos.umask(settings.UMASK)",
                "import os\nos.umask(int(os.environ['UMASK'], 8))",
                "umask(0)",
                "# os.umask(0)",
            ],
        );
    }

    #[test]
    fn python_fix_writes_an_octal_literal() {
        let fix = |src: &str| crate::rules::testing::fixed("FS003", "app.py", src);
        assert_eq!(
            fix("import os\nos.umask(0)\n"),
            "import os\nos.umask(0o027)\n"
        );
        assert_eq!(
            fix("import os\nos.umask(0o002)\n"),
            "import os\nos.umask(0o027)\n"
        );
        assert_eq!(
            fix("import os\nos.umask(0o070)\n"),
            "import os\nos.umask(0o077)\n"
        );
    }
}
