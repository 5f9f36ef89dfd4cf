//! FS003: the app's file-creation mask lets other local users read or write the files it
//! creates (a `UMask=` looser than `0027`). One rule, whatever the format says it with; each
//! format's check lives beside this file.

mod systemd;

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "FS003",
    check,
    prefilter: Some(|_, text| text.contains("mask") || text.contains("Mask")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let Syntax::Systemd(unit) = ctx.syntax {
        systemd::check(ctx, unit, sink);
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
