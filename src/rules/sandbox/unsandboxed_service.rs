//! SBX001: a system service that runs a Python web app without the least-privilege settings
//! the hardening guidance implies (`NoNewPrivileges=yes`, `ProtectSystem=strict`,
//! `ProtectHome=`, `PrivateTmp=yes`, `CapabilityBoundingSet=`), reported once, listing what
//! is missing, at the `[Service]` header. The model accounts for the settings systemd implies
//! (systemd.exec(5)): `DynamicUser=yes` implies `NoNewPrivileges=yes`,
//! `ProtectSystem=strict`, `ProtectHome=read-only` and `PrivateTmp=yes`.

use crate::edit::{Edit, indentation_at, line_ending};
use crate::model::systemd::Unit;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "SBX001",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        let Some(sandbox) = &service.sandbox else {
            continue;
        };
        let missing: Vec<&str> = sandbox
            .settings
            .iter()
            .filter(|(_, on)| !on)
            .map(|(setting, _)| *setting)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let edits = match ctx.view {
            View::Systemd(unit) => harden(unit, &missing),
            _ => Vec::new(),
        };
        let fix = sink.fix(edits);
        let d = sink.report(
            sandbox.at,
            format!(
                "{} runs a web app without least-privilege settings: {}",
                service.subject,
                missing.join(", ")
            ),
        );
        d.labels.extend(sandbox.label.clone());
        d.labels.extend(sandbox.partial.iter().cloned());
        d.set_fix(fix);
    }
}

/// The edits that add the `missing` settings to the linted file's last `[Service]` section
/// (after its last assignment, with its indentation), or set a weak value of this file in
/// place (`ProtectSystem=full` becomes `strict`). None when a drop-in assigns one of them: the
/// drop-in is read after this file and would win, so only editing it settles the finding.
fn harden(unit: &Unit, missing: &[&str]) -> Vec<Edit> {
    let (Some(part), Some(file)) = (unit.parts.first(), unit.files.first()) else {
        return Vec::new();
    };
    let text = part.text.as_str();
    let in_this_file = |at: usize| at <= text.len();
    let Some(section) = file.sections.iter().rev().find(|s| s.name == "Service") else {
        return Vec::new();
    };
    let mut edits = Vec::new();
    let mut added = Vec::new();
    for setting in missing {
        let (key, value) = setting.split_once('=').unwrap_or((setting, ""));
        let last = unit.entries("Service", key).into_iter().last();
        match last {
            Some(entry) if !in_this_file(entry.span.start) => return Vec::new(),
            // A weak single value of this file: replaced where it is.
            Some(entry) if key != "CapabilityBoundingSet" && !entry.value.is_empty() => {
                edits.push(Edit::replace(entry.value.span(), value));
            }
            _ => added.push(*setting),
        }
    }
    if !added.is_empty() {
        let after = section.entries.last().map_or(section.header, |e| e.span);
        let line_end = text[after.end..]
            .find(['\r', '\n'])
            .map_or(text.len(), |i| after.end + i);
        // Text after the assignment on its line (a dangling continuation) would swallow ours.
        if !text[after.end..line_end].trim().is_empty() || text[..line_end].ends_with('\\') {
            return Vec::new();
        }
        let indent = indentation_at(text, after.start);
        let eol = line_ending(text);
        let lines: String = added.iter().map(|s| format!("{eol}{indent}{s}")).collect();
        edits.push(Edit::insert(line_end, lines));
    }
    edits
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, fixed, quiet_in};

    #[test]
    fn fix_adds_or_strengthens_settings() {
        let fix = |src: &str| fixed("SBX001", "app.service", src);
        assert_eq!(
            fix(
                "[Unit]\nDescription=x\n\n[Service]\nExecStart=/usr/bin/gunicorn app:app\n\n[Install]\nWantedBy=multi-user.target\n"
            ),
            "[Unit]\nDescription=x\n\n[Service]\nExecStart=/usr/bin/gunicorn app:app\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nCapabilityBoundingSet=\n\n[Install]\nWantedBy=multi-user.target\n"
        );
        // Weak values change in place; indentation, CRLF and a final line without a break
        // are kept.
        assert_eq!(
            fix(
                "[Service]\r\n  ProtectSystem=full\r\n  ExecStart=/usr/bin/gunicorn \\\r\n    app:app\r\n  User=app\r\n  NoNewPrivileges=no"
            ),
            "[Service]\r\n  ProtectSystem=strict\r\n  ExecStart=/usr/bin/gunicorn \\\r\n    app:app\r\n  User=app\r\n  NoNewPrivileges=yes\r\n  ProtectHome=yes\r\n  PrivateTmp=yes\r\n  CapabilityBoundingSet="
        );
    }

    const RUN: &str = "ExecStart=/usr/bin/gunicorn app:app\n";

    fn message(src: &str) -> Vec<(usize, String)> {
        findings("SBX001", "app.service", src)
    }

    #[test]
    fn fail() {
        let all = format!("[Service]\n{RUN}");
        assert_eq!(message(&all).len(), 1);
        assert_eq!(message(&all)[0].1, "[Service]");
        let source = crate::source::SourceFile::new("app.service", all.clone());
        let settings = crate::engine::Settings {
            rules: crate::rules::RULES
                .iter()
                .filter(|r| r.code == "SBX001")
                .collect(),
            ..Default::default()
        };
        let d = crate::engine::lint_source(&source, crate::catalog::Format::Systemd, &settings);
        assert!(d[0].message.ends_with(
            "NoNewPrivileges=yes, ProtectSystem=strict, ProtectHome=yes, PrivateTmp=yes, CapabilityBoundingSet="
        ), "{}", d[0].message);
        // `full` is not `strict`; `ProtectHome=no` protects nothing; a lone `~` is every
        // capability.
        for weak in [
            "ProtectSystem=full\nProtectHome=yes\nPrivateTmp=yes\nNoNewPrivileges=yes\nCapabilityBoundingSet=\n",
            "ProtectSystem=strict\nProtectHome=no\nPrivateTmp=yes\nNoNewPrivileges=yes\nCapabilityBoundingSet=\n",
            "ProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nNoNewPrivileges=yes\nCapabilityBoundingSet=~\n",
            "ProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nNoNewPrivileges=yes\nNoNewPrivileges=no\nCapabilityBoundingSet=\n",
            // SystemCallFilter= does not force NoNewPrivileges= in a system service (the
            // manager has CAP_SYS_ADMIN), whatever systemd.exec(5) suggests.
            "ProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nSystemCallFilter=@system-service\nCapabilityBoundingSet=\n",
            // Ambient capabilities are held even by an unprivileged account.
            "User=app\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nNoNewPrivileges=yes\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n",
        ] {
            assert_eq!(
                message(&format!("[Service]\n{RUN}{weak}")).len(),
                1,
                "{weak}"
            );
        }
    }

    const SANDBOXED: &str = "User=app\nNoNewPrivileges=yes\nProtectHome=yes\nPrivateTmp=yes\n";

    #[test]
    fn read_only_root_is_strict() {
        for ro in [
            "ReadOnlyPaths=/\n",
            "ReadOnlyPaths=-/\n",
            "ReadOnlyPaths=/srv \"/\"\n",
            "ReadOnlyDirectories=/\nReadWritePaths=/var/lib/app\n",
        ] {
            assert!(
                message(&format!("[Service]\n{RUN}{SANDBOXED}{ro}")).is_empty(),
                "{ro}"
            );
        }
        // Only part of the tree, or a list reset after `/`, is not the whole tree.
        for weak in [
            "ReadOnlyPaths=/srv /usr\n",
            "ReadOnlyPaths=/\nReadOnlyPaths=\n",
        ] {
            assert_eq!(
                message(&format!("[Service]\n{RUN}{SANDBOXED}{weak}")).len(),
                1,
                "{weak}"
            );
        }
    }

    #[test]
    fn weak_protect_system_says_what_it_leaves_open() {
        let d = crate::rules::testing::diagnostics(
            "SBX001",
            "app.service",
            &format!("[Service]\n{RUN}{SANDBOXED}ProtectSystem=full\n"),
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.ends_with(": ProtectSystem=strict"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].labels.iter().any(|l| l
                .message
                .starts_with("ProtectSystem=full makes only /usr, /boot, /efi and /etc read-only")),
            "{:?}",
            d[0].labels
        );
    }

    #[test]
    fn maintenance_jobs_are_not_judged() {
        quiet_in(
            "SBX001",
            &[
                (
                    "clearsessions.service",
                    "[Service]\nType=oneshot\nExecStart=/srv/venv/bin/python -m app.jobs\n",
                ),
                (
                    "migrate.service",
                    "[Service]\nExecStart=/srv/venv/bin/python /srv/app/manage.py migrate --noinput\n",
                ),
            ],
        );
        // A management command that serves is a server.
        assert_eq!(
            message("[Service]\nExecStart=/srv/venv/bin/python manage.py runmodwsgi --port 8000\n")
                .len(),
            1
        );
    }

    #[test]
    fn pass() {
        let hardened = format!(
            "[Service]\n{RUN}NoNewPrivileges=true\nProtectSystem=strict\nProtectHome=read-only\nPrivateTmp=yes\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"
        );
        // DynamicUser= implies all but the capability bounding set.
        let dynamic = format!("[Service]\n{RUN}DynamicUser=yes\n");
        // An unprivileged account under NoNewPrivileges= holds no capability to bound.
        let unprivileged = format!(
            "[Service]\n{RUN}User=app\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\n"
        );
        let implied = format!(
            "[Service]\n{RUN}NoNewPrivileges=1\nProtectSystem=strict\nProtectHome=tmpfs\nPrivateTmp=on\nCapabilityBoundingSet=~CAP_SYS_ADMIN\n"
        );
        let not_web = "[Service]\nExecStart=/usr/sbin/sshd -D\n".to_string();
        let user_unit = format!("[Service]\n{RUN}[Install]\nWantedBy=default.target\n");
        quiet_in(
            "SBX001",
            &[
                ("app.service", &hardened),
                ("app.service", &dynamic),
                ("app.service", &unprivileged),
                ("app.service", &implied),
                ("app.service", &not_web),
                ("app.service", &user_unit),
                ("app.socket", "[Socket]\nListenStream=8000\n"),
            ],
        );
    }
}
