//! Annotated source snippets rendered by ariadne, followed by a summary line.

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Outcome;
use crate::source::{SourceFile, Span};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use std::io::{self, Write};

use super::RenderOptions;

/// One label as drawn: the file it is in (as the cache knows it), where, and what it says.
struct Drawn<'a> {
    id: String,
    span: Span,
    message: &'a str,
    color: Color,
}

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(options.color);
    // Every id handed to ariadne is the path of one of these sources: ariadne prints its own
    // "Unable to fetch source" error on stderr for any other.
    let cache_sources: Vec<(String, String)> = outcome
        .sources
        .iter()
        .map(|s| (id_of(s), s.text().to_string()))
        .collect();
    let mut cache = ariadne::sources(cache_sources);
    for d in &outcome.diagnostics {
        let Some(source) = outcome.source(&d.path) else {
            write_without_source(d, out)?;
            continue;
        };
        let id = id_of(source);
        let span = source.clamp(d.span);
        let (kind, color) = match d.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            // Written "Info" below, as every other output format says.
            Severity::Info => (ReportKind::Advice, Color::Cyan),
        };
        let mut report = Report::build(kind, (id.clone(), span.range()))
            .with_config(config)
            .with_code(format!("{} {}", d.code, d.name))
            .with_message(&d.message);
        // ariadne draws no underline for a label without a message.
        let mut drawn = vec![Drawn {
            id: id.clone(),
            span,
            message: &d.message,
            color,
        }];
        for label in &d.labels {
            let label_source = match &label.path {
                None => Some(source),
                Some(p) => outcome.source(p),
            };
            match label_source {
                Some(s) => drawn.push(Drawn {
                    id: id_of(s),
                    span: s.clamp(label.span),
                    message: &label.message,
                    color: Color::Blue,
                }),
                // A file that was not loaded cannot be drawn; say where the label is instead.
                None => {
                    let path = label.path.as_deref().unwrap_or(&d.path);
                    report = report.with_note(format!("{}: {}", path.display(), label.message));
                }
            }
        }
        for label in in_drawing_order(drawn, &id) {
            report = report.with_label(
                Label::new((label.id, label.span.range()))
                    .with_message(label.message)
                    .with_color(label.color),
            );
        }
        if let Some(help) = &d.help {
            report = report.with_help(reflow(help, HELP_WIDTH));
        }
        if d.severity == Severity::Info {
            let mut buffer = Vec::new();
            report.finish().write(&mut cache, &mut buffer)?;
            out.write_all(&advice_as_info(buffer))?;
        } else {
            report.finish().write(&mut cache, &mut *out)?;
        }
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(out, "{}", super::summary(outcome))
}

/// ariadne names its third kind "Advice" and colours a custom kind even with colour off, so
/// an info report is drawn as advice and its header says "Info" (the header comes first, and
/// `] Advice:` cannot occur in a rule's code and name before it).
fn advice_as_info(report: Vec<u8>) -> Vec<u8> {
    const ADVICE: &[u8] = b"] Advice:";
    match report.windows(ADVICE.len()).position(|w| w == ADVICE) {
        Some(at) => [&report[..at], b"] Info:", &report[at + ADVICE.len()..]].concat(),
        None => report,
    }
}

/// Characters per line of help text (the catalog's `fix:` texts are wrapped about so).
const HELP_WIDTH: usize = 90;

/// Help with every line longer than `width` characters wrapped: the catalog's `fix:` texts
/// come wrapped by hand, a rule's own help usually as one line. A short code span
/// (`` `USER app` ``) is not split.
fn reflow(text: &str, width: usize) -> String {
    text.lines()
        .map(|line| {
            if line.chars().count() <= width {
                line.to_string()
            } else {
                wrap(line, width)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest code span kept whole by `wrap`.
const MAX_UNSPLIT_CODE: usize = 40;

fn wrap(line: &str, width: usize) -> String {
    let mut atoms: Vec<String> = Vec::new();
    for word in line.split_whitespace() {
        match atoms.last_mut() {
            Some(atom)
                if atom.matches('`').count() % 2 == 1
                    && atom.chars().count() + 1 + word.chars().count() <= MAX_UNSPLIT_CODE =>
            {
                atom.push(' ');
                atom.push_str(word);
            }
            _ => atoms.push(word.to_string()),
        }
    }
    let mut out = String::new();
    let mut line_len = 0;
    for atom in &atoms {
        let len = atom.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(atom);
        line_len += len;
    }
    out
}

fn id_of(source: &SourceFile) -> String {
    source.path().display().to_string()
}

/// ariadne starts a new snippet (with the file's header again) for a label that ends on an
/// earlier line than the label before it, so labels go in file by file (the finding's own file
/// first) and, within a file, by where they end.
fn in_drawing_order<'a>(mut drawn: Vec<Drawn<'a>>, primary: &str) -> Vec<Drawn<'a>> {
    let mut files: Vec<String> = vec![primary.to_string()];
    for label in &drawn {
        if !files.contains(&label.id) {
            files.push(label.id.clone());
        }
    }
    drawn.sort_by_key(|l| {
        let file = files.iter().position(|f| *f == l.id).unwrap_or(usize::MAX);
        (file, l.span.end, l.span.start)
    });
    drawn
}

/// A finding whose file text is not at hand (it could not be read again for rendering): its
/// header, location and help as plain lines, never a snippet of nothing.
fn write_without_source(d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    let kind = match d.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Info",
    };
    writeln!(out, "[{} {}] {kind}: {}", d.code, d.name, d.message)?;
    writeln!(out, "   ─[ {} ]", d.path.display())?;
    for label in &d.labels {
        let path = label.path.as_deref().unwrap_or(&d.path);
        writeln!(out, "   │ Note: {}: {}", path.display(), label.message)?;
    }
    if let Some(help) = &d.help {
        writeln!(out, "   │ Help: {help}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label as DiagnosticLabel;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn diagnostic(path: &str, span: Span, labels: Vec<DiagnosticLabel>) -> Diagnostic {
        Diagnostic {
            code: "NET001".into(),
            name: "bind-all-interfaces".into(),
            severity: Severity::Warning,
            path: PathBuf::from(path),
            span,
            message: "the finding".into(),
            labels,
            help: Some("the help".into()),
            fix: None,
        }
    }

    fn render_text(outcome: &Outcome) -> String {
        let mut out = Vec::new();
        render(
            outcome,
            &RenderOptions {
                color: false,
                ..RenderOptions::default()
            },
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A label path spelt differently from the loaded file's (`dir/./Dockerfile`) is drawn
    /// from that file; one into a file that is not loaded becomes a note.
    #[test]
    fn labels_resolve_to_loaded_files_or_become_notes() {
        let outcome = Outcome {
            sources: vec![
                Arc::new(SourceFile::new("p/Dockerfile", "FROM python\n")),
                Arc::new(SourceFile::new("p/compose.yaml", "services:\n  web: {}\n")),
            ],
            diagnostics: vec![diagnostic(
                "p/compose.yaml",
                Span::new(13, 16),
                vec![
                    DiagnosticLabel {
                        path: Some(PathBuf::from("p/./Dockerfile")),
                        span: Span::new(0, 4),
                        message: "the image".into(),
                    },
                    DiagnosticLabel {
                        path: Some(PathBuf::from("p/missing/Dockerfile")),
                        span: Span::new(0, 4),
                        message: "elsewhere".into(),
                    },
                ],
            )],
            ..Outcome::default()
        };
        let text = render_text(&outcome);
        assert!(text.contains("─[ p/Dockerfile:1:1 ]"), "{text}");
        assert!(text.contains("the image"), "{text}");
        assert!(
            text.contains("Note: p/missing/Dockerfile: elsewhere"),
            "{text}"
        );
    }

    #[test]
    fn info_is_called_info_with_and_without_colour() {
        let mut d = diagnostic("app.py", Span::new(0, 1), Vec::new());
        d.severity = Severity::Info;
        d.message = "Advice: a message that quotes ] Advice: too".into();
        let outcome = Outcome {
            sources: vec![Arc::new(SourceFile::new("app.py", "x = 1\n"))],
            diagnostics: vec![d],
            ..Outcome::default()
        };
        for color in [false, true] {
            let mut out = Vec::new();
            render(
                &outcome,
                &RenderOptions {
                    color,
                    ..RenderOptions::default()
                },
                &mut out,
            )
            .unwrap();
            let text = String::from_utf8(out).unwrap();
            let header = text.lines().next().unwrap();
            assert!(
                header.contains("[NET001 bind-all-interfaces] Info:"),
                "{header}"
            );
            assert!(
                header.ends_with("Advice: a message that quotes ] Advice: too"),
                "{header}"
            );
            assert_eq!(text.contains('\u{1b}'), color, "{text}");
        }
    }

    #[test]
    fn long_help_lines_are_wrapped() {
        // Lines that fit are kept as written (the catalog wraps its texts by hand).
        assert_eq!(reflow("a b\nc d e", 5), "a b\nc d e");
        assert_eq!(reflow("a b c d e f", 5), "a b c\nd e f");
        assert_eq!(reflow("abcdefg h", 4), "abcdefg\nh");
        assert_eq!(reflow("", 4), "");
        assert_eq!(
            reflow("then `RUN useradd app` and `USER app`", 20),
            "then\n`RUN useradd app`\nand `USER app`"
        );
    }

    #[test]
    fn a_finding_without_its_text_is_still_shown() {
        let outcome = Outcome {
            diagnostics: vec![diagnostic("gone/app.py", Span::new(0, 3), Vec::new())],
            ..Outcome::default()
        };
        let text = render_text(&outcome);
        assert!(
            text.starts_with(
                "[NET001 bind-all-interfaces] Warning: the finding\n   ─[ gone/app.py ]"
            ),
            "{text}"
        );
    }
}
