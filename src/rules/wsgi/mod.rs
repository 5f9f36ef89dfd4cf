//! mod_wsgi: daemon mode, isolation between daemon process groups, and how requests reach
//! them. Also the helpers the Apache rule families share.

pub mod daemon_group_not_hardened;
pub mod daemon_without_working_directory;
pub mod embedded_mode;
pub mod no_global_application_group;

pub mod embedded_not_restricted;
pub mod shared_daemon_user;
pub mod shared_python_home;
pub mod unrestricted_process_group;
pub mod untrusted_proxy_headers;

use crate::catalog::Format;
use crate::edit::{Edit, match_case};
use crate::model::apache::Apache;
use crate::rules::{FileContext, View, contains_ignore_case};
use crate::source::Span;

/// The Apache configuration a rule sees, if the file is one.
pub fn apache_of<'a>(ctx: &FileContext<'a>) -> Option<&'a Apache> {
    match ctx.view {
        View::Apache(apache) => Some(apache),
        _ => None,
    }
}

/// Prefilter: an Apache file that mentions `needle` (lower case) in any case.
pub fn mentions(format: Format, text: &str, needle: &str) -> bool {
    format == Format::Apache && contains_ignore_case(text, needle)
}

/// Prefilter: an Apache file that may mount a WSGI app (`WSGIScriptAlias…`, or a
/// `SetHandler`/`AddHandler wsgi-script`).
pub fn mentions_mount(format: Format, text: &str) -> bool {
    mentions(format, text, "wsgiscriptalias") || mentions(format, text, "wsgi-script")
}

/// Whether the server refuses embedded mode (`WSGIRestrictEmbedded On`).
pub fn embedded_restricted(apache: &Apache) -> bool {
    apache.last_at(0, "wsgirestrictembedded").is_some_and(|e| {
        apache.entries[e]
            .args
            .first()
            .is_some_and(|v| v.eq_ignore_ascii_case("on"))
    })
}

/// An edit that sets argument `i` of entry `e` to `canonical`, in the letter case the file
/// writes the value in (`off` for `on`), inside its quotes. None for an entry in another
/// file, a missing argument, or a value from a variable (`${TOKENS}`), which may be meant
/// for several places.
pub fn replace_arg(
    ctx: &FileContext<'_>,
    apache: &Apache,
    e: usize,
    i: usize,
    canonical: &str,
    documented: &[&str],
) -> Option<Edit> {
    if !apache.is_local(e) {
        return None;
    }
    let word = apache.node(e).args.get(i)?;
    let span = word.span();
    let raw = ctx.source.text().get(span.range())?;
    if raw.contains('$') {
        return None;
    }
    let value = match_case(word.as_str(), canonical, documented);
    let inside = match raw.as_bytes().first() {
        Some(&q @ (b'"' | b'\''))
            if word.quoted && raw.len() >= 2 && raw.as_bytes()[raw.len() - 1] == q =>
        {
            Span::new(span.start + 1, span.end - 1)
        }
        _ => span,
    };
    Some(Edit::replace(inside, value))
}

/// `canonical` (a directive name or keyword) in the letter case the file writes directive
/// `written` in: all lower or all upper case, else as documented.
pub fn directive_case(written: &str, canonical: &str) -> String {
    if written.chars().any(char::is_uppercase) && written.chars().any(char::is_lowercase) {
        return canonical.to_string();
    }
    match_case(written, canonical, &[])
}

/// File name the inline vectors are linted as.
#[cfg(test)]
pub const SITE: &str = "apache2/site.conf";
