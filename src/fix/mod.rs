//! Fixes: the text edits a finding proposes, and applying them the way ruff does. Safe fixes
//! keep what the configuration means to do; unsafe ones may change behaviour and are applied
//! only when asked. Fixes whose edits overlap are applied one at a time, re-linting between
//! rounds, and a round that would leave the file unparseable is not applied.

pub mod apply;
pub mod diff;
pub mod run;
pub mod suppressions;
pub mod write;

pub use crate::edit::*;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// The README's table of fixable rules, from the catalog.
pub fn table_markdown() -> String {
    let mut s = String::from("| Code | Name | Fix | What it changes |\n|---|---|---|---|\n");
    for e in crate::catalog::catalog() {
        if let Some(fix) = &e.autofix {
            s.push_str(&format!(
                "| {} | `{}` | {} | {} |\n",
                e.code,
                e.name,
                fix.applicability.as_str(),
                fix.title.trim().replace('|', "\\|")
            ));
        }
    }
    s
}

/// The edits of a diagnostic's fix as an editor applies them (a code action's `TextEdit`s),
/// for the file `source`, which must be the diagnostic's file. `None` when the diagnostic has
/// no fix or the fix does not fit the text (it was computed for another version).
pub fn lsp_edits(source: &SourceFile, diagnostic: &Diagnostic) -> Option<Vec<LspEdit>> {
    let fix = diagnostic.fix.as_ref()?;
    if diagnostic.path != source.path() || !fix.fits(source.text()) {
        return None;
    }
    let position = |offset: usize| {
        let line = source.line_index(offset);
        let start = source.line_span(line).start;
        let character = source.text()[start..offset].encode_utf16().count();
        LspPosition { line, character }
    };
    Some(
        fix.edits
            .iter()
            .map(|e| LspEdit {
                start: position(e.span.start),
                end: position(e.span.end),
                new_text: e.content.clone(),
            })
            .collect(),
    )
}
