//! JSON Lines output: each finding as the object `json` writes, one per line, so a consumer
//! can stream them and `grep` still works.

use crate::engine::Outcome;
use std::io::{self, Write};

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for item in super::json::items(outcome) {
        // serde_json escapes newlines inside strings, so an object never spans two lines.
        serde_json::to_writer(&mut *out, &item)?;
        writeln!(out)?;
    }
    Ok(())
}
