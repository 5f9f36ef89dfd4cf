//! The project-wide view: facts each file contributes, so a rule can connect a launcher in one
//! file with the code it starts in another (a Dockerfile `CMD python app.py` and the
//! `app.run()` inside `app.py`).

use crate::catalog::Format;
use crate::files::{File, FileSet};
use crate::model::python::{self, Semantic};
use crate::source::{SourceFile, Span};
use crate::syntax::python::PythonFile;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// The Dockerfiles the file's services are built from.
    pub builds: Vec<BuildFact>,
    /// The backends a reverse proxy in the file passes requests to.
    pub proxies: Vec<ProxyFact>,
    /// The directories a web server in the file serves as files.
    pub served: Vec<ServedFact>,
}

/// A directory a web server serves as files (an nginx `root`/`alias` in a location).
#[derive(Debug, Clone)]
pub struct ServedFact {
    /// The file with the `root`/`alias`.
    pub path: PathBuf,
    pub span: Span,
    pub line: usize,
    /// The URI prefix served (`/static/`).
    pub uri: String,
    /// The directory on the deployed host.
    pub dir: String,
    /// Why the directory holds the app's code, when it does.
    pub holds_app: Option<String>,
}

/// A reverse proxy's backend: where an nginx `proxy_pass`/`uwsgi_pass` (or a `server` of the
/// `upstream` it names) sends requests.
#[derive(Debug, Clone)]
pub struct ProxyFact {
    /// The file with the address (an included file's, or the `upstream`'s).
    pub path: PathBuf,
    /// The address as written.
    pub span: Span,
    /// 1-based line of the address, for messages.
    pub line: usize,
    /// The directive as written (`proxy_pass http://127.0.0.1:8000`, an upstream's `server
    /// 127.0.0.1:8000`), for messages.
    pub directive: String,
    /// The `upstream` whose server it is.
    pub upstream: Option<String>,
    /// The proxy server, for messages (`nginx`).
    pub server: &'static str,
    pub endpoint: crate::model::listen::Endpoint,
    /// The `proxy_pass`/`uwsgi_pass` itself (the same as `path`/`span` unless an
    /// `upstream` holds the address).
    pub pass_path: PathBuf,
    pub pass_span: Span,
    pub pass_line: usize,
    /// A `proxy_pass` whose location passes the client's own `X-Forwarded-For` through (sets
    /// none, or `$http_x_forwarded_for`), so the client chooses what the backend reads.
    pub passes_client_forwarded_for: bool,
}

impl ProxyFact {
    /// `nginx.conf:12 `proxy_pass http://127.0.0.1:8000``, for messages.
    pub fn cite(&self) -> String {
        format!(
            "{}:{} `{}`{}",
            self.path.display(),
            self.line,
            self.directive,
            self.upstream
                .as_deref()
                .map(|u| format!(" (upstream `{u}`)"))
                .unwrap_or_default()
        )
    }
}

/// An address a launcher listens on, with where it is written.
#[derive(Debug, Clone)]
pub struct Bind {
    /// The option's value, or the program's words for a default address.
    pub span: Span,
    pub endpoint: crate::model::listen::Endpoint,
}

/// A service built from a Dockerfile of the project (a compose `build:`).
#[derive(Debug, Clone)]
pub struct BuildFact {
    /// The file the image is built from.
    pub built_from: PathBuf,
    /// The service, for messages.
    pub service: String,
    /// Why the service is a development one, when it is.
    pub development: Option<String>,
    /// The service runs the image's own start command with the host's network
    /// (`network_mode: host`): the image's processes bind on the host.
    pub host_network: bool,
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
    /// The same addresses with their ports, and its unix sockets, for the graph to join a
    /// proxy to.
    pub binds: Vec<Bind>,
    /// Environment variables set for it (`NAME=value`).
    pub env: Vec<String>,
    /// Its service mounts a host directory from the project into the container (`.:/app`).
    pub source_mount: bool,
    /// Whether it serves the app (as opposed to a database or a shell).
    pub serves_app: bool,
    /// The Django settings module it selects (`--settings=`, `DJANGO_SETTINGS_MODULE` in its
    /// environment), when it names one.
    pub django_settings: Option<String>,
    /// It runs on a host, sharing the host's network, rather than in a container or pod with
    /// its own.
    pub on_host: bool,
    /// Where it is bound on every interface of a host (not a container's own namespace), for
    /// the concerns of a server any client can reach directly.
    pub open_on_host: Option<Span>,
    /// The peers it believes `X-Forwarded-For` from, when it takes the client address from
    /// that header (uvicorn: `--forwarded-allow-ips`, `127.0.0.1` by default, unless
    /// `--no-proxy-headers`). None when it does not, or when a variable decides.
    pub trusts_forwarded_for: Option<String>,
}

/// Where a process listens: its TCP addresses with their ports, and its unix sockets.
fn binds(source: &SourceFile, process: &crate::model::deployment::Process) -> Vec<Bind> {
    use crate::model::listen::{Endpoint, listen_port, unix_sockets};
    let launch = &process.launch;
    let mut binds: Vec<Bind> = process
        .listen
        .iter()
        .map(|l| {
            let written = if l.explicit {
                source.slice(source.clamp(l.span))
            } else {
                ""
            };
            Bind {
                span: l.span,
                endpoint: Endpoint::Tcp {
                    host: l.host.clone(),
                    port: listen_port(launch, written, l.explicit),
                },
            }
        })
        .collect();
    binds.extend(unix_sockets(launch).into_iter().map(|(path, span)| Bind {
        span,
        endpoint: Endpoint::Unix(path),
    }));
    binds
}

/// A command as its words read on one line: an exec-form array (`"gunicorn", "app:app"`) as
/// the words it runs.
pub fn command_as_written(written: &str) -> String {
    let words = if written.starts_with('"') {
        written.replace("\",", " ").replace('"', "")
    } else {
        written.to_string()
    };
    words.split_whitespace().collect::<Vec<_>>().join(" ")
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
        let span = source.clamp(launch.command_span());
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
        let mut command = command_as_written(source.slice(span));
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
        let file_env: Vec<(&str, &str, Span)> = deployment
            .env
            .iter()
            .filter(|e| e.service.is_none() || e.service == process.service)
            .map(|e| (e.name.as_str(), e.value.as_str(), e.span))
            .collect();
        let from_env = |name: &str| {
            launch
                .env
                .iter()
                .rev()
                .find(|(n, _)| n.as_str() == name)
                .map(|(_, v)| (v.as_str().to_string(), v.span()))
                .or_else(|| {
                    file_env
                        .iter()
                        .rev()
                        .find(|(n, ..)| *n == name)
                        .map(|(_, v, span)| (v.to_string(), *span))
                })
        };
        // `flask run` reads FLASK_APP from the image's or the service's environment too.
        let runs = launch.runs().or_else(|| {
            if launch.program != crate::model::launcher::Program::FlaskRun
                || launch.option(&["-A", "--app"]).is_some()
            {
                return None;
            }
            let (value, at) = from_env("FLASK_APP")?;
            crate::model::launcher::flask_app(&value, at)
        });
        let server_env = match launch.program {
            crate::model::launcher::Program::Gunicorn | crate::model::launcher::Program::Uwsgi => {
                launch.options(&["--env", "-e"])
            }
            _ => Vec::new(),
        };
        let django_settings = launch
            .option(&["--settings"])
            .map(|v| v.as_str().to_string())
            .or_else(|| {
                server_env.iter().rev().find_map(|pair| {
                    let (name, value) = pair.as_str().split_once('=')?;
                    (name == "DJANGO_SETTINGS_MODULE").then(|| value.to_string())
                })
            })
            .or_else(|| from_env("DJANGO_SETTINGS_MODULE").map(|(v, _)| v))
            .and_then(|v| settings_module(&v));
        launchers.push(LauncherFact {
            span,
            line: source.line_index(span.start) + 1,
            command,
            origin: process.origin.to_string(),
            program: launch.program_name(),
            production_server: launch.is_production_server(),
            dev_server: launch.is_dev_server(),
            reloads: launch.reloads(),
            runs,
            workdir,
            service: service.and_then(|s| s.name.clone()),
            user,
            listen,
            binds: binds(source, process),
            env,
            source_mount,
            serves_app: launch.program.is_python_server() || service.is_some_and(|s| s.runs_app),
            django_settings,
            on_host: process.placement == crate::model::deployment::Placement::Host,
            open_on_host: (process.placement == crate::model::deployment::Placement::Host)
                .then(|| {
                    process
                        .listen
                        .iter()
                        .find(|l| crate::model::listen::is_all_interfaces(&l.host))
                        .map(|l| l.span)
                })
                .flatten(),
            trusts_forwarded_for: trusts_forwarded_for(launch),
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
    // A service that runs an image (a compose service, a Kubernetes container) starts the
    // image's own command: only an image itself (a Dockerfile without CMD) starts nothing.
    let starts_nothing = deployment.processes.is_empty()
        && !deployment.services.is_empty()
        && deployment
            .services
            .iter()
            .all(|s| s.runs_app && s.image.is_none() && !s.built);
    (launchers, references, starts_nothing)
}

/// uvicorn takes the client address from `X-Forwarded-For` sent by the peers
/// `--forwarded-allow-ips` lists (`127.0.0.1` unless set) unless `--no-proxy-headers`.
/// gunicorn does not (its list concerns the scheme headers), nor does uWSGI.
fn trusts_forwarded_for(launch: &crate::model::launcher::Launch) -> Option<String> {
    if launch.program != crate::model::launcher::Program::Uvicorn {
        return None;
    }
    let off = launch
        .last_flag(&["--proxy-headers", "--no-proxy-headers"])
        .is_some_and(|(name, _)| name == "--no-proxy-headers");
    if off {
        return None;
    }
    let ips = launch
        .option(&["--forwarded-allow-ips"])
        .map(|v| v.as_str().trim_matches(['\'', '"']).to_string())
        .unwrap_or_else(|| "127.0.0.1".to_string());
    (!ips.contains('$')).then_some(ips)
}

/// A settings module as an environment value or option writes it: quotes dropped, a
/// `${VAR:-default}` read as its default; None for anything else computed at run time.
fn settings_module(value: &str) -> Option<String> {
    let value = value.trim().trim_matches(['\'', '"']);
    let value = match value.strip_prefix("${") {
        Some(rest) => rest.strip_suffix('}')?.split_once(":-")?.1,
        None => value,
    };
    let valid = !value.is_empty()
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    valid.then(|| value.to_string())
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
    /// The run's file set, through which the modules a script imports are read.
    pub file_set: &'a FileSet,
    /// What the project rules and the graph both work out from the files, once per run (the
    /// proxies joined to the launchers behind them: `graph::proxy::Proxies::of`).
    pub(crate) shared: crate::files::Memos,
}

impl<'a> Project<'a> {
    pub fn new(
        files: &'a [FileFacts],
        sources: &'a [Arc<SourceFile>],
        file_set: &'a FileSet,
    ) -> Self {
        Project {
            files,
            sources,
            file_set,
            shared: crate::files::Memos::default(),
        }
    }
}

impl Project<'_> {
    /// The Python files' paths, sorted (as `resolve_script` needs them).
    pub fn python_files(&self) -> Vec<&Path> {
        let mut paths: Vec<&Path> = self
            .files
            .iter()
            .filter(|f| f.format == Format::Python)
            .map(|f| f.path.as_path())
            .collect();
        paths.sort_unstable();
        paths
    }
}

/// A call that starts a development server, found by following a script's calls.
#[derive(Debug, Clone)]
pub struct ReachedCall {
    /// The file with the call.
    pub path: PathBuf,
    /// The call's callee (`app.run`).
    pub span: Span,
    /// The calls that lead to it from the script, in order; empty when the script makes it.
    pub hops: Vec<Hop>,
}

/// One call on the way from a script to a development server (`main()` in `run.py`).
#[derive(Debug, Clone)]
pub struct Hop {
    pub path: PathBuf,
    /// The call's callee (`pkg.main`).
    pub span: Span,
    /// Its one-based line.
    pub line: usize,
    /// The callee as written (`pkg.main`).
    pub callee: String,
}

/// How many calls deep a script's calls are followed into functions (`run.py` calling
/// `pkg.main()` calling `serve()` is two).
const MAX_CALL_HOPS: usize = 3;

impl Project<'_> {
    /// The development servers a script starts: the calls in the script itself, else those in
    /// the functions its top-level code calls (in it or in the project's modules it imports),
    /// followed up to `MAX_CALL_HOPS` calls deep. Only the modules reached are read and parsed.
    pub fn dev_servers_reached(&self, script: &Path) -> Vec<ReachedCall> {
        let mut out = Vec::new();
        let mut visited = HashSet::new();
        self.follow(script, None, &[], &mut visited, &mut out);
        out
    }

    /// A module's text: the linted file's, else read through the file set.
    fn module_text(&self, path: &Path) -> Option<String> {
        if let Ok(found) = self.sources.binary_search_by(|s| s.path().cmp(path))
            && !self.sources[found].text().is_empty()
        {
            return Some(self.sources[found].text().to_string());
        }
        self.file_set.read(path).ok().map(|file| file.text.clone())
    }

    fn follow(
        &self,
        path: &Path,
        function: Option<&str>,
        hops: &[Hop],
        visited: &mut HashSet<(PathBuf, Option<String>)>,
        out: &mut Vec<ReachedCall>,
    ) {
        if !visited.insert((path.to_path_buf(), function.map(str::to_string))) {
            return;
        }
        let Some(text) = self.module_text(path) else {
            return;
        };
        let parsed = python::parse(&text);
        let Some(semantic) = Semantic::new(&parsed, &text) else {
            return;
        };
        let semantic = semantic.with_modules(module_resolver(self.file_set, path));
        // The script's own servers count wherever they are in it (as before); in a function
        // reached by a call, those in its body.
        let (starts, followed) = match function {
            None => (
                semantic
                    .calls()
                    .filter(|c| semantic.starts_dev_server(*c))
                    .collect(),
                semantic.top_level_calls(),
            ),
            Some(name) => {
                let calls = semantic.calls_in_function(name);
                let starts: Vec<_> = calls
                    .iter()
                    .copied()
                    .filter(|c| semantic.starts_dev_server(*c))
                    .collect();
                (starts, calls)
            }
        };
        let starts: Vec<python::Call<'_>> = starts;
        for call in &starts {
            out.push(ReachedCall {
                path: path.to_path_buf(),
                span: semantic.callee_span(*call),
                hops: hops.to_vec(),
            });
        }
        if !starts.is_empty() || hops.len() >= MAX_CALL_HOPS {
            return;
        }
        for call in followed {
            let target = match semantic.called_function(call) {
                Some(python::CalledFunction::Local(name)) => Some((path.to_path_buf(), name)),
                Some(python::CalledFunction::Imported(qualified)) => {
                    self.function_module(path, &qualified, 0)
                }
                None => None,
            };
            let Some((module, name)) = target else {
                continue;
            };
            let span = semantic.callee_span(call);
            let mut next = hops.to_vec();
            next.push(Hop {
                path: path.to_path_buf(),
                span,
                line: text[..span.start].matches('\n').count() + 1,
                callee: semantic
                    .callee(call)
                    .map(|c| semantic.text(c).to_string())
                    .unwrap_or_default(),
            });
            self.follow(&module, Some(&name), &next, visited, out);
        }
    }

    /// The module that defines the function imported as `qualified` from `from`, following
    /// re-exports (`pkg/__init__.py` doing `from .cli import main`).
    fn function_module(
        &self,
        from: &Path,
        qualified: &str,
        hops: usize,
    ) -> Option<(PathBuf, String)> {
        if hops >= MAX_MODULE_HOPS {
            return None;
        }
        let (module, name) = qualified.rsplit_once('.')?;
        let (path, file) = find_module(self.file_set, from, module)?;
        match self
            .file_set
            .memo::<ModuleMemo>()
            .function(&path, &file, name)
        {
            FunctionAnswer::Defined => Some((path, name.to_string())),
            FunctionAnswer::Imported(again) => self.function_module(&path, &again, hops + 1),
            FunctionAnswer::Neither => None,
        }
    }
}

/// How many modules deep an imported name is followed (`run.py` → `pkg/__init__.py` →
/// `pkg/factory.py` …): enough for re-exports, bounded so a cycle ends.
const MAX_MODULE_HOPS: usize = 4;

/// How many directories above the importing file a top-level package is looked for.
const MAX_PACKAGE_DEPTH: usize = 4;

/// Tells what a name imported by the module at `from` is (`app.create_app` → the app
/// `create_app` returns), by reading the project module that defines it. Modules are found
/// under the importing file's directory and its parents (and their `src/`), through the file
/// set, so only files inside the linted trees are read; only the modules asked about are
/// parsed.
pub fn module_resolver<'a>(
    files: &'a FileSet,
    from: &'a Path,
) -> impl Fn(&str) -> python::ObjectKind + 'a {
    move |qualified| imported_kind(files, from, qualified, 0)
}

fn imported_kind(files: &FileSet, from: &Path, qualified: &str, hops: usize) -> python::ObjectKind {
    if hops >= MAX_MODULE_HOPS {
        return python::ObjectKind::Unknown;
    }
    let (module, name) = match qualified.rsplit_once('.') {
        // `.create_app`: a name of the importing file's own package.
        Some((module, name)) => (module, name),
        None => return python::ObjectKind::Unknown,
    };
    let Some((path, file)) = find_module(files, from, module) else {
        return python::ObjectKind::Unknown;
    };
    let memo = files.memo::<ModuleMemo>();
    let ask = |q: &str| imported_kind(files, &path, q, hops + 1);
    // The answer depends on the module's text, the name and what the module's own imports
    // are (which depends on the hops left): an earlier answer holds when the same text gets
    // the same answers to the same questions, asked again in their order.
    if let Some(known) = memo.kind(&path, &file, name)
        && known.asked.iter().all(|(q, kind)| ask(q) == *kind)
    {
        return known.kind;
    }
    let parsed = memo.parsed(&path, &file);
    let asked = std::cell::RefCell::new(Vec::new());
    let kind = match Semantic::new(&parsed, &file.text) {
        Some(semantic) => semantic
            .with_modules(|q| {
                let kind = ask(q);
                asked.borrow_mut().push((q.to_string(), kind));
                kind
            })
            .exported_kind(name),
        None => python::ObjectKind::Unknown,
    };
    memo.remember_kind(
        path,
        name,
        KindAnswer {
            file,
            asked: asked.into_inner(),
            kind,
        },
    );
    kind
}

/// What the modules a run imports were found to define, kept with the file set so the threads
/// linting a project share it: a module is parsed once however many files ask about it, and an
/// answer is reused while the module's text is the one it was read from (a long-lived set, the
/// language server's, reads a changed file again into a new `File`).
#[derive(Default)]
pub struct ModuleMemo {
    /// The last module parsed, for the names asked of one module together. A syntax tree is
    /// many times its text: keeping every parse, the CPython standard library's 42 questions
    /// of 35 modules (7 of `tkinter`) parse 35 times instead of 39, and hold 23 MB more.
    parsed: Mutex<Option<Parse>>,
    kinds: Mutex<HashMap<(PathBuf, String), Arc<KindAnswer>>>,
    functions: ByText<(PathBuf, String), FunctionAnswer>,
}

/// A module's path, the text read and its syntax tree.
type Parse = (PathBuf, Arc<File>, Arc<PythonFile>);

/// Answers by key, each with the text it was read from.
type ByText<K, V> = Mutex<HashMap<K, (Arc<File>, V)>>;

impl std::fmt::Debug for ModuleMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleMemo").finish_non_exhaustive()
    }
}

/// What a module's name is, with the questions about other modules that decided it.
struct KindAnswer {
    /// The text it was read from (kept, so a new `File` is never mistaken for it).
    file: Arc<File>,
    /// The qualified names the module's resolver was asked, in order, and its answers.
    asked: Vec<(String, python::ObjectKind)>,
    kind: python::ObjectKind,
}

/// Whether a module defines a function by a name, or imports it from another.
#[derive(Clone)]
enum FunctionAnswer {
    Defined,
    Imported(String),
    Neither,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl ModuleMemo {
    /// The module's parse, made again only when another module was parsed since.
    fn parsed(&self, path: &Path, file: &Arc<File>) -> Arc<PythonFile> {
        if let Some((p, read, parsed)) = &*lock(&self.parsed)
            && p == path
            && Arc::ptr_eq(read, file)
        {
            return parsed.clone();
        }
        // Parsed without holding the lock: threads asking about other modules go on.
        let parsed = Arc::new(python::parse(&file.text));
        *lock(&self.parsed) = Some((path.to_path_buf(), file.clone(), parsed.clone()));
        parsed
    }

    fn kind(&self, path: &Path, file: &Arc<File>, name: &str) -> Option<Arc<KindAnswer>> {
        lock(&self.kinds)
            .get(&(path.to_path_buf(), name.to_string()))
            .filter(|known| Arc::ptr_eq(&known.file, file))
            .cloned()
    }

    fn remember_kind(&self, path: PathBuf, name: &str, answer: KindAnswer) {
        lock(&self.kinds).insert((path, name.to_string()), Arc::new(answer));
    }

    fn function(&self, path: &Path, file: &Arc<File>, name: &str) -> FunctionAnswer {
        let key = (path.to_path_buf(), name.to_string());
        if let Some((read, answer)) = lock(&self.functions).get(&key)
            && Arc::ptr_eq(read, file)
        {
            return answer.clone();
        }
        let parsed = self.parsed(path, file);
        let answer = match Semantic::new(&parsed, &file.text) {
            Some(semantic) if semantic.defines_function(name) => FunctionAnswer::Defined,
            Some(semantic) => semantic
                .imported_as(name)
                .map_or(FunctionAnswer::Neither, |q| {
                    FunctionAnswer::Imported(q.to_string())
                }),
            None => FunctionAnswer::Neither,
        };
        lock(&self.functions).insert(key, (file.clone(), answer.clone()));
        answer
    }
}

/// The file of module `module` (`pkg.factory`, `.factory`, `..`, or `` for the importing
/// package itself) as imported from `from`: `pkg/factory.py` or `pkg/factory/__init__.py`.
pub fn find_module(
    files: &FileSet,
    from: &Path,
    module: &str,
) -> Option<(PathBuf, Arc<crate::files::File>)> {
    let dots = module.len() - module.trim_start_matches('.').len();
    let rest = &module[dots..];
    let parts: PathBuf = rest.split('.').filter(|p| !p.is_empty()).collect();
    let here = from.parent().unwrap_or(Path::new(""));
    let bases: Vec<PathBuf> = if dots > 0 {
        let mut base = here;
        for _ in 1..dots {
            base = base.parent()?;
        }
        vec![base.to_path_buf()]
    } else {
        if parts.as_os_str().is_empty() {
            return None;
        }
        here.ancestors()
            .take(MAX_PACKAGE_DEPTH + 1)
            .flat_map(|dir| [dir.to_path_buf(), dir.join("src")])
            .collect()
    };
    for base in bases {
        let dir = base.join(&parts);
        let mut candidates = vec![dir.join("__init__.py")];
        if !parts.as_os_str().is_empty() {
            candidates.insert(0, dir.with_extension("py"));
        }
        for candidate in candidates {
            if candidate.as_path() == from {
                continue;
            }
            if let Ok(file) = files.read(&candidate) {
                return Some((candidate, file));
            }
        }
    }
    None
}

/// The `if __name__ == "__main__":` blocks of a Python file's text.
pub fn main_blocks(text: &str) -> Vec<Span> {
    python::parse(text).main_blocks(text)
}

/// The linted Python file a container launch runs, if it can be told: the script's path inside
/// the image (relative to WORKDIR, which usually mirrors the build context) looked up beside the
/// Dockerfile, or else the one linted file under the Dockerfile's directory ending in that path.
/// `python_files` is sorted (`Project::python_files`): the files under a directory are one run
/// of it, found by binary search, so each launch costs its directory's files, not the project's.
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
    if let Ok(found) = python_files.binary_search_by(|p| (**p).cmp(direct.as_path())) {
        return Some(python_files[found]);
    }
    // Paths order by their components, so those under `base` follow it in one run.
    let first = python_files.partition_point(|p| *p < base);
    let under_base: Vec<&'a Path> = python_files[first..]
        .iter()
        .take_while(|p| p.starts_with(base))
        .copied()
        .collect();
    // The image path may carry directories the build context does not (`/srv/src/main.py`
    // from `src/main.py`): try ever shorter suffixes, and claim only an unambiguous match.
    let parts: Vec<_> = relative.components().collect();
    for skip in 0..parts.len() {
        let suffix: PathBuf = parts[skip..].iter().collect();
        let mut candidates = under_base.iter().filter(|p| p.ends_with(&suffix));
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

    /// A directory holding `files`, and the file set over it.
    fn module_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        (dir, root)
    }

    #[test]
    fn remembered_module_answers_agree_with_a_fresh_look_in_any_order() {
        use python::{Framework, ObjectKind};
        // A chain of re-exports one module longer than the hops followed, so the same module
        // and name give a different answer by how far away the asking file is; a cycle; a
        // module asked about several names.
        let (_dir, root) = module_tree(&[
            ("m1.py", "from m2 import app\n"),
            ("m2.py", "from m3 import app\n"),
            ("m3.py", "from m4 import app\n"),
            ("m4.py", "from m5 import app\n"),
            ("m5.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ("a.py", "from b import x\n"),
            ("b.py", "from a import x\n"),
            (
                "factory.py",
                "import docker\nfrom flask import Flask\nfrom m3 import app as other\n\
                 def create_app():\n    return Flask(__name__)\nclient = docker.from_env()\n",
            ),
        ]);
        let from = root.join("main.py");
        let names = [
            "m1.app",
            "m2.app",
            "m3.app",
            "m4.app",
            "m5.app",
            "a.x",
            "b.x",
            "factory.create_app",
            "factory.client",
            "factory.other",
            "missing.x",
        ];
        let fresh: Vec<ObjectKind> = names
            .iter()
            .map(|q| imported_kind(&FileSet::new(vec![root.clone()]), &from, q, 0))
            .collect();
        // The test would pass with any answer if the chain did not reach past the hops.
        assert_eq!(fresh[0], ObjectKind::Unknown);
        assert_eq!(fresh[1], ObjectKind::App(Framework::Flask));
        assert_eq!(fresh[8], ObjectKind::Other);
        let forward: Vec<usize> = (0..names.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        for order in [forward, backward] {
            let files = FileSet::new(vec![root.clone()]);
            for _ in 0..2 {
                for &i in &order {
                    assert_eq!(
                        imported_kind(&files, &from, names[i], 0),
                        fresh[i],
                        "{}",
                        names[i]
                    );
                }
            }
        }
    }

    #[test]
    fn a_changed_module_is_read_and_answered_again() {
        use python::{Framework, ObjectKind};
        let (_dir, root) = module_tree(&[(
            "factory.py",
            "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
        )]);
        let files = FileSet::new(vec![root.clone()]);
        let from = root.join("main.py");
        let ask = || imported_kind(&files, &from, "factory.create_app", 0);
        assert_eq!(ask(), ObjectKind::App(Framework::Flask));
        std::fs::write(
            root.join("factory.py"),
            "import docker\ndef create_app():\n    return docker.from_env()\n",
        )
        .unwrap();
        assert_eq!(ask(), ObjectKind::Other);
    }

    #[test]
    fn calls_are_followed_into_re_exported_functions_each_time() {
        let (_dir, root) = module_tree(&[
            ("run.py", "import pkg\npkg.main()\n"),
            ("pkg/__init__.py", "from .cli import main\n"),
            (
                "pkg/cli.py",
                "from flask import Flask\napp = Flask(__name__)\ndef main():\n    app.run()\n",
            ),
        ]);
        let files = FileSet::new(vec![root.clone()]);
        let project = Project::new(&[], &[], &files);
        for _ in 0..2 {
            let reached = project.dev_servers_reached(&root.join("run.py"));
            assert_eq!(reached.len(), 1);
            assert_eq!(reached[0].path, root.join("pkg/cli.py"));
            assert_eq!(reached[0].hops.len(), 1);
        }
    }

    fn launch(script: &str, workdir: Option<&str>) -> ScriptLaunch {
        ScriptLaunch {
            script: script.into(),
            workdir: workdir.map(Into::into),
            span: Span::default(),
        }
    }

    #[test]
    fn resolves_relative_to_workdir_and_context() {
        // Sorted, as `Project::python_files` gives them.
        let files = [
            Path::new("svc/app.py"),
            Path::new("svc/src/main.py"),
            Path::new("svc-old/src/main.py"),
            Path::new("svc.d/main.py"),
            Path::new("zz/main.py"),
        ];
        assert!(files.is_sorted());
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
        // Beside `svc/`, not under it: `svc-old` and `svc.d` sort after `svc`'s files.
        assert_eq!(
            resolve_script(
                Path::new("svc.d/Dockerfile"),
                &launch("/srv/main.py", None),
                &files
            ),
            Some(files[3])
        );
        assert_eq!(
            resolve_script(
                Path::new("zz/Dockerfile"),
                &launch("/srv/main.py", None),
                &files
            ),
            Some(files[4])
        );
        let root = Path::new("Dockerfile");
        // Several files end in main.py: ambiguous, so nothing is claimed.
        assert_eq!(resolve_script(root, &launch("main.py", None), &files), None);
    }
}
