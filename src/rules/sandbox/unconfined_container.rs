//! SBX103: a compose service switches off the kernel confinement Docker gives every container
//! (`security_opt: [seccomp:unconfined]`, `apparmor:unconfined`, `label:disable`,
//! `systempaths=unconfined`), which is what stops most escapes from a compromised app.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX103",
    check,
    prefilter: Some(|_, text| text.contains("security_opt")),
};

/// What an option switches off, for the message; None for options that confine.
fn disabled(option: &str) -> Option<&'static str> {
    let option = option.trim().to_ascii_lowercase();
    // Docker accepts both `name:value` and `name=value`.
    let (name, value) = option.split_once([':', '='])?;
    match (name.trim(), value.trim()) {
        ("seccomp", "unconfined") => Some("its seccomp filter of system calls"),
        ("apparmor", "unconfined") => Some("its AppArmor profile"),
        ("label", "disable") => Some("its SELinux label separation"),
        ("systempaths", "unconfined") => Some("the masking of the host's /proc and /sys paths"),
        _ => None,
    }
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in super::compose_services(ctx) {
        for option in &service.security_opt {
            if let Some(what) = disabled(&option.value) {
                sink.report(
                    option.span,
                    format!(
                        "service `{}` runs without {what} (`{}`)",
                        service.name.value, option.value
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        let service = "services:\n  web:\n    image: app\n    security_opt:\n";
        let cases: Vec<(String, &str)> = [
            ("      - seccomp:unconfined\n", "seccomp:unconfined"),
            ("      - seccomp=unconfined\n", "seccomp=unconfined"),
            (
                "      - \"apparmor:unconfined\"\n",
                "\"apparmor:unconfined\"",
            ),
            ("      - apparmor=unconfined\n", "apparmor=unconfined"),
            ("      - label:disable\n", "label:disable"),
            ("      - label=disable # selinux\n", "label=disable"),
            ("      - systempaths=unconfined\n", "systempaths=unconfined"),
            (
                "      - no-new-privileges:true\n      - seccomp:unconfined\n",
                "seccomp:unconfined",
            ),
        ]
        .into_iter()
        .map(|(entry, underlined)| (format!("{service}{entry}"), underlined))
        .collect();
        let cases: Vec<(&str, &str)> = cases.iter().map(|(s, u)| (s.as_str(), *u)).collect();
        fires_once("SBX103", "compose.yaml", &cases);
        fires_once(
            "SBX103",
            "compose.yaml",
            &[(
                "services:\n  web:\n    image: app\n    security_opt: [\"seccomp=unconfined\"]\n",
                "\"seccomp=unconfined\"",
            )],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX103",
            "compose.yaml",
            &[
                // A custom profile still confines.
                "services:\n  web:\n    image: app\n    security_opt:\n      - seccomp:./seccomp.json\n      - apparmor:docker-default\n      - no-new-privileges:true\n      - label:type:svirt_apache_t\n",
                "services:\n  web:\n    image: app\n    # security_opt:\n    #   - seccomp:unconfined\n",
                "services:\n  web:\n    image: app\n    labels:\n      - seccomp:unconfined\n",
                "services:\n  gdb:\n    image: app\n    profiles: [debug]\n    security_opt: [seccomp:unconfined]\n",
            ],
        );
    }
}
