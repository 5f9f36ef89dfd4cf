//! The project-wide view: facts each file contributes, so a rule can connect a launcher in one
//! file with the code it starts in another (a Dockerfile `CMD python app.py` and the
//! `app.run()` inside `app.py`).

use crate::catalog::Format;
use crate::model::python::{self, Semantic};
use crate::source::{SourceFile, Span};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A container start command that runs a Python file.
#[derive(Debug, Clone)]
pub struct ScriptLaunch {
    /// The script as written (`app.py`, `/srv/app/main.py`).
    pub script: String,
    /// The stage's WORKDIR, against which a relative script is found.
    pub workdir: Option<String>,
    /// The words that start it (`python app.py`).
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub script_launches: Vec<ScriptLaunch>,
    /// Things the user should know about how the file was read (an include not followed).
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub struct FileFacts {
    pub path: PathBuf,
    pub format: Format,
    pub facts: Facts,
}

/// Every linted file's facts, and their text for facts computed only when a rule asks
/// (parsing every Python file for what one Dockerfile might run would waste the prefilter).
pub struct Project<'a> {
    pub files: &'a [FileFacts],
    /// Sorted by path.
    pub sources: &'a [Arc<SourceFile>],
}

impl Project<'_> {
    pub fn python_files(&self) -> Vec<&Path> {
        self.files
            .iter()
            .filter(|f| f.format == Format::Python)
            .map(|f| f.path.as_path())
            .collect()
    }

    /// Calls in a linted Python file that start a framework's development server.
    pub fn dev_server_calls(&self, path: &Path) -> Vec<Span> {
        let Ok(found) = self.sources.binary_search_by(|s| s.path().cmp(path)) else {
            return Vec::new();
        };
        let source = &self.sources[found];
        let file = python::parse(source.text());
        Semantic::new(&file, source.text())
            .map(|python| python.dev_server_calls())
            .unwrap_or_default()
    }
}

/// The linted Python file a container launch runs, if it can be told: the script's path inside
/// the image (relative to WORKDIR, which usually mirrors the build context) looked up beside the
/// Dockerfile, or else the one linted file under the Dockerfile's directory ending in that path.
pub fn resolve_script<'a>(
    dockerfile: &Path,
    launch: &ScriptLaunch,
    python_files: &[&'a Path],
) -> Option<&'a Path> {
    let in_image = Path::new(&launch.script);
    let relative: PathBuf = match &launch.workdir {
        Some(workdir) if in_image.is_absolute() => in_image
            .strip_prefix(workdir)
            .unwrap_or(in_image)
            .to_path_buf(),
        _ => in_image.to_path_buf(),
    };
    let relative: PathBuf = relative
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    if relative.as_os_str().is_empty() {
        return None;
    }
    let base = dockerfile.parent().unwrap_or(Path::new(""));
    let direct = base.join(&relative);
    if let Some(found) = python_files.iter().find(|p| **p == direct) {
        return Some(found);
    }
    // The image path may carry directories the build context does not (`/srv/src/main.py`
    // from `src/main.py`): try ever shorter suffixes, and claim only an unambiguous match.
    let parts: Vec<_> = relative.components().collect();
    for skip in 0..parts.len() {
        let suffix: PathBuf = parts[skip..].iter().collect();
        let mut candidates = python_files
            .iter()
            .filter(|p| p.starts_with(base) && p.ends_with(&suffix));
        match (candidates.next(), candidates.next()) {
            (Some(only), None) => return Some(only),
            (Some(_), Some(_)) => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(script: &str, workdir: Option<&str>) -> ScriptLaunch {
        ScriptLaunch {
            script: script.into(),
            workdir: workdir.map(Into::into),
            span: Span::default(),
        }
    }

    #[test]
    fn resolves_relative_to_workdir_and_context() {
        let files = [
            Path::new("svc/app.py"),
            Path::new("svc/src/main.py"),
            Path::new("other/main.py"),
        ];
        let df = Path::new("svc/Dockerfile");
        assert_eq!(
            resolve_script(df, &launch("app.py", Some("/app")), &files),
            Some(files[0])
        );
        assert_eq!(
            resolve_script(df, &launch("/app/app.py", Some("/app")), &files),
            Some(files[0])
        );
        assert_eq!(
            resolve_script(df, &launch("/srv/src/main.py", None), &files),
            Some(files[1])
        );
        assert_eq!(
            resolve_script(df, &launch("./src/main.py", Some("/x")), &files),
            Some(files[1])
        );
        assert_eq!(
            resolve_script(df, &launch("missing.py", None), &files),
            None
        );
        let root = Path::new("Dockerfile");
        // Two files end in main.py: ambiguous, so nothing is claimed.
        assert_eq!(resolve_script(root, &launch("main.py", None), &files), None);
    }
}
