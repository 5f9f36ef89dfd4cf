//! Grouped output, as ruff's: each file's findings under its path, positions aligned, then the
//! summary line.

use super::RenderOptions;
use crate::engine::Outcome;
use std::io::{self, Write};

pub fn render(outcome: &Outcome, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    // Diagnostics are sorted by path, so each file's findings are adjacent.
    for group in outcome.diagnostics.chunk_by(|a, b| a.path == b.path) {
        writeln!(out, "{}:", group[0].path.display())?;
        let positions: Vec<String> = group
            .iter()
            .map(|d| {
                let (line, column) = super::position(outcome, d);
                format!("{line}:{column}")
            })
            .collect();
        let width = positions.iter().map(String::len).max().unwrap_or(0);
        for (d, position) in group.iter().zip(&positions) {
            writeln!(out, "  {position:<width$} {} {}", d.code, d.message)?;
        }
        writeln!(out)?;
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(out, "{}", super::summary(outcome))
}
