//! The edits that publish a compose port on loopback only (NET002's fix), made on the YAML
//! text itself so quoting, indentation and line endings stay as written.

use crate::edit::{Edit, line_ending};
use crate::source::Span;
use crate::syntax::yaml::{self, Kind, NodeId, Style, Yaml};

/// The edits that publish the port at `span` (a short-syntax entry, or the `published` or
/// `target` value of a long one) of the compose file `text` on loopback only. None when the
/// entry is shared through an anchor or written in a form too unusual to edit safely.
pub fn publish_on_loopback(text: &str, span: Span) -> Option<Vec<Edit>> {
    loopback(&yaml::parse(text), span)
}

/// The loopback address of the same family as `all` (`0.0.0.0` or `::`).
fn loopback_for(all: &str) -> &'static str {
    if all.contains(':') {
        "::1"
    } else {
        "127.0.0.1"
    }
}

/// The edits that publish the port at `span` (a short-syntax entry, or the `published` or
/// `target` value of a long one) on loopback only, in the file's quoting and indentation.
/// None when the entry is shared through an anchor (the edit would change every service
/// that uses it) or written in a form too unusual to edit safely.
fn loopback(doc: &Yaml<'_>, span: Span) -> Option<Vec<Edit>> {
    let text = doc.source();
    let nodes = doc.nodes();
    let id = (0..nodes.len())
        .find(|&i| !matches!(nodes[i].kind, Kind::Alias(_)) && nodes[i].span == span)?;
    // An anchored node that an alias uses, or anything inside one.
    let shared = nodes.iter().any(|n| match n.kind {
        Kind::Alias(target) => {
            let t = nodes[target].span;
            t.start <= span.start && span.end <= t.end
        }
        _ => false,
    });
    if shared {
        return None;
    }
    if let Some((map, _)) = long_syntax_owner(doc, id) {
        return long_syntax(doc, map, id);
    }
    let Kind::Scalar { value, style } = &nodes[id].kind else {
        return None;
    };
    let quoted = matches!(style, Style::SingleQuoted | Style::DoubleQuoted);
    if !quoted && *style != Style::Plain {
        return None;
    }
    let content = if quoted { span.start + 1 } else { span.start };
    let raw = text.get(content..span.end - usize::from(quoted))?;
    let port = crate::model::listen::parse_port(value)?;
    match &port.host_ip {
        None => {
            if raw.trim() != value.trim() || raw.starts_with(char::is_whitespace) {
                return None;
            }
            // `127.0.0.1::8000` keeps an ephemeral host port ephemeral.
            let prefix = if port.published.is_some() {
                "127.0.0.1:"
            } else {
                "127.0.0.1::"
            };
            Some(vec![Edit::insert(content, prefix)])
        }
        Some(ip) => {
            let written = if raw.starts_with('[') {
                raw.find(']').map(|end| &raw[..=end])?
            } else {
                raw.get(..ip.len()).filter(|w| *w == ip)?
            };
            let address = loopback_for(ip);
            let replacement = if written.starts_with('[') {
                format!("[{address}]")
            } else {
                address.to_string()
            };
            Some(vec![Edit::replace(
                Span::new(content, content + written.len()),
                replacement,
            )])
        }
    }
}

/// For a value inside a long-syntax port mapping, the mapping and its key.
fn long_syntax_owner(doc: &Yaml<'_>, value: NodeId) -> Option<(NodeId, NodeId)> {
    doc.nodes()
        .iter()
        .enumerate()
        .find_map(|(i, n)| match &n.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .find(|(_, v)| *v == value)
                .map(|(k, _)| (i, *k)),
            _ => None,
        })
}

/// `host_ip: 127.0.0.1` for a long-syntax mapping: an all-interfaces value replaced, or the
/// key added after the last one (inside the braces of a flow mapping).
fn long_syntax(doc: &Yaml<'_>, map: NodeId, value: NodeId) -> Option<Vec<Edit>> {
    let text = doc.source();
    let Kind::Map(pairs) = &doc.nodes()[map].kind else {
        return None;
    };
    let quote = match &doc.nodes()[value].kind {
        Kind::Scalar {
            style: Style::DoubleQuoted,
            ..
        } => "\"",
        Kind::Scalar {
            style: Style::SingleQuoted,
            ..
        } => "'",
        _ => "",
    };
    if let Some(&(_, ip)) = pairs
        .iter()
        .find(|(k, _)| doc.scalar(*k) == Some("host_ip"))
    {
        let Kind::Scalar {
            value: written,
            style,
        } = &doc.nodes()[ip].kind
        else {
            return None;
        };
        let span = doc.nodes()[ip].span;
        let inner = match style {
            Style::Plain => span,
            Style::SingleQuoted | Style::DoubleQuoted => Span::new(span.start + 1, span.end - 1),
            _ => return None,
        };
        if text.get(inner.range()) != Some(written.as_str()) {
            return None;
        }
        return Some(vec![Edit::replace(inner, loopback_for(written))]);
    }
    let &(last_key, last_value) = pairs.last()?;
    if !matches!(doc.nodes()[last_value].kind, Kind::Scalar { .. }) {
        return None;
    }
    let end = doc.nodes()[last_value].span.end;
    let entry = format!("host_ip: {quote}127.0.0.1{quote}");
    if text[doc.nodes()[map].span.range()].starts_with('{') {
        return Some(vec![Edit::insert(end, format!(", {entry}"))]);
    }
    // A new line after the mapping's last, at its keys' column.
    let key_start = doc.nodes()[last_key].span.start;
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    let lead = &text[line_start..key_start];
    let indent = if lead.trim().is_empty() {
        lead.to_string()
    } else {
        // `- target: 8000`: the key's column, under the dash.
        " ".repeat(lead.chars().count())
    };
    let line_end = text[end..]
        .find(['\r', '\n'])
        .map_or(text.len(), |i| end + i);
    Some(vec![Edit::insert(
        line_end,
        format!("{}{indent}{entry}", line_ending(text)),
    )])
}
