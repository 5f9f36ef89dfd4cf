//! FS003: the app's process creates files with a umask looser than `0027` (a systemd
//! `UMask=`, a `WSGIDaemonProcess umask=`), so files it writes are readable (or writable) by
//! other local users. One rule across formats; each format's check lives beside this file.

mod apache;
mod systemd;

use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "FS003",
    check,
    prefilter: Some(|_, t| crate::rules::contains_ignore_case(t, "umask")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    match ctx.view {
        View::Systemd(unit) => systemd::check(ctx, unit, sink),
        View::Apache(config) => apache::check(config, sink),
        _ => {}
    }
}

/// Parses an octal mode as systemd's `parse_mode` does (`0027`, `027`, `27`).
pub fn parse_umask(value: &str) -> Option<u32> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| (b'0'..=b'7').contains(&b)) || v.len() > 8 {
        return None;
    }
    u32::from_str_radix(v, 8).ok().filter(|m| *m <= 0o7777)
}

/// What a umask leaves open to other users, in words (`read and execute`), if anything.
pub fn others_access(mask: u32) -> Option<String> {
    let open = !mask & 0o007;
    let words: Vec<&str> = [(0o4, "read"), (0o2, "write"), (0o1, "execute")]
        .iter()
        .filter(|(bit, _)| open & bit != 0)
        .map(|(_, w)| *w)
        .collect();
    (!words.is_empty()).then(|| words.join(" and "))
}

/// Whether a umask leaves new files writable by their group.
pub fn group_writable(mask: u32) -> bool {
    mask & 0o020 == 0
}

/// Whether an octal umask leaves group-write or any access for others open (it does not
/// cover every bit of `0027`). Values that are not octal numbers are not judged.
pub fn is_loose_umask(value: &str) -> Option<bool> {
    let value = value.trim();
    let digits = value.strip_prefix("0o").unwrap_or(value);
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let mask = u32::from_str_radix(digits, 8).ok()?;
    Some(mask & 0o027 != 0o027)
}
