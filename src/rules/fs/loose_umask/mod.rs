//! FS003: the app's process creates files with a umask looser than `0027` (a systemd
//! `UMask=`, a `WSGIDaemonProcess umask=`), so files it writes are readable (or writable) by
//! other local users. One rule across formats; each format's check lives beside this file.

mod apache;
mod systemd;

use crate::catalog::Format;
use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "FS003",
    check,
    prefilter: Some(|_, t| crate::rules::contains_ignore_case(t, "umask")),
};

/// The fix in each format's terms (the catalog's `fix:` names both settings).
const HELP: &[(Format, &str)] = &[
    (
        Format::Systemd,
        "Set `UMask=0027` in `[Service]` (or `0077` when the group needs no access either).",
    ),
    (
        Format::Apache,
        "Set `umask=0027` on the `WSGIDaemonProcess` (or `0077` when the group needs no access \
         either).",
    ),
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    sink.help_by_format(ctx.format, HELP);
    match ctx.syntax {
        Syntax::Systemd(unit) => systemd::check(ctx, unit, sink),
        Syntax::Apache(config) => apache::check(ctx, config, sink),
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

/// The edit that tightens the umask written at `span` to cover `0027` (keeping any stricter
/// bits), written like the original (`022` stays three digits, `0o` stays). None when the
/// text there is not the plain value (quoted, from a variable or a specifier).
pub fn tighten(
    ctx: &FileContext<'_>,
    span: crate::source::Span,
    value: &str,
) -> Vec<crate::edit::Edit> {
    let value = value.trim();
    if ctx.source.text().get(span.range()) != Some(value) {
        return Vec::new();
    }
    let (prefix, digits) = value.strip_prefix("0o").map_or(("", value), |d| ("0o", d));
    let Ok(mask) = u32::from_str_radix(digits, 8) else {
        return Vec::new();
    };
    let width = digits.len().max(3);
    let tight = mask | 0o027;
    vec![crate::edit::Edit::replace(
        span,
        format!("{prefix}{tight:0width$o}"),
    )]
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
