//! FS003: the app's process creates files with a umask looser than `0027`, so files it writes
//! are readable (or writable) by other local users. One rule across formats; each format's
//! check lives beside this file.

mod apache;

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "FS003",
    check,
    prefilter: Some(|_, t| crate::rules::contains_ignore_case(t, "umask")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let Syntax::Apache(config) = ctx.syntax {
        apache::check(config, sink);
    }
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
