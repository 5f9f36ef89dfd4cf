//! `--add-suppressions` (ruff's `--add-noqa`): where a suppression comment for a finding goes
//! in each format. Dockerfiles, systemd units and Apache files get a comment line above the
//! statement (with its indentation, never inside a continuation or heredoc: `#` after an
//! instruction is part of it, systemd has no trailing comments and Apache reads `#` as a
//! comment only at the start of a line). Python, gunicorn configs, compose files and Procfiles
//! get a trailing `# deploylint: ignore[CODE]`, or a line above when the line ends inside a
//! string, a block scalar or a backslash continuation. Codes join an existing suppression on
//! that line; a finding with no valid place is left and reported.

use super::Edit;
use crate::catalog::Format;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::statements::{self, Statement};
use crate::suppress::{self, Directive};
use std::collections::{BTreeMap, BTreeSet};

/// Where a suppression comment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// At the end of this zero-based line.
    Trailing(usize),
    /// On its own line, above this zero-based line.
    Above(usize),
}

/// The comments to write for a file's findings.
#[derive(Debug, Default)]
pub struct Placed {
    pub edits: Vec<Edit>,
    /// Comments written or extended.
    pub comments: usize,
    /// Findings that got a place.
    pub findings: usize,
    /// Findings with no valid place: (code, zero-based line, why).
    pub unplaced: Vec<(String, usize, &'static str)>,
}

fn trailing_comments(format: Format) -> bool {
    matches!(
        format,
        Format::Python
            | Format::Gunicorn
            | Format::Compose
            | Format::Procfile
            | Format::Kubernetes
            | Format::Nginx
    )
}

/// Whether the text of `line` (without its line break) ends with a backslash continuation.
fn continues(source: &SourceFile, line: usize) -> bool {
    let text = source.slice(source.line_span(line)).trim_end();
    let trailing = text.bytes().rev().take_while(|&b| b == b'\\').count();
    trailing % 2 == 1
}

/// Whether a comment may end `line`: its end is not inside a multi-line statement (a string,
/// a scalar), other than after a block scalar's header, nor before a continuation.
fn trailing_ok(source: &SourceFile, format: Format, statements: &[Statement], line: usize) -> bool {
    let inside = statements
        .iter()
        .any(|s| s.first <= line && line < s.last && !(s.first == line && s.comment_after_first));
    let continued = matches!(format, Format::Python | Format::Gunicorn) && continues(source, line);
    !inside && !continued
}

/// Whether a comment line may go above `line`: its start is not inside a statement and the line
/// before does not continue onto it.
fn above_ok(source: &SourceFile, format: Format, statements: &[Statement], line: usize) -> bool {
    let inside = statements.iter().any(|s| s.first < line && line <= s.last);
    let continued = line > 0
        && matches!(format, Format::Python | Format::Gunicorn)
        && continues(source, line - 1);
    !inside && !continued
}

/// Where the suppression for a finding on `line` goes, or why it cannot go anywhere.
pub fn place(
    source: &SourceFile,
    format: Format,
    statements: &[Statement],
    line: usize,
) -> Result<Place, &'static str> {
    let statement = statements::containing(statements, line);
    if !trailing_comments(format) {
        // The statement's first line: a comment inside a continuation or heredoc would be
        // part of it (or, in a heredoc, of the script).
        return Ok(Place::Above(statement.map_or(line, |s| s.first)));
    }
    if trailing_ok(source, format, statements, line) {
        return Ok(Place::Trailing(line));
    }
    if let Some(s) = statement {
        if s.comment_after_first {
            return Ok(Place::Trailing(s.first));
        }
        if above_ok(source, format, statements, s.first) {
            return Ok(Place::Above(s.first));
        }
        return Err("the statement starts inside another that no comment can enter");
    }
    if above_ok(source, format, statements, line) {
        return Ok(Place::Above(line));
    }
    Err("the line ends in a continuation and starts inside one")
}

/// The suppression comment text for `codes`.
fn directive(codes: &BTreeSet<&str>) -> String {
    format!(
        "# deploylint: ignore[{}]",
        codes.iter().copied().collect::<Vec<_>>().join(", ")
    )
}

/// Adds `codes` to an existing list-form directive.
fn extend(directive: &Directive, codes: &BTreeSet<&str>) -> Option<Edit> {
    let end = directive.list_end?;
    let joined = codes.iter().copied().collect::<Vec<_>>().join(", ");
    let content = if directive.has_items {
        format!(", {joined}")
    } else {
        joined
    };
    Some(Edit::insert(end, content))
}

/// The edits that suppress `findings` (all in `source`, read as `format`).
pub fn place_all(
    source: &SourceFile,
    format: Format,
    catalog: &crate::catalog::Catalog,
    findings: &[&Diagnostic],
) -> Placed {
    let text = source.text();
    let statements = statements::multi_line(source, format);
    let directives = suppress::directives(source, format, catalog);
    let mut placed = Placed::default();
    let mut by_place: BTreeMap<Place, BTreeSet<&str>> = BTreeMap::new();
    for d in findings {
        let line = source.line_index(source.clamp(d.span).start);
        match place(source, format, &statements, line) {
            Ok(at) => {
                by_place.entry(at).or_default().insert(d.code.as_str());
                placed.findings += 1;
            }
            Err(why) => placed.unplaced.push((d.code.clone(), line, why)),
        }
    }
    let eol = super::line_ending(text);
    for (at, codes) in by_place {
        let edit = match at {
            Place::Trailing(line) => {
                let existing = directives
                    .iter()
                    .find(|d| d.line == line && !d.file_wide && !d.all);
                match existing.and_then(|d| extend(d, &codes)) {
                    Some(edit) => edit,
                    None => {
                        let span = source.line_span(line);
                        let content = source.slice(span);
                        let gap = if content.ends_with([' ', '\t']) {
                            ""
                        } else {
                            "  "
                        };
                        Edit::insert(span.end, format!("{gap}{}", directive(&codes)))
                    }
                }
            }
            Place::Above(line) => {
                let existing = directives.iter().find(|d| {
                    line > 0 && d.line == line - 1 && d.own_line && !d.file_wide && !d.all
                });
                match existing.and_then(|d| extend(d, &codes)) {
                    Some(edit) => edit,
                    None => {
                        let start = source.line_span(line).start;
                        let indent = super::indentation_at(text, start);
                        // A file whose last line has no line break gets none added.
                        Edit::insert(start, format!("{indent}{}{eol}", directive(&codes)))
                    }
                }
            }
        };
        placed.edits.push(edit);
        placed.comments += 1;
    }
    placed.edits.sort_by_key(|e| (e.span.start, e.span.end));
    placed
}

/// Where offset `at` of the text moves once insertions `edits` (sorted) are applied.
pub fn shift(edits: &[Edit], at: usize) -> usize {
    at + edits
        .iter()
        .filter(|e| e.span.start <= at)
        .map(|e| e.content.len() as isize - e.span.len() as isize)
        .sum::<isize>() as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Settings, lint_source};
    use crate::fix::apply::apply_edits;
    use crate::kinds::{self, Detection};
    use std::path::Path;

    /// The text with suppressions added for every finding but SUP001, and what stays reported
    /// when it is linted again.
    fn suppressed(name: &str, text: &str) -> (String, Vec<String>) {
        let format = match kinds::detect_by_name(Path::new(name)) {
            Detection::Known(f) => f,
            _ => panic!("{name}"),
        };
        let source = SourceFile::new(name, text);
        let settings = Settings::default();
        let found = lint_source(&source, format, &settings);
        assert!(!found.is_empty(), "no finding in {text:?}");
        let targets: Vec<&Diagnostic> = found.iter().filter(|d| d.code != "SUP001").collect();
        let placed = place_all(&source, format, settings.catalog(), &targets);
        assert!(placed.unplaced.is_empty(), "{:?}", placed.unplaced);
        let after = apply_edits(text, &placed.edits);
        let left = lint_source(&SourceFile::new(name, after.clone()), format, &settings)
            .into_iter()
            .map(|d| d.code)
            .collect();
        (after, left)
    }

    #[test]
    fn dockerfile_comments_go_above_the_instruction() {
        let (after, left) = suppressed(
            "Dockerfile",
            "FROM python:3.12\n  RUN pip install x && \\\n    chmod 777 /srv && \\\n    true\nCMD [\"python\", \"app.py\"]\n",
        );
        assert_eq!(
            after,
            "# deploylint: ignore[USR001]\nFROM python:3.12\n  # deploylint: ignore[FS001]\n  RUN pip install x && \\\n    chmod 777 /srv && \\\n    true\nCMD [\"python\", \"app.py\"]\n"
        );
        assert!(left.is_empty(), "{left:?}\n{after}");
        // In a heredoc the comment would be part of the script.
        let (after, left) = suppressed(
            "Dockerfile",
            "FROM python:3.12\nUSER app\nRUN <<EOF\nmkdir /data\nchmod 777 /data\nEOF\n",
        );
        assert_eq!(
            after,
            "FROM python:3.12\nUSER app\n# deploylint: ignore[FS001]\nRUN <<EOF\nmkdir /data\nchmod 777 /data\nEOF\n"
        );
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn systemd_and_apache_comments_are_own_lines() {
        let unit =
            "[Service]\r\nExecStart=/usr/bin/gunicorn \\\r\n  --bind 0.0.0.0:8000 app:app\r\n";
        let (after, left) = suppressed("app.service", unit);
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert_eq!(
            after,
            "# deploylint: ignore[SBX001, USR001, WSG008]\r\n[Service]\r\n# deploylint: ignore[NET001]\r\nExecStart=/usr/bin/gunicorn \\\r\n  --bind 0.0.0.0:8000 app:app\r\n"
        );
        let site =
            "<VirtualHost *:80>\n    ServerTokens OS\n    ServerSignature On\n</VirtualHost>\n";
        let (after, left) = suppressed("apache2/site.conf", site);
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert!(
            after.contains("    # deploylint: ignore[DIS001]\n    ServerTokens OS\n"),
            "{after}"
        );
    }

    #[test]
    fn python_and_yaml_comments_trail_the_line() {
        let (after, left) = suppressed(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0',  # public on purpose\n        debug=True)\n",
        );
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert_eq!(
            after,
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0',  # public on purpose  # deploylint: ignore[NET001]\n        debug=True)  # deploylint: ignore[DBG001]\n"
        );
        // Codes join a suppression already on the line.
        let (after, left) = suppressed(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)  # deploylint: ignore[NET001]\n",
        );
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert!(
            after.ends_with("debug=True)  # deploylint: ignore[NET001, DBG001]\n"),
            "{after}"
        );
        let compose = "services:\r\n  web:\r\n    build: .\r\n    ports: [\"5000:5000\",\r\n      \"6000:6000\"]\r\n    command: >\r\n      gunicorn --reload\r\n      app:app\r\n";
        let (after, left) = suppressed("compose.yaml", compose);
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert_eq!(
            after,
            "services:\r\n  web:\r\n    build: .\r\n    ports: [\"5000:5000\",  # deploylint: ignore[NET002]\r\n      \"6000:6000\"]  # deploylint: ignore[NET002]\r\n    command: >  # deploylint: ignore[DEV002]\r\n      gunicorn --reload\r\n      app:app\r\n"
        );
    }

    #[test]
    fn strings_and_continuations_move_the_comment_above() {
        // The line ends inside a string: the comment goes above the statement.
        let (after, left) = suppressed(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True, extra='''\nx''')\n",
        );
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert!(
            after.contains("# deploylint: ignore[DBG001]\napp.run(debug=True, extra='''"),
            "{after}"
        );
        // A backslash continuation: a comment after it would end the statement.
        let (after, left) = suppressed(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\napp.debug = \\\n    True\n",
        );
        assert!(left.is_empty(), "{left:?}\n{after}");
        assert!(
            after.contains("# deploylint: ignore[DBG001]\napp.debug = \\\n"),
            "{after}"
        );
    }

    #[test]
    fn offsets_shift_past_insertions() {
        let edits = vec![Edit::insert(2, "ab"), Edit::insert(5, "c")];
        assert_eq!(shift(&edits, 0), 0);
        assert_eq!(shift(&edits, 2), 4);
        assert_eq!(shift(&edits, 6), 9);
    }
}
