//! YAML with positions: a small tree over `saphyr-parser`'s events that keeps the byte span of
//! every key and value, and maps each scalar's decoded text back to the bytes it came from.
//!
//! Aliases are never expanded: an alias is a node that points at its anchored node, so the
//! tree is linear in the input however the aliases nest (a "billion laughs" file costs no
//! more than its text). Merge keys (`<<`) are followed only on lookup, within a depth limit
//! and a work budget shared by the whole document. Building is iterative, so hostile nesting
//! cannot overflow the stack.

use crate::source::{MappedText, Span};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::cell::Cell;
use std::collections::HashMap;

pub type NodeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar {
        value: String,
        style: Style,
    },
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
    /// An alias (`*name`): the anchored node it stands for.
    Alias(NodeId),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// The node's text without its anchor and tag (for a scalar, quotes included).
    pub span: Span,
    /// A tag such as `!reset` or `!!str`, as written.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

/// A parsed YAML document (the first of the stream), or with `parse_stream` every document.
#[derive(Debug)]
pub struct Yaml<'s> {
    src: &'s str,
    nodes: Vec<Node>,
    pub root: Option<NodeId>,
    /// The root of each document read (only the first's for `parse`), in order.
    pub documents: Vec<NodeId>,
    pub error: Option<YamlError>,
    /// Merge-key work left for the whole document (see `MERGE_BUDGET`).
    merge_budget: Cell<usize>,
}

/// How many mappings a merge (`<<`) may pull in, nested.
const MERGE_DEPTH: usize = 8;
/// How many key/value pairs merges may visit in one document, all lookups together. Real files
/// use a handful; a file built to multiply merges stops being followed past this.
const MERGE_BUDGET: usize = 200_000;

enum Frame {
    Seq(NodeId, Vec<NodeId>),
    Map(NodeId, Vec<(NodeId, NodeId)>, Option<NodeId>),
}

/// Character index → byte offset (saphyr's markers count characters), optionally through a
/// map from the parsed text's bytes back to the original's (see `parse`).
struct CharIndex<'m> {
    /// Byte offset of each character, plus the end; empty when the text is ASCII.
    offsets: Vec<usize>,
    len: usize,
    remap: Option<&'m [usize]>,
}

impl<'m> CharIndex<'m> {
    fn new(text: &str, remap: Option<&'m [usize]>) -> Self {
        let offsets = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        CharIndex {
            offsets,
            len: text.len(),
            remap,
        }
    }

    /// Byte offset in the parsed text.
    fn local(&self, char_index: usize) -> usize {
        if self.offsets.is_empty() {
            char_index.min(self.len)
        } else {
            self.offsets.get(char_index).copied().unwrap_or(self.len)
        }
    }

    /// Byte offset in the original text.
    fn byte(&self, char_index: usize) -> usize {
        let local = self.local(char_index);
        match self.remap {
            Some(map) => map.get(local).copied().unwrap_or(local),
            None => local,
        }
    }
}

/// How many lines of a flow collection may be re-indented (see `parse`).
const MAX_REINDENTS: usize = 64;
/// Columns added to such a line.
const REINDENT: usize = 64;

/// Parses the first document of `src`.
///
/// YAML 1.2 wants the lines of a flow collection indented deeper than the block around it,
/// but go-yaml (which Docker Compose uses) and PyYAML accept a closing `]` in the key's
/// column, a common style for `healthcheck: test: [...]`. When the parser rejects a line
/// for its indentation, that line is re-parsed indented further (spans still map to the
/// original text), a bounded number of times; the first error stands if that does not help.
pub fn parse(src: &str) -> Yaml<'_> {
    parse_with(src, false)
}

/// Parses every document of a multi-document stream (`---` separated, as Kubernetes
/// manifests are); `documents` lists their roots. An error stops the stream there: the
/// documents before it are kept.
pub fn parse_stream(src: &str) -> Yaml<'_> {
    parse_with(src, true)
}

fn parse_with(src: &str, all_documents: bool) -> Yaml<'_> {
    let (first, mut at) = parse_text(src, src, None, all_documents);
    let mut message = first.error.as_ref().map(|e| e.message.clone());
    let mut text = src.to_string();
    let mut remap: Vec<usize> = (0..=src.len()).collect();
    for _ in 0..MAX_REINDENTS {
        let Some(pos) = at else { break };
        let line_starts = match message.as_deref() {
            Some("invalid indentation") => {
                let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
                if !text[line_start..pos].bytes().all(|b| b == b' ') {
                    break;
                }
                vec![line_start]
            }
            // go-yaml also accepts a quoted scalar whose later lines (its closing quote,
            // typically) sit in its key's column; the error points at the opening quote.
            Some("invalid indentation in quoted scalar") => quoted_continuations(&text, pos),
            _ => break,
        };
        if line_starts.is_empty() {
            break;
        }
        // From the last, so the earlier offsets stay valid.
        for &line_start in line_starts.iter().rev() {
            text.insert_str(line_start, &" ".repeat(REINDENT));
            let origin = remap[line_start];
            remap.splice(
                line_start..line_start,
                std::iter::repeat_n(origin, REINDENT),
            );
        }
        let (again, next) = parse_text(src, &text, Some(&remap), all_documents);
        if next.is_none() {
            return again;
        }
        at = next;
        message = again.error.as_ref().map(|e| e.message.clone());
    }
    first
}

/// The starts of the lines after the first of the quoted scalar opening at `quote`, up to its
/// closing quote; none when it is not closed.
fn quoted_continuations(text: &str, quote: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let Some(&q) = bytes.get(quote).filter(|b| matches!(b, b'\'' | b'"')) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = quote + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q == b'"' => i += 1,
            b'\'' if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == q => return out,
            b'\n' => out.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    Vec::new()
}

/// Parses `text` (`src`, or `src` re-indented with `remap` from its bytes to `src`'s);
/// also returns where in `text` parsing failed.
fn parse_text<'s>(
    src: &'s str,
    text: &str,
    remap: Option<&[usize]>,
    all_documents: bool,
) -> (Yaml<'s>, Option<usize>) {
    let chars = CharIndex::new(text, remap);
    let mut failed_at = None;
    let mut yaml = Yaml {
        src,
        nodes: Vec::new(),
        root: None,
        documents: Vec::new(),
        error: None,
        merge_budget: Cell::new(MERGE_BUDGET),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut documents = 0;
    let mut parser = Parser::new_from_str(text).keep_tags(true);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(e) => {
                failed_at = Some(chars.local(e.marker().index()));
                let at = chars.byte(e.marker().index());
                let end = src
                    .get(at..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(at, |c| at + c.len_utf8());
                yaml.error = Some(YamlError {
                    message: e.info().to_string(),
                    span: Span::new(at, end),
                });
                break;
            }
        };
        let span = Span::new(chars.byte(span.start.index()), chars.byte(span.end.index()));
        let id = yaml.nodes.len();
        let event_is_seq = matches!(event, Event::SequenceStart(..));
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 && !all_documents {
                    break;
                }
                // Anchors do not reach across documents.
                anchors.clear();
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let mut span = strip_properties(src, span);
                if matches!(style, Style::SingleQuoted | Style::DoubleQuoted) {
                    span = end_at_closing_quote(src, span, style);
                }
                yaml.nodes.push(Node {
                    kind: Kind::Scalar {
                        value: value.into_owned(),
                        style,
                    },
                    span,
                    tag: tag.map(|t| t.to_string()),
                });
                if anchor != 0 {
                    anchors.insert(anchor, id);
                }
            }
            Event::Alias(anchor) => {
                let kind = match anchors.get(&anchor) {
                    Some(&target) => Kind::Alias(target),
                    None => Kind::Scalar {
                        value: String::new(),
                        style: Style::Plain,
                    },
                };
                yaml.nodes.push(Node {
                    kind,
                    span,
                    tag: None,
                });
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                let frame = if event_is_seq {
                    Frame::Seq(id, Vec::new())
                } else {
                    Frame::Map(id, Vec::new(), None)
                };
                yaml.nodes.push(Node {
                    kind: Kind::Seq(Vec::new()),
                    span: strip_properties(src, span),
                    tag: tag.map(|t| t.to_string()),
                });
                if anchor != 0 {
                    anchors.insert(anchor, id);
                }
                stack.push(frame);
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                let (node, kind) = match frame {
                    Frame::Seq(node, items) => (node, Kind::Seq(items)),
                    Frame::Map(node, pairs, _) => (node, Kind::Map(pairs)),
                };
                yaml.nodes[node].kind = kind;
                let start = yaml.nodes[node].span.start;
                yaml.nodes[node].span = Span::new(start, span.end.max(start));
                attach(&mut yaml, &mut stack, node);
                continue;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
        }
        attach(&mut yaml, &mut stack, id);
    }
    (yaml, failed_at)
}

fn attach(yaml: &mut Yaml<'_>, stack: &mut [Frame], id: NodeId) {
    match stack.last_mut() {
        None => {
            if yaml.root.is_none() {
                yaml.root = Some(id);
            }
            yaml.documents.push(id);
        }
        Some(Frame::Seq(_, items)) => items.push(id),
        Some(Frame::Map(_, pairs, pending)) => match pending.take() {
            None => *pending = Some(id),
            Some(key) => pairs.push((key, id)),
        },
    }
}

/// A quoted scalar's span ending at its closing quote: saphyr ends it where the next token
/// starts, so a trailing comment (`"root"  # why`) would be underlined with it.
fn end_at_closing_quote(src: &str, span: Span, style: Style) -> Span {
    let Some(text) = src.get(span.range()) else {
        return span;
    };
    let quote = if style == Style::DoubleQuoted {
        b'"'
    } else {
        b'\''
    };
    let bytes = text.as_bytes();
    if bytes.first() != Some(&quote) {
        return span;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if style == Style::DoubleQuoted => i += 2,
            b'\'' if style == Style::SingleQuoted && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Span::new(span.start, span.start + i + 1),
            _ => i += 1,
        }
    }
    span
}

/// A node's span without a leading anchor (`&a`) or tag (`!!str`).
fn strip_properties(src: &str, span: Span) -> Span {
    let Some(text) = src.get(span.range()) else {
        return span;
    };
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if !(trimmed.starts_with('&') || trimmed.starts_with('!')) {
            rest = if rest.len() == text.len() {
                rest
            } else {
                trimmed
            };
            break;
        }
        let end = trimmed
            .find(|c: char| c.is_whitespace())
            .unwrap_or(trimmed.len());
        rest = &trimmed[end..];
    }
    let start = span.end - rest.len();
    Span::new(start, span.end)
}

impl<'s> Yaml<'s> {
    pub fn source(&self) -> &'s str {
        self.src
    }

    /// Every node, aliases included, in document order of their start events.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[self.resolve(id)]
    }

    /// The node an alias stands for (aliases never point at aliases), else the node itself.
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match self.nodes[id].kind {
            Kind::Alias(target) => target,
            _ => id,
        }
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    /// A scalar's decoded value.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether a node is YAML's null (`~`, `null`, or nothing).
    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(&self.node(id).kind, Kind::Scalar { value, style: Style::Plain }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A plain scalar that YAML 1.2 reads as true.
    pub fn is_true(&self, id: NodeId) -> bool {
        matches!(&self.node(id).kind, Kind::Scalar { value, style: Style::Plain }
            if matches!(value.as_str(), "true" | "True" | "TRUE"))
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, Kind::Map(_))
    }

    /// The items of a sequence (none for anything else).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(id).kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    /// The pairs of a mapping, with the pairs of mappings merged in by `<<` after its own
    /// (a key already present wins; earlier merged mappings win over later ones).
    pub fn entries(&self, id: NodeId) -> Vec<(NodeId, NodeId)> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.collect_entries(self.resolve(id), 0, &mut out, &mut seen);
        out
    }

    fn collect_entries<'a>(
        &'a self,
        map: NodeId,
        depth: usize,
        out: &mut Vec<(NodeId, NodeId)>,
        seen: &mut std::collections::HashSet<&'a str>,
    ) {
        let Kind::Map(pairs) = &self.nodes[map].kind else {
            return;
        };
        let mut merges = Vec::new();
        for &(key, value) in pairs {
            if depth > 0 {
                let left = self.merge_budget.get();
                if left == 0 {
                    return;
                }
                self.merge_budget.set(left - 1);
            }
            let Some(name) = self.scalar(key) else {
                continue;
            };
            if name == "<<"
                && matches!(
                    self.node(key).kind,
                    Kind::Scalar {
                        style: Style::Plain,
                        ..
                    }
                )
            {
                merges.push(value);
                continue;
            }
            if seen.insert(name) {
                out.push((key, value));
            }
        }
        if depth >= MERGE_DEPTH {
            return;
        }
        for merge in merges {
            let merge = self.resolve(merge);
            match &self.nodes[merge].kind {
                Kind::Map(_) => self.collect_entries(merge, depth + 1, out, seen),
                Kind::Seq(items) => {
                    for &item in items {
                        let item = self.resolve(item);
                        if matches!(self.nodes[item].kind, Kind::Map(_)) {
                            self.collect_entries(item, depth + 1, out, seen);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The value under `key` in a mapping (merges followed), with the key node.
    pub fn get(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        // Own keys first, without the cost of collecting merges.
        if let Kind::Map(pairs) = &self.node(map).kind
            && let Some(&pair) = pairs.iter().find(|(k, _)| self.scalar(*k) == Some(key))
        {
            return Some(pair);
        }
        self.entries(map)
            .into_iter()
            .find(|(k, _)| self.scalar(*k) == Some(key))
    }

    /// The value under `key`, ignoring an explicit null.
    pub fn value(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get(map, key)
            .map(|(_, v)| v)
            .filter(|v| !self.is_null(*v))
    }

    /// A scalar's decoded text, each byte mapped to the source bytes it was decoded from
    /// (an escape sequence maps to the whole escape; a folded line break to the break).
    /// Where the decoding cannot be followed, the whole text maps onto the scalar's span.
    pub fn text(&self, id: NodeId) -> MappedText {
        let node = self.node(id);
        let span = node.span;
        let Kind::Scalar { value, style } = &node.kind else {
            return MappedText::new(span.start);
        };
        align(self.src, span, value, *style).unwrap_or_else(|| {
            let mut m = MappedText::new(span.start);
            for c in value.chars() {
                m.push_char(c, span.start, span.end);
            }
            m
        })
    }
}

/// Maps `value` onto the source text at `span` character by character, skipping the source
/// characters YAML removes (quotes, indentation, escapes' backslashes).
fn align(src: &str, span: Span, value: &str, style: Style) -> Option<MappedText> {
    let raw = src.get(span.range())?;
    let bytes = raw.as_bytes();
    let (mut j, end) = match style {
        Style::SingleQuoted | Style::DoubleQuoted if raw.len() >= 2 => (1, raw.len() - 1),
        _ => (0, raw.len()),
    };
    let mut out = MappedText::new(span.start);
    for c in value.chars() {
        loop {
            if j >= end {
                // Trailing line breaks that block scalars add.
                out.push_char(c, span.start + end, span.start + end);
                break;
            }
            let s = raw[j..].chars().next()?;
            if style == Style::DoubleQuoted && s == '\\' {
                let next = bytes.get(j + 1).copied();
                if matches!(next, Some(b'\n' | b'\r')) {
                    // An escaped line break: joins lines, produces nothing.
                    j += 2;
                    while j < end && matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r') {
                        j += 1;
                    }
                    continue;
                }
                let len = match next {
                    Some(b'x') => 4,
                    Some(b'u') => 6,
                    Some(b'U') => 10,
                    _ => 2,
                };
                let len = len.min(end - j);
                out.push_char(c, span.start + j, span.start + j + len);
                j += len;
                while !raw.is_char_boundary(j) {
                    j += 1;
                }
                break;
            }
            if style == Style::SingleQuoted && s == '\'' && bytes.get(j + 1) == Some(&b'\'') {
                out.push_char(c, span.start + j, span.start + j + 2);
                j += 2;
                break;
            }
            if s == c {
                out.push_char(c, span.start + j, span.start + j + s.len_utf8());
                j += s.len_utf8();
                break;
            }
            if matches!(c, ' ' | '\n') && matches!(s, '\n' | '\r') {
                let len = if raw[j..].starts_with("\r\n") { 2 } else { 1 };
                out.push_char(c, span.start + j, span.start + j + len);
                j += len;
                break;
            }
            if matches!(s, ' ' | '\t' | '\n' | '\r') {
                j += 1;
                continue;
            }
            return None;
        }
    }
    // The whole text covers the quotes, as a shell word does (see `MappedText::with_span`).
    Some(out.with_span(span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get_path(y: &Yaml<'_>, path: &[&str]) -> Option<NodeId> {
        let mut cur = y.root?;
        for key in path {
            cur = y.get(cur, key)?.1;
        }
        Some(cur)
    }

    #[test]
    fn spans_of_keys_and_values() {
        let src =
            "services:\n  web:\n    image: \"nginx:1\"\n    user: &u root\n    ports: ['80:80']\n";
        let y = parse(src);
        assert!(y.error.is_none());
        let image = get_path(&y, &["services", "web", "image"]).unwrap();
        assert_eq!(&src[y.span(image).range()], "\"nginx:1\"");
        assert_eq!(y.scalar(image), Some("nginx:1"));
        let t = y.text(image);
        assert_eq!(t.as_str(), "nginx:1");
        assert_eq!(&src[t.span_of(0..5).range()], "\"nginx");
        assert_eq!(&src[t.span_of(1..5).range()], "ginx");
        let user = get_path(&y, &["services", "web", "user"]).unwrap();
        assert_eq!(&src[y.span(user).range()], "root");
        let (key, _) = y
            .get(get_path(&y, &["services", "web"]).unwrap(), "ports")
            .unwrap();
        assert_eq!(&src[y.span(key).range()], "ports");
    }

    /// Regression: saphyr ends a quoted scalar followed by a comment at the end of the line, so
    /// findings underlined `"root"  # why` (compose NET002/USR001/DBG004 labels).
    #[test]
    fn quoted_scalar_before_comment_ends_at_its_quote() {
        let src = "a: \"root\"  # why\nb: 'it''s' # c\nc: [\"8000:8000\" # p\n  ]\nd: \"x\\\"y\" #q\ne: \"multi\n  line\" # m\nf: &a \"z\" # z\n";
        let y = parse(src);
        assert!(y.error.is_none(), "{:?}", y.error);
        let span = |path: &[&str]| &src[y.span(get_path(&y, path).unwrap()).range()];
        assert_eq!(span(&["a"]), "\"root\"");
        assert_eq!(span(&["b"]), "'it''s'");
        let c = get_path(&y, &["c"]).unwrap();
        assert_eq!(&src[y.span(y.items(c)[0]).range()], "\"8000:8000\"");
        assert_eq!(span(&["d"]), "\"x\\\"y\"");
        assert_eq!(span(&["e"]), "\"multi\n  line\"");
        assert_eq!(span(&["f"]), "\"z\"");
        assert_eq!(y.text(get_path(&y, &["a"]).unwrap()).as_str(), "root");
    }

    #[test]
    fn escapes_and_folding_map_back() {
        let src = "a: \"x\\ty z\"\nb: >\n  one\n  two\nc: 'it''s'\n";
        let y = parse(src);
        let a = get_path(&y, &["a"]).unwrap();
        let t = y.text(a);
        assert_eq!(t.as_str(), "x\ty z");
        assert!(src[t.span_of(1..2).range()].starts_with('\\'));
        assert_eq!(&src[t.span_of(4..5).range()], "z\"");
        let b = get_path(&y, &["b"]).unwrap();
        let t = y.text(b);
        assert_eq!(t.as_str(), "one two\n");
        assert_eq!(&src[t.span_of(4..7).range()], "two");
        let c = get_path(&y, &["c"]).unwrap();
        let t = y.text(c);
        assert_eq!(t.as_str(), "it's");
        assert_eq!(&src[t.span_of(3..4).range()], "s'");
    }

    #[test]
    fn merge_keys() {
        let src = "base: &b\n  A: 1\n  B: 2\nx:\n  <<: *b\n  B: 3\ny:\n  <<: [*b]\n";
        let y = parse(src);
        let x = get_path(&y, &["x"]).unwrap();
        let keys: Vec<_> = y
            .entries(x)
            .into_iter()
            .map(|(k, v)| (y.scalar(k).unwrap(), y.scalar(v).unwrap()))
            .collect();
        assert_eq!(keys, [("B", "3"), ("A", "1")]);
        assert_eq!(y.scalar(get_path(&y, &["y", "A"]).unwrap()), Some("1"));
    }

    #[test]
    fn billion_laughs_stays_small() {
        let mut src = String::from(
            "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
            ));
        }
        // And merges that multiply.
        src.push_str("m0: &m0 {k: v}\n");
        for i in 1..30 {
            let p = i - 1;
            src.push_str(&format!(
                "m{i}: &m{i} {{<<: [*m{p}, *m{p}, *m{p}], k{i}: v}}\n"
            ));
        }
        let start = std::time::Instant::now();
        let y = parse(&src);
        assert!(y.error.is_none(), "{:?}", y.error);
        assert!(y.nodes().len() < 2000);
        let last = get_path(&y, &["m29"]).unwrap();
        let _ = y.entries(last);
        for _ in 0..100 {
            let _ = y.get(last, "missing");
        }
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn errors_and_hostile_input() {
        let y = parse("a: [1, 2\nb: c\n");
        assert!(y.error.is_some());
        let y = parse("a: b\n  c: d\n");
        assert!(y.error.is_some());
        // Deep nesting: no recursion in building.
        let deep = "[".repeat(100_000);
        let _ = parse(&deep);
        let deep = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
        let y = parse(&deep);
        assert!(y.root.is_some() || y.error.is_some());
        // A self-referencing merge.
        let y = parse("a: &a\n  <<: *a\n  k: v\n");
        if let Some(root) = y.root
            && let Some((_, a)) = y.get(root, "a")
        {
            let _ = y.entries(a);
        }
        let y = parse("é: \"ü\\u00e9x\"\n");
        let v = get_path(&y, &["é"]).unwrap();
        let t = y.text(v);
        assert_eq!(t.as_str(), "üéx");
        assert_eq!(&"é: \"ü\\u00e9x\"\n"[t.span_of(4..5).range()], "x\"");
    }

    #[test]
    fn streams_keep_every_document() {
        let src = "a: 1\n---\nb: &x 2\n---\n# only a comment\n---\nc: *x\n";
        let y = parse_stream(src);
        assert!(y.error.is_none());
        assert_eq!(y.documents.len(), 4);
        assert_eq!(y.root, Some(y.documents[0]));
        assert_eq!(y.scalar(y.value(y.documents[1], "b").unwrap()), Some("2"));
        assert!(y.is_null(y.documents[2]));
        // An anchor of an earlier document is not visible in a later one.
        assert!(y.value(y.documents[3], "c").is_none());
        // `parse` still stops after the first document.
        assert_eq!(parse(src).documents.len(), 1);
        // An error in a later document keeps the ones before it.
        let broken = parse_stream("a: 1\n---\nb: [\n");
        assert!(broken.error.is_some());
        assert_eq!(broken.documents.len(), 1);
    }

    /// Regression: a quoted scalar whose closing line sits in its key's column (go-yaml and
    /// PyYAML accept it; a real manifest in the corpus has one) was a syntax error.
    #[test]
    fn quoted_scalar_closing_in_the_key_column() {
        let src = "a:\n  k: '[\n    {\"x\": 1}\n  ]'\n  j: \"x\n  y\"\nb: 2\n";
        let y = parse(src);
        assert!(y.error.is_none(), "{:?}", y.error);
        let k = get_path(&y, &["a", "k"]).unwrap();
        assert_eq!(y.scalar(k), Some("[ {\"x\": 1} ]"));
        assert_eq!(&src[y.span(k).range()], "'[\n    {\"x\": 1}\n  ]'");
        assert_eq!(y.scalar(get_path(&y, &["a", "j"]).unwrap()), Some("x y"));
        // An unclosed one stays an error.
        assert!(parse("a:\n  k: '[\n  ]\n").error.is_some());
    }
}
