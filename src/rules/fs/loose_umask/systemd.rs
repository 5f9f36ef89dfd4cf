//! FS003 for systemd: a `UMask=` that gives other users any access to new files, or group
//! write when the group is a shared account (`Group=www-data`).

use super::{group_writable, others_access, parse_umask};
use crate::model::deployment::is_shared_account;
use crate::model::systemd::{Unit, user};
use crate::rules::{FileContext, Sink};

pub fn check(ctx: &FileContext<'_>, unit: &Unit, sink: &mut Sink<'_>) {
    let Some(section) = unit.exec_section() else {
        return;
    };
    let Some(entry) = unit.last(section, "UMask") else {
        return;
    };
    let Some(mask) = parse_umask(entry.value.as_str()) else {
        return;
    };
    let value = entry.value.as_str();
    if let Some(access) = others_access(mask) {
        sink.report(
            entry.value.span(),
            format!(
                "UMask={value} gives other users {access} access to the files the service creates"
            ),
        );
        return;
    }
    // The group is the User='s primary group when Group= is not set.
    let group = unit
        .last(section, "Group")
        .map(|e| unit.specifiers.expand(&e.value).as_str().to_string())
        .or_else(|| user(unit).map(|(name, _)| name));
    if group_writable(mask)
        && let Some(group) = group.filter(|g| is_shared_account(g, &ctx.options.shared_accounts))
    {
        sink.report(
            entry.value.span(),
            format!("UMask={value} makes new files writable by the shared group {group}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{others_access, parse_umask};
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn masks() {
        assert_eq!(parse_umask("0027"), Some(0o027));
        assert_eq!(parse_umask("22"), Some(0o22));
        assert_eq!(parse_umask("0x22"), None);
        assert_eq!(parse_umask("99"), None);
        assert_eq!(parse_umask(""), None);
        assert_eq!(others_access(0o022).as_deref(), Some("read and execute"));
        assert_eq!(others_access(0o002).as_deref(), Some("read and execute"));
        assert_eq!(
            others_access(0o000).as_deref(),
            Some("read and write and execute")
        );
        assert_eq!(others_access(0o027), None);
        assert_eq!(others_access(0o007), None);
    }

    #[test]
    fn fail() {
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
    fn pass() {
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
}
