//! An open document: the editor's text, the file it is linted as, and its latest findings.

use super::Lint;
use super::convert;
use crate::catalog::{Catalog, Format};
use crate::diagnostic::Diagnostic;
use crate::engine::{Outcome, Resolver};
use crate::source::SourceFile;
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

/// Bytes examined for NUL when deciding whether a buffer is binary, as for files.
const BINARY_SNIFF_LEN: usize = 8192;

pub struct Document {
    pub uri: Uri,
    /// The path it is linted as: its file, or for an unsaved buffer a name its language
    /// suggests, in the first workspace folder.
    pub path: PathBuf,
    /// The tree its configuration and references are looked up in.
    pub root: PathBuf,
    /// Whether it names a file (not an unsaved `untitled:` buffer).
    pub on_disk: bool,
    pub text: Arc<String>,
    pub version: i32,
    /// Counts text changes; a lint result for an older count is stale.
    pub generation: u64,
    pub running: bool,
    /// Lint again when the running lint ends.
    pub rerun: bool,
    pub published: Option<Published>,
    /// Why the last lint skipped the text (too large, binary), to log it once.
    pub skipped: Option<String>,
}

/// A finding, as the engine reported it and as published.
pub struct Finding {
    pub engine: Diagnostic,
    pub lsp: lsp_types::Diagnostic,
}

/// The result of linting one version of a document.
pub struct Published {
    pub generation: u64,
    pub source: Arc<SourceFile>,
    /// The kind the text was read as; `None` when it is not one deploylint reads.
    pub format: Option<Format>,
    pub catalog: Arc<Catalog>,
    pub findings: Vec<Finding>,
    pub config_errors: Vec<crate::config_error::ConfigError>,
    pub skipped: Option<String>,
}

/// What a lint thread needs.
pub struct Job {
    pub uri: Uri,
    pub path: PathBuf,
    pub text: Arc<String>,
    pub generation: u64,
    /// The other open files of its tree, linted with it when its text is the one on disk, so
    /// findings that need several files (a Dockerfile whose CMD runs `app.py`) appear.
    pub companions: Vec<PathBuf>,
    pub runs: Arc<TreeRuns>,
    /// Counts configuration changes, so a run under an older configuration is not reused.
    pub epoch: u64,
}

/// The workspace folder holding `path` (the innermost), else its directory.
pub fn root_for(path: &Path, folders: &[PathBuf]) -> PathBuf {
    folders
        .iter()
        .filter(|f| path.starts_with(f))
        .max_by_key(|f| f.components().count())
        .cloned()
        .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// A file name that makes an unsaved buffer of this language read as its kind.
fn name_for_language(language: &str) -> Option<&'static str> {
    Some(match language {
        "dockerfile" => "Dockerfile",
        "python" => "untitled.py",
        "dockercompose" | "docker-compose" => "compose.yaml",
        "systemd" => "untitled.service",
        "apache" | "apacheconf" => "httpd.conf",
        "procfile" => "Procfile",
        _ => return None,
    })
}

impl Document {
    pub fn new(uri: Uri, language: &str, version: i32, text: String, folders: &[PathBuf]) -> Self {
        let on_disk = convert::uri_path(&uri).is_some();
        let path = match convert::uri_path(&uri) {
            Some(path) => path,
            None => {
                let base = folders
                    .first()
                    .cloned()
                    .or_else(|| std::env::current_dir().ok())
                    .unwrap_or_default();
                let last = uri.as_str().rsplit(['/', ':']).next().unwrap_or("untitled");
                base.join(name_for_language(language).unwrap_or(last))
            }
        };
        let root = root_for(&path, folders);
        Document {
            uri,
            path,
            root,
            on_disk,
            text: Arc::new(text),
            version,
            generation: 0,
            running: false,
            rerun: false,
            published: None,
            skipped: None,
        }
    }

    pub fn replace(&mut self, text: String) {
        if *self.text != text {
            self.text = Arc::new(text);
            self.generation += 1;
        }
    }

    /// Applies one change: the whole text, or a range of it (UTF-16 positions).
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent) {
        let Some(range) = change.range else {
            self.text = Arc::new(change.text);
            return;
        };
        let text = &*self.text;
        let start = offset(text, range.start);
        let end = offset(text, range.end).max(start);
        let mut new = String::with_capacity(text.len() + change.text.len());
        new.push_str(&text[..start]);
        new.push_str(&change.text);
        new.push_str(&text[end..]);
        self.text = Arc::new(new);
    }
}

/// The byte offset of an LSP position in `text` (clamped to the line and the text).
fn offset(text: &str, at: lsp_types::Position) -> usize {
    let mut line_start = 0;
    for _ in 0..at.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= at.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

/// Lints a job's text; runs on its own thread.
pub fn lint(job: Job, resolver: &Resolver, lint: Lint) -> Published {
    let text = &*job.text;
    let limit = crate::discover::MAX_FILE_BYTES as usize;
    let skipped = if text.len() > limit {
        Some(format!(
            "{}: not linted: {:.1} MiB is over the {} MiB limit for one file",
            job.path.display(),
            text.len() as f64 / 1048576.0,
            limit / 1048576
        ))
    } else if text.as_bytes()[..text.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        Some(format!("{}: not linted: a binary file", job.path.display()))
    } else {
        None
    };
    if skipped.is_some() {
        return Published {
            generation: job.generation,
            source: Arc::new(SourceFile::new(job.path, String::new())),
            format: None,
            catalog: Arc::new(resolver.catalog()),
            findings: Vec::new(),
            config_errors: Vec::new(),
            skipped,
        };
    }
    let together = together(&job, resolver);
    let alone;
    let outcome: &Outcome = match &together {
        Some(outcome) => outcome,
        None => {
            alone = lint(&job.path, text.clone(), resolver);
            &alone
        }
    };
    let own = crate::source::normalize_path(&job.path);
    let source = outcome
        .sources
        .iter()
        .find(|s| s.path() == own || s.path() == job.path)
        .cloned()
        .unwrap_or_else(|| Arc::new(SourceFile::new(own.clone(), text.clone())));
    let format = outcome.formats.get(source.path()).copied();
    let findings = outcome
        .diagnostics
        .iter()
        .filter(|d| d.path == source.path())
        .map(|d| Finding {
            lsp: convert::diagnostic(d, &source, &job.uri, outcome, &outcome.catalog),
            engine: d.clone(),
        })
        .collect();
    Published {
        generation: job.generation,
        source,
        format,
        catalog: outcome.catalog.clone(),
        findings,
        config_errors: outcome.config_errors.clone(),
        skipped: None,
    }
}

/// The job's file linted from disk together with its companions, as `deploylint check FILE...`
/// does; `None` when the buffer is not what is on disk (then it is linted alone, from the
/// buffer: the engine reads other files only from disk).
fn together(job: &Job, resolver: &Resolver) -> Option<Arc<Outcome>> {
    if job.companions.is_empty() {
        return None;
    }
    // While typing, the length usually differs: no need to read the file.
    if std::fs::metadata(&job.path).ok()?.len() != job.text.len() as u64 {
        return None;
    }
    let on_disk = crate::discover::read_file(&job.path).ok()?;
    if on_disk != job.text.as_bytes() {
        return None;
    }
    let mut paths: Vec<PathBuf> = std::iter::once(job.path.clone())
        .chain(job.companions.iter().cloned())
        .collect();
    paths.sort();
    let outcome = job.runs.run(job.epoch, &paths, resolver);
    // The file may have changed on disk since it was compared.
    let own = crate::source::normalize_path(&job.path);
    let read = outcome.source(&own)?;
    (read.text() == job.text.as_str()).then_some(outcome)
}

/// Runs over a tree's open files, shared by the documents of the tree: saving one file
/// re-lints every open document of its tree, and all but the first reuse the first's run
/// instead of each linting every file again.
#[derive(Default)]
pub struct TreeRuns {
    runs: Mutex<HashMap<RunKey, Arc<OnceLock<Arc<Outcome>>>>>,
}

/// The configuration epoch, and each file with its modification time and length.
type RunKey = (u64, Vec<(PathBuf, Option<SystemTime>, u64)>);

/// Runs kept: enough for the trees being edited at once.
const KEPT_RUNS: usize = 16;

impl TreeRuns {
    fn run(&self, epoch: u64, paths: &[PathBuf], resolver: &Resolver) -> Arc<Outcome> {
        let stamp = |p: &PathBuf| {
            let meta = std::fs::metadata(p).ok();
            (
                p.clone(),
                meta.as_ref().and_then(|m| m.modified().ok()),
                meta.map_or(0, |m| m.len()),
            )
        };
        let key = (epoch, paths.iter().map(stamp).collect());
        let once = {
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            if runs.len() >= KEPT_RUNS && !runs.contains_key(&key) {
                runs.clear();
            }
            runs.entry(key).or_default().clone()
        };
        // Documents of the tree asking at once wait for one run rather than each making one.
        once.get_or_init(|| Arc::new(crate::engine::run(paths, resolver)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    #[test]
    fn applies_ranged_changes_in_utf16_units() {
        let uri = Uri::from_str("file:///w/app.py").unwrap();
        let mut doc = Document::new(uri, "python", 1, "ä𝄞 = 1\nx = 2\n".into(), &[]);
        // Replace `1` (after 2 + 3 units) with `3`.
        doc.apply(TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, 6), Position::new(0, 7))),
            range_length: None,
            text: "3".into(),
        });
        assert_eq!(*doc.text, "ä𝄞 = 3\nx = 2\n");
        doc.apply(TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 0), Position::new(9, 0))),
            range_length: None,
            text: "y".into(),
        });
        assert_eq!(*doc.text, "ä𝄞 = 3\ny");
        assert_eq!(doc.root, PathBuf::from("/w"));
    }

    #[test]
    fn a_tree_run_is_shared_until_a_file_or_the_configuration_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let files = [root.join("Dockerfile"), root.join("app.py")];
        std::fs::write(&files[0], "FROM python\nCMD [\"python\", \"app.py\"]\n").unwrap();
        std::fs::write(&files[1], "app.run(debug=True)\n").unwrap();
        let resolver = Resolver::new(std::slice::from_ref(&root), Default::default());
        let runs = TreeRuns::default();
        let first = runs.run(0, &files, &resolver);
        assert!(Arc::ptr_eq(&first, &runs.run(0, &files, &resolver)));
        assert!(!Arc::ptr_eq(&first, &runs.run(1, &files, &resolver)));
        std::fs::write(&files[1], "app.run(debug=False)  # longer\n").unwrap();
        let changed = runs.run(0, &files, &resolver);
        assert!(!Arc::ptr_eq(&first, &changed));
        assert!(changed.diagnostics.iter().all(|d| d.code != "DBG001"));
        assert!(first.diagnostics.iter().any(|d| d.code == "DBG001"));
    }

    #[test]
    fn unsaved_buffers_are_named_by_language() {
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        let doc = Document::new(uri, "dockerfile", 1, String::new(), &[PathBuf::from("/w")]);
        assert_eq!(doc.path, PathBuf::from("/w/Dockerfile"));
        assert_eq!(
            root_for(
                Path::new("/w/a/b"),
                &[PathBuf::from("/w"), PathBuf::from("/w/a")]
            ),
            PathBuf::from("/w/a")
        );
    }
}
