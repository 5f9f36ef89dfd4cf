//! Procfiles (Heroku, Dokku, foreman, honcho): `name: command` lines, each a process the
//! platform starts through a shell inside its dyno.

use crate::model::compose::is_development_file;
use crate::model::deployment::{Deployment, Placement, Process};
use crate::model::launcher;
use crate::source::{MappedText, Span};
use std::path::Path;

#[derive(Debug, Default)]
pub struct Procfile {
    pub processes: Vec<ProcessLine>,
    /// Lines that are neither `name: command`, a comment nor blank.
    pub errors: Vec<Span>,
}

#[derive(Debug)]
pub struct ProcessLine {
    pub name: String,
    pub name_span: Span,
    pub command: MappedText,
}

pub fn parse(text: &str) -> Procfile {
    let mut out = Procfile::default();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let lead = content.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let name_len = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(trimmed.len());
        let rest = &trimmed[name_len..];
        let Some(after_colon) = rest.trim_start().strip_prefix(':').filter(|_| name_len > 0) else {
            out.errors
                .push(Span::new(start + lead, start + content.trim_end().len()));
            continue;
        };
        let command = after_colon.trim();
        let command_at = start + content.len() - after_colon.len()
            + (after_colon.len() - after_colon.trim_start().len());
        let name_at = start + lead;
        out.processes.push(ProcessLine {
            name: trimmed[..name_len].to_string(),
            name_span: Span::new(name_at, name_at + name_len),
            command: MappedText::from_span(text, Span::new(command_at, command_at + command.len())),
        });
    }
    out
}

impl Procfile {
    /// Each line's command as the processes a dyno runs (a dyno has its own network, so it
    /// binds 0.0.0.0:$PORT by design). A `Procfile.dev` is for local development and deploys
    /// nothing.
    pub fn deployment(&self, path: &Path) -> Deployment {
        let mut out = Deployment::default();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name != "Procfile" && is_development_file(path) {
            return out;
        }
        for line in &self.processes {
            for launch in launcher::from_shell(&line.command) {
                out.processes
                    .push(Process::new(launch, Placement::Container, "the Procfile"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let src = "# c\nweb: gunicorn app:app\nworker:python w.py\n\nbad line\nrelease :  flask db upgrade\n";
        let p = parse(src);
        let got: Vec<_> = p
            .processes
            .iter()
            .map(|l| {
                (
                    l.name.as_str(),
                    l.command.as_str(),
                    &src[l.command.span().range()],
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("web", "gunicorn app:app", "gunicorn app:app"),
                ("worker", "python w.py", "python w.py"),
                ("release", "flask db upgrade", "flask db upgrade"),
            ]
        );
        assert_eq!(p.errors.len(), 1);
        assert_eq!(&src[p.errors[0].range()], "bad line");
    }
}
