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
    /// The processes the file starts, as the project's deployment graph reads them.
    pub launchers: Vec<LauncherFact>,
    /// Other files the file's services are built from or read (the Dockerfile a compose
    /// service builds), so a file nothing starts is known to be used.
    pub references: Vec<PathBuf>,
    /// The file sets up a service that runs the app but starts nothing itself (an image
    /// without a start command of its own).
    pub starts_nothing: bool,
    /// The file's opening comment says it is for development.
    pub says_development: bool,
    /// Things the user should know about how the file was read (an include not followed).
    pub notes: Vec<String>,
}

/// One process a file starts, with what the graph shows and classifies of it.
#[derive(Debug, Clone)]
pub struct LauncherFact {
    /// The command's words in the file (program and arguments).
    pub span: Span,
    /// 1-based line of the command, for messages ("Dockerfile:12").
    pub line: usize,
    /// The command as written (one line, shortened), for messages.
    pub command: String,
    /// What starts it ("the image's start command", "ExecStart=").
    pub origin: String,
    /// The program's short name (`gunicorn`, `flask run`).
    pub program: String,
    pub production_server: bool,
    /// A framework's development server (`flask run`, `runserver`, `http.server`).
    pub dev_server: bool,
    /// Restarts on source changes (`--reload`).
    pub reloads: bool,
    /// The project code it runs.
    pub runs: Option<crate::model::launcher::Runs>,
    /// The directory it starts in, when the file sets one (to find relative entries).
    pub workdir: Option<String>,
    /// The service it belongs to, by name, when the file names it.
    pub service: Option<String>,
    /// The account it runs as, as far as the file tells.
    pub user: Option<String>,
    /// Addresses it listens on (`0.0.0.0:8000`, `default`).
    pub listen: Vec<String>,
    /// Environment variables set for it (`NAME=value`).
    pub env: Vec<String>,
    /// Its service mounts a host directory from the project into the container (`.:/app`).
    pub source_mount: bool,
    /// Whether it serves the app (as opposed to a database or a shell).
    pub serves_app: bool,
}

/// What a file's deployment contributes to the project graph: its launchers, the files its
/// services read, and whether it sets up a service but starts nothing.
pub fn launcher_facts(
    source: &SourceFile,
    deployment: &crate::model::deployment::Deployment,
) -> (Vec<LauncherFact>, Vec<PathBuf>, bool) {
    use crate::model::deployment::{AccountKind, PathKind};
    let describe = |account: &crate::model::deployment::Account| match &account.kind {
        AccountKind::Named(Some(name)) | AccountKind::Inherited(Some(name)) => name.clone(),
        AccountKind::Named(None) => "a variable account".into(),
        AccountKind::Inherited(None) => "the server's account".into(),
        AccountKind::ImageDefault(image) => format!("{image}'s default user"),
        AccountKind::Root => "root".into(),
        AccountKind::Unprivileged => "an unprivileged account".into(),
    };
    let mut launchers = Vec::new();
    for process in &deployment.processes {
        let launch = &process.launch;
        let end = launch
            .args
            .iter()
            .map(|a| a.span().end)
            .fold(launch.program_span.end, usize::max);
        let span = source.clamp(Span::new(launch.program_span.start, end));
        let service = process.service.and_then(|i| deployment.services.get(i));
        let user = process
            .user
            .as_ref()
            .or(service.and_then(|s| s.user.as_ref()))
            .map(describe);
        let workdir = service
            .and_then(|s| s.workdir.as_ref())
            .and_then(|w| match &w.kind {
                crate::model::deployment::WorkdirKind::Set(dir) => Some(dir.clone()),
                _ => None,
            });
        let source_mount = service.is_some_and(|s| {
            s.writable.iter().any(|p| {
                p.kind == PathKind::HostMount && (p.path == "." || p.path.starts_with("./"))
            })
        });
        // An exec-form array reads as the words it runs.
        let written = source.slice(span);
        let written = if written.starts_with('"') {
            written.replace("\",", " ").replace('"', "")
        } else {
            written.to_string()
        };
        let mut command: String = written.split_whitespace().collect::<Vec<_>>().join(" ");
        if command.chars().count() > 60 {
            command = command.chars().take(57).collect::<String>() + "...";
        }
        let listen = process
            .listen
            .iter()
            .map(|l| {
                if l.explicit {
                    source
                        .slice(source.clamp(l.span))
                        .trim_matches(['"', '\''])
                        .to_string()
                } else {
                    format!(
                        "{} (default)",
                        if l.host.is_empty() { "*" } else { &l.host }
                    )
                }
            })
            .collect();
        let env = deployment
            .env
            .iter()
            .filter(|e| e.service.is_none() || e.service == process.service)
            .map(|e| format!("{}={}", e.name, e.value))
            .chain(
                launch
                    .env
                    .iter()
                    .map(|(n, v)| format!("{}={}", n.as_str(), v.as_str())),
            )
            .collect();
        launchers.push(LauncherFact {
            span,
            line: source.line_index(span.start) + 1,
            command,
            origin: process.origin.to_string(),
            program: launch.program_name(),
            production_server: launch.is_production_server(),
            dev_server: launch.is_dev_server(),
            reloads: launch.reloads(),
            runs: launch.runs(),
            workdir,
            service: service.and_then(|s| s.name.clone()),
            user,
            listen,
            env,
            source_mount,
            serves_app: launch.program.is_python_server() || service.is_some_and(|s| s.runs_app),
        });
    }
    let mut references: Vec<PathBuf> = deployment
        .services
        .iter()
        .flat_map(|s| {
            [&s.user, &s.group]
                .into_iter()
                .flatten()
                .filter_map(|a| a.label.as_ref())
                .chain(s.workdir.as_ref().and_then(|w| w.label.as_ref()))
                .filter_map(|l| l.path.clone())
                .collect::<Vec<_>>()
        })
        .chain(
            deployment
                .env
                .iter()
                .filter_map(|e| e.label.as_ref().and_then(|l| l.path.clone())),
        )
        .collect();
    references.sort();
    references.dedup();
    let starts_nothing = deployment.processes.is_empty()
        && !deployment.services.is_empty()
        && deployment.services.iter().all(|s| s.runs_app);
    (launchers, references, starts_nothing)
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

/// The `if __name__ == "__main__":` blocks of a Python file's text.
pub fn main_blocks(text: &str) -> Vec<Span> {
    python::parse(text).main_blocks(text)
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
