//! A mistake in a file the user wrote to configure deploylint (a configuration file or a rule
//! pack), with the bytes it is about, rendered as an annotated snippet.

use std::ops::Range;
use std::path::PathBuf;

/// A mistake in a configuration file or rule pack, with the bytes it is about.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl ConfigError {
    /// Renders the error as an annotated snippet of the file.
    pub fn render(&self, color: bool) -> String {
        use ariadne::{Config, IndexType, Label, Report, ReportKind};
        let id = self.path.display().to_string();
        let Some(span) = self.span.clone() else {
            return format!("{id}: {}\n", self.message);
        };
        let span = clamp(&self.text, span);
        let mut out = Vec::new();
        let report = Report::build(ReportKind::Error, (id.clone(), span.clone()))
            .with_config(
                Config::default()
                    .with_index_type(IndexType::Byte)
                    .with_color(color),
            )
            .with_message(format!("invalid configuration: {}", self.message))
            .with_label(Label::new((id.clone(), span)).with_message(&self.message))
            .finish();
        if report
            .write(
                ariadne::sources([(id.clone(), self.text.as_str())]),
                &mut out,
            )
            .is_err()
        {
            return format!("{id}: {}\n", self.message);
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn clamp(text: &str, span: Range<usize>) -> Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    start..floor(span.end).max(start)
}
