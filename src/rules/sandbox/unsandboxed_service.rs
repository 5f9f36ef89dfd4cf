//! SBX001: a system service that runs a Python web app without the least-privilege settings
//! the hardening guidance implies (`NoNewPrivileges=yes`, `ProtectSystem=strict`,
//! `ProtectHome=`, `PrivateTmp=yes`, `CapabilityBoundingSet=`), reported once, listing what
//! is missing, at the `[Service]` header. Settings systemd implies are accounted for
//! (systemd.exec(5)): `DynamicUser=yes` implies `NoNewPrivileges=yes`,
//! `ProtectSystem=strict`, `ProtectHome=read-only` and `PrivateTmp=yes`.

use crate::model::systemd::{Unit, dynamic_user, judged_web_service, user};
use crate::rules::{FileContext, Rule, Sink, View};
use crate::syntax::systemd::parse_bool;

pub const RULE: Rule = Rule {
    code: "SBX001",
    check,
    prefilter: None,
};

fn on(unit: &Unit, key: &str) -> bool {
    unit.flag("Service", key).is_some_and(|(b, _)| b)
}

/// Whether the processes cannot gain privileges through setuid binaries or file caps.
/// `SystemCallFilter=`, `PrivateDevices=` and the other seccomp-based settings force it only
/// when the service manager lacks `CAP_SYS_ADMIN` (a user manager; systemd's
/// `context_has_no_new_privileges`), never for a system service, so they do not count.
pub fn no_new_privileges(unit: &Unit) -> bool {
    on(unit, "NoNewPrivileges") || dynamic_user(unit)
}

/// `ProtectSystem=strict` (`full` and `yes` leave `/var`, `/srv` … writable).
pub fn protect_system_strict(unit: &Unit) -> bool {
    dynamic_user(unit)
        || unit
            .last("Service", "ProtectSystem")
            .is_some_and(|e| e.value.as_str() == "strict")
}

/// `ProtectHome=yes`, `read-only` or `tmpfs`.
pub fn protect_home(unit: &Unit) -> bool {
    dynamic_user(unit)
        || unit.last("Service", "ProtectHome").is_some_and(|e| {
            let v = e.value.as_str();
            parse_bool(v) == Some(true) || matches!(v, "read-only" | "tmpfs")
        })
}

/// `PrivateTmp=yes` (or `disconnected`, systemd 255).
pub fn private_tmp(unit: &Unit) -> bool {
    dynamic_user(unit)
        || unit.last("Service", "PrivateTmp").is_some_and(|e| {
            let v = e.value.as_str();
            parse_bool(v) == Some(true) || v == "disconnected"
        })
}

/// A `CapabilityBoundingSet=` that limits the set: an empty assignment (no capabilities), a
/// list, or `~…` (all but those). A lone `~` restores the full set.
pub fn capabilities_bounded(unit: &Unit) -> bool {
    unit.entries("Service", "CapabilityBoundingSet")
        .last()
        .is_some_and(|e| e.value.as_str().trim() != "~")
}

/// Whether the bounding set can matter: a process that runs as an unprivileged account, with
/// no ambient capabilities and `NoNewPrivileges=` in force, holds no capability and cannot
/// gain one, so bounding the set changes nothing.
fn capabilities_moot(unit: &Unit) -> bool {
    let unprivileged = dynamic_user(unit)
        || user(unit).is_some_and(|(name, _)| !crate::model::deployment::is_root_user(&name));
    unprivileged
        && no_new_privileges(unit)
        && unit.list("Service", "AmbientCapabilities").is_empty()
}

/// The settings missing from a unit, as `Key=value` suggestions.
pub fn missing(unit: &Unit) -> Vec<&'static str> {
    let checks: [(bool, &str); 5] = [
        (no_new_privileges(unit), "NoNewPrivileges=yes"),
        (protect_system_strict(unit), "ProtectSystem=strict"),
        (protect_home(unit), "ProtectHome=yes"),
        (private_tmp(unit), "PrivateTmp=yes"),
        (
            capabilities_bounded(unit) || capabilities_moot(unit),
            "CapabilityBoundingSet=",
        ),
    ];
    checks
        .into_iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, s)| s)
        .collect()
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Systemd(unit) = ctx.view else {
        return;
    };
    if unit.partial {
        return;
    }
    let Some(web) = judged_web_service(unit, ctx.deployment) else {
        return;
    };
    let missing = missing(unit);
    if missing.is_empty() {
        return;
    }
    let Some(header) = unit.header("Service") else {
        return;
    };
    sink.report(
        header,
        format!(
            "the service runs a web app without least-privilege settings: {}",
            missing.join(", ")
        ),
    )
    .label(web.launch.program_span, "the app this protects");
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, quiet_in};

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
