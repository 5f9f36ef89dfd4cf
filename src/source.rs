//! A loaded file: its text, a line index, and byte spans into it.

use std::path::{Path, PathBuf};

/// A half-open byte range `start..end` into a file's text, always on UTF-8 boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// One file's text with a line index; positions are computed on demand.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A leading UTF-8 byte-order mark is dropped: it is not part of the content, and keeping
    /// it would shift every column of line 1 (and the first token) in every format. Spans are
    /// offsets into the text without it; no output shows byte offsets, only lines and columns.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(&text));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Zero-based line index containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte span of a zero-based line, without its line terminator.
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// One-based line and one-based column counted in characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// Clamps a span into the text and onto character boundaries, so a renderer never panics.
    pub fn clamp(&self, span: Span) -> Span {
        let floor = |mut i: usize| {
            i = i.min(self.text.len());
            while !self.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(span.start);
        Span::new(start, floor(span.end).max(start))
    }
}

/// A path as users type it and as every output prints it: no `.` components (`./a/./b` and
/// `a//b` become `a/b`), `..` kept (only the file system knows what it crosses). Findings,
/// labels and loaded files all carry paths in this form, so one file has one name.
pub fn normalize_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let normal: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if normal.as_os_str().is_empty() && !path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        normal
    }
}

/// `std::path::absolute(path)` (no symlinks resolved, `..` kept), or `path` itself when it
/// cannot be made absolute, with the working directory read once per process instead of a
/// `getcwd` per call: walks ask this of every entry. deploylint never changes its directory.
pub fn absolute(path: &Path) -> PathBuf {
    static WORKING_DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let relative = !path.is_absolute() && !path.as_os_str().is_empty();
    let joined;
    let path = match WORKING_DIR.get_or_init(|| std::env::current_dir().ok()) {
        Some(cwd) if relative => {
            joined = cwd.join(path);
            joined.as_path()
        }
        _ => path,
    };
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

/// Text assembled from pieces of a file (a logical line joined across continuations,
/// an unquoted word) that remembers where each of its bytes came from.
///
/// The mapping is stored as runs (a byte index of the text and the original offset it maps
/// to, the following bytes mapping contiguously up to the next run), so a line copied from
/// the file costs one run rather than an offset per byte: parsers keep many of these, and a
/// per-byte table made their memory many times the file's size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedText {
    text: String,
    /// `(index in text, original offset)`, ascending; the first starts at 0 when the text is
    /// non-empty. Normalised (no run continues the previous one), so equal mappings compare
    /// equal.
    runs: Vec<(usize, usize)>,
    /// Original offset just past the last byte, for empty and end-of-text spans.
    end_origin: usize,
    /// The text stands for `runs[0]..end_origin` as a whole (a value after substitution, a
    /// word the tool supplies): every non-empty part of it maps to that whole span, since a
    /// byte-for-byte mapping would point inside characters it has nothing to do with.
    whole: bool,
}

impl MappedText {
    pub fn new(at: usize) -> Self {
        MappedText {
            text: String::new(),
            runs: Vec::new(),
            end_origin: at,
            whole: false,
        }
    }

    /// Text that is not in the file but stands for `span` of it as a whole: an option's value
    /// after substitution, or a word a program adds (Docker's implied `/bin/sh -c`, given an
    /// empty span).
    pub fn standing_for(text: &str, span: Span) -> Self {
        MappedText {
            text: text.to_string(),
            runs: if text.is_empty() {
                Vec::new()
            } else {
                vec![(0, span.start)]
            },
            end_origin: span.end,
            whole: true,
        }
    }

    /// Text copied verbatim from the file at `span`.
    pub fn from_span(source: &str, span: Span) -> Self {
        let mut m = MappedText::new(span.start);
        m.push_str(&source[span.range()], span.start);
        m
    }

    /// Maps text byte `index` (and the bytes after it) to `origin` onward.
    fn push_run(runs: &mut Vec<(usize, usize)>, index: usize, origin: usize) {
        if let Some(&(i, o)) = runs.last() {
            if o + (index - i) == origin {
                return;
            }
            if i == index {
                runs.pop();
                return MappedText::push_run(runs, index, origin);
            }
        }
        runs.push((index, origin));
    }

    /// Appends `s`, which starts at original offset `origin` and is contiguous there.
    pub fn push_str(&mut self, s: &str, origin: usize) {
        self.split_whole();
        if !s.is_empty() {
            MappedText::push_run(&mut self.runs, self.text.len(), origin);
        }
        self.text.push_str(s);
        self.end_origin = origin + s.len();
    }

    /// Appends a character that stands for the original bytes `origin..origin_end`
    /// (an escape sequence, say).
    ///
    /// The character's first byte maps to `origin`; for a multi-byte character the last byte
    /// maps to `origin_end - 1`, so a span ending after it ends at `origin_end` (an escaped
    /// `\é` must not end inside the `é`).
    pub fn push_char(&mut self, c: char, origin: usize, origin_end: usize) {
        self.split_whole();
        let at = self.text.len();
        let len = c.len_utf8();
        self.text.push(c);
        MappedText::push_run(&mut self.runs, at, origin);
        if len > 1 {
            let last = origin_end.saturating_sub(1).max(origin);
            MappedText::push_run(&mut self.runs, at + len - 1, last);
        }
        self.end_origin = origin_end;
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Makes the whole text span `span` of the file, as a word whose quotes were removed
    /// covers them: the first character maps to `span.start` and the end to `span.end`.
    pub fn with_span(mut self, span: Span) -> Self {
        if self.whole {
            return MappedText::standing_for(&self.text, span);
        }
        // Only the first byte: the others keep mapping into the character, so a span that
        // ends after it ends on a character boundary.
        if !self.text.is_empty() {
            let mut runs = Vec::with_capacity(self.runs.len() + 1);
            runs.push((0, span.start));
            if self.text.len() > 1 {
                MappedText::push_run(&mut runs, 1, self.origin(1));
            }
            for &(i, o) in self.runs.iter().filter(|r| r.0 > 1) {
                MappedText::push_run(&mut runs, i, o);
            }
            self.runs = runs;
        }
        self.end_origin = span.end;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Original offset of byte `i` of the text (or the end, for `i == len`).
    pub fn origin(&self, i: usize) -> usize {
        if i >= self.text.len() {
            return self.end_origin;
        }
        if self.whole {
            return self.runs[0].1;
        }
        let (index, origin) = self.runs[self.runs.partition_point(|r| r.0 <= i) - 1];
        origin + (i - index)
    }

    /// The original offset of byte `i` and the end of the run holding it: bytes `i..end` map
    /// to consecutive offsets from there. `None` past the end and for a text that stands for
    /// its span as a whole (no byte of it maps on its own).
    pub fn run_at(&self, i: usize) -> Option<(usize, usize)> {
        if self.whole || i >= self.text.len() {
            return None;
        }
        let k = self.runs.partition_point(|r| r.0 <= i) - 1;
        let (index, origin) = self.runs[k];
        let end = self.runs.get(k + 1).map_or(self.text.len(), |r| r.0);
        Some((origin + (i - index), end))
    }

    /// Maps a byte range of the assembled text back to a span of the file.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        let floor = |mut i: usize| {
            while !self.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let first = floor(range.start.min(self.text.len()));
        if range.start >= range.end {
            return Span::empty(self.origin(first));
        }
        if self.whole {
            return Span::new(self.origin(0), self.end_origin);
        }
        let start = self.origin(first);
        let last_char_start = floor((range.end - 1).min(self.text.len().saturating_sub(1)));
        let last_len = self.text[last_char_start..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        // Past the last byte of the last character (see `push_char`), but never past the
        // text's own end: characters that stand for nothing in the file (`push_char(c, at,
        // at)`, as Docker's implied `/bin/sh -c`) then give empty spans at `at`.
        let end = if range.end >= self.text.len() {
            self.end_origin
        } else {
            (self.origin(last_char_start + last_len - 1) + 1).min(self.end_origin)
        };
        Span::new(start, end.max(start))
    }

    /// Span of the whole text in the file.
    pub fn span(&self) -> Span {
        self.span_of(0..self.text.len())
    }

    /// A sub-slice that keeps its mapping.
    pub fn sub(&self, range: std::ops::Range<usize>) -> MappedText {
        if self.whole {
            let span = Span::new(self.origin(0), self.end_origin);
            return MappedText::standing_for(&self.text[range], span);
        }
        let mut runs = Vec::new();
        if !range.is_empty() {
            runs.push((0, self.origin(range.start)));
            for &(i, o) in &self.runs {
                if i > range.start && i < range.end {
                    MappedText::push_run(&mut runs, i - range.start, o);
                }
            }
        }
        MappedText {
            text: self.text[range.clone()].to_string(),
            runs,
            end_origin: if range.end == self.text.len() {
                self.end_origin
            } else {
                self.origin(range.end)
            },
            whole: false,
        }
    }

    /// Before appending to a text that stands for a span as a whole: every character of it
    /// then stands for that span on its own.
    fn split_whole(&mut self) {
        if !self.whole {
            return;
        }
        let (start, end) = (self.origin(0), self.end_origin);
        let text = std::mem::take(&mut self.text);
        *self = MappedText::new(start);
        for c in text.chars() {
            self.push_char(c, start, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_is_std_absolute_without_a_getcwd_per_call() {
        for given in [
            ".", "./", "a", "./a/./b", "a/../b", "a/", "../x", "/", "/a/./b/", "//a", "///a",
        ] {
            assert_eq!(
                absolute(Path::new(given)),
                std::path::absolute(given).unwrap(),
                "{given}"
            );
        }
        assert_eq!(absolute(Path::new("")), PathBuf::new());
    }

    #[test]
    fn paths_lose_their_dot_components() {
        for (given, normal) in [
            ("./Dockerfile", "Dockerfile"),
            ("fixtures/sample/./Dockerfile", "fixtures/sample/Dockerfile"),
            ("a//b/./c/", "a/b/c"),
            ("/srv/./app", "/srv/app"),
            ("a/../b", "a/../b"),
            (".", "."),
            ("./", "."),
        ] {
            assert_eq!(
                normalize_path(Path::new(given)),
                Path::new(normal),
                "{given}"
            );
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "ab\néé x\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' is after two 2-byte chars and a space.
        assert_eq!(f.line_col(8), (2, 4));
        assert_eq!(f.line_col(f.text().len()), (3, 1));
    }

    #[test]
    fn byte_order_mark_is_not_a_column() {
        let f = SourceFile::new("x", "\u{feff}app.run()\n");
        assert_eq!(f.text(), "app.run()\n");
        assert_eq!(f.line_col(0), (1, 1));
    }

    #[test]
    fn line_span_strips_crlf() {
        let f = SourceFile::new("x", "ab\r\ncd");
        assert_eq!(f.slice(f.line_span(0)), "ab");
        assert_eq!(f.slice(f.line_span(1)), "cd");
    }

    #[test]
    fn escaped_multibyte_character_spans_whole_escape() {
        // `\é` unescaped to `é`: its span is the backslash and the whole `é`.
        let src = "\\é!";
        let mut m = MappedText::new(0);
        m.push_char('é', 0, 3);
        m.push_str("!", 3);
        assert_eq!(m.span_of(0..2), Span::new(0, 3));
        assert_eq!(&src[m.span_of(0..2).range()], "\\é");
        // A quoted multi-byte first character keeps its end inside the word.
        let q = MappedText::from_span("'éx'", Span::new(1, 4)).with_span(Span::new(0, 5));
        assert_eq!(q.span_of(0..2), Span::new(0, 3));
    }

    #[test]
    fn characters_that_stand_for_nothing_have_empty_spans() {
        let mut m = MappedText::new(7);
        for c in "/bin/sh".chars() {
            m.push_char(c, 7, 7);
        }
        assert_eq!(m.span_of(0..1), Span::empty(7));
        assert_eq!(m.span_of(1..4), Span::empty(7));
        assert_eq!(m.span(), Span::empty(7));
    }

    #[test]
    fn text_standing_for_a_span_maps_every_part_to_all_of_it() {
        // `module = %(m):app` with m=é: no part of "é:app" is in the file byte for byte.
        let m = MappedText::standing_for("é:app", Span::new(9, 17));
        assert_eq!(m.span_of(0..2), Span::new(9, 17));
        assert_eq!(m.span_of(3..5), Span::new(9, 17));
        assert_eq!(m.span_of(2..2), Span::empty(9));
        assert_eq!(m.sub(3..6).span(), Span::new(9, 17));
        assert_eq!(
            m.clone().with_span(Span::new(8, 18)).span(),
            Span::new(8, 18)
        );
        // Docker's implied shell stands for nothing in the file.
        assert_eq!(
            MappedText::standing_for("-c", Span::empty(4)).span(),
            Span::empty(4)
        );
        // Appended text keeps its own mapping.
        let mut joined = MappedText::standing_for("ab", Span::new(0, 4));
        joined.push_str("cd", 10);
        assert_eq!(joined.span_of(2..4), Span::new(10, 12));
        assert_eq!(joined.as_str(), "abcd");
    }

    #[test]
    fn mapped_text_maps_across_a_gap() {
        // "RUN a \\\n  b": join "a " and "b" across the continuation.
        let src = "RUN a \\\n  b";
        let mut m = MappedText::new(4);
        m.push_str("a ", 4);
        m.push_str("b", 10);
        assert_eq!(m.as_str(), "a b");
        assert_eq!(m.span_of(2..3), Span::new(10, 11));
        assert_eq!(&src[m.span_of(0..3).range()], "a \\\n  b");
        assert_eq!(m.span_of(1..1), Span::empty(5));
    }
}
