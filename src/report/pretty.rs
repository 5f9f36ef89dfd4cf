//! Annotated source snippets rendered by ariadne, followed by a summary line.

use crate::diagnostic::Severity;
use crate::engine::Outcome;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use std::io::{self, Write};

use super::RenderOptions;

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(options.color);
    let cache_sources: Vec<(String, String)> = outcome
        .sources
        .iter()
        .map(|s| (s.path().display().to_string(), s.text().to_string()))
        .collect();
    let mut cache = ariadne::sources(cache_sources);
    for d in &outcome.diagnostics {
        let Some(source) = outcome.source(&d.path) else {
            continue;
        };
        let id = d.path.display().to_string();
        let span = source.clamp(d.span);
        let (kind, color) = match d.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            Severity::Info => (ReportKind::Advice, Color::Cyan),
        };
        let mut report = Report::build(kind, (id.clone(), span.range()))
            .with_config(config)
            .with_code(format!("{} {}", d.code, d.name))
            .with_message(&d.message)
            .with_label(
                // ariadne draws no underline for a label without a message.
                Label::new((id.clone(), span.range()))
                    .with_message(&d.message)
                    .with_color(color),
            );
        for label in &d.labels {
            let (label_id, label_source) = match &label.path {
                None => (id.clone(), Some(source)),
                Some(p) => (p.display().to_string(), outcome.source(p)),
            };
            // A label into a file that was not loaded cannot be drawn; say where it is instead.
            match label_source {
                Some(s) => {
                    report = report.with_label(
                        Label::new((label_id, s.clamp(label.span).range()))
                            .with_message(&label.message)
                            .with_color(Color::Blue),
                    );
                }
                None => report = report.with_note(format!("{label_id}: {}", label.message)),
            }
        }
        if let Some(help) = &d.help {
            report = report.with_help(help);
        }
        report.finish().write(&mut cache, &mut *out)?;
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(out, "{}", super::summary(outcome))
}
