//! The format-neutral deployment model: the processes a file starts and the environment it
//! gives them. Each format lowers into it, so a rule about launchers or environment is
//! written once (a dev server is a dev server whether a Dockerfile `CMD`, a systemd
//! `ExecStart=` or a compose `command:` starts it).

use crate::diagnostic::Label;
use crate::model::launcher::{Launch, Program};
use crate::model::listen::{Listen, PublishedPort, listen_addresses};
use crate::source::{MappedText, Span};

/// Where a process runs, which decides what a bind on every interface means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Its own network namespace (a container, a PaaS dyno): binding 0.0.0.0 is how it is
    /// reached at all.
    Container,
    /// Directly on a host: binding 0.0.0.0 exposes it on every network the host is on.
    Host,
}

/// A process the deployment starts.
#[derive(Debug, Clone)]
pub struct Process {
    pub launch: Launch,
    pub placement: Placement,
    /// What starts it, for messages: "the image's start command", "ExecStart=".
    pub origin: &'static str,
    /// The service it runs in (an index into `Deployment::services`), when the file says.
    pub service: Option<usize>,
    /// The account the program itself switches to (`gunicorn --user app`,
    /// `mod_wsgi-express --user app`), which overrides its service's.
    pub user: Option<Account>,
    /// The addresses its server listens on, as far as its command line tells.
    pub listen: Vec<Listen>,
    /// Options its server reads from an environment variable (`GUNICORN_CMD_ARGS`,
    /// `UVICORN_HOST`): where each variable is written, and its name.
    pub env_settings: Vec<(Span, String)>,
}

impl Process {
    /// A process of `launch`, with the account its own options switch to.
    pub fn new(launch: Launch, placement: Placement, origin: &'static str) -> Process {
        let user = own_account(&launch);
        let listen = listen_addresses(&launch);
        Process {
            launch,
            placement,
            origin,
            service: None,
            user,
            listen,
            env_settings: Vec::new(),
        }
    }

    /// The variable that gives the option written at `at`, when the environment gives it
    /// rather than the command line.
    pub fn setting_variable(&self, at: Span) -> Option<&str> {
        self.env_settings
            .iter()
            .find(|(span, _)| span.range().contains(&at.range().start) || *span == at)
            .map(|(_, name)| name.as_str())
    }

    pub fn in_service(mut self, service: usize) -> Process {
        self.service = Some(service);
        self
    }
}

/// The account a process switches to: the one its server's own option names, else the one
/// a wrapper (`gosu app`, `setpriv --reuid app`) started it as.
fn own_account(launch: &Launch) -> Option<Account> {
    let (names, program): (&[&str], &str) = match launch.program {
        Program::Gunicorn => (&["-u", "--user"], "gunicorn"),
        Program::Hypercorn => (&["-u", "--user"], "hypercorn"),
        Program::ModWsgiExpress => (&["--user"], "mod_wsgi-express"),
        Program::Uwsgi => (&["--uid"], "uwsgi"),
        _ => return launch.runs_as.as_ref().map(wrapper_account),
    };
    let Some(user) = launch.option(names) else {
        return launch.runs_as.as_ref().map(wrapper_account);
    };
    Some(Account {
        kind: AccountKind::Named(Some(user.as_str().to_string())),
        how: program.to_string(),
        at: user.span(),
        label: None,
    })
}

/// The account a privilege-dropping wrapper switches to: the user part of `app:app`, unknown
/// when it is a variable.
pub fn wrapper_account(run_as: &crate::model::launcher::RunAs) -> Account {
    let written = run_as.user.as_str();
    let user = written.split(':').next().unwrap_or("").trim();
    let known = !user.is_empty() && !user.contains('$');
    Account {
        kind: AccountKind::Named(known.then(|| user.to_string())),
        how: run_as.tool.clone(),
        at: run_as.user.span(),
        label: None,
    }
}

/// Something that runs processes under one account and one set of settings: the container
/// an image starts, a systemd service, a compose service, a mod_wsgi daemon process group,
/// the server a gunicorn config sets up. A service may start nothing the file shows (an
/// image without a start command) and still say how whatever it runs would run.
#[derive(Debug, Clone)]
pub struct Service {
    /// How messages name it: "the image", "the service", "service `web`".
    pub subject: String,
    pub placement: Placement,
    /// Whether it runs the Python web application (or may: an image), as opposed to a
    /// database or `sshd`, whose accounts and sandboxes are outside deploylint's remit.
    pub runs_app: bool,
    /// The account its processes run as, and how that was decided; None when the file
    /// does not say and nothing can be told (a drop-in read without its unit).
    pub user: Option<Account>,
    /// The group it runs with, where the file sets one apart from the user's.
    pub group: Option<Account>,
    /// The server it runs inside and shares a host account with, for messages ("Apache").
    pub host: Option<&'static str>,
    /// The directory its processes start in, and how that was decided.
    pub workdir: Option<Workdir>,
    /// Directories it keeps data in or writes to.
    pub writable: Vec<PathFact>,
    /// Whether `/tmp` and `/var/tmp` are its own (systemd's `PrivateTmp=`), not the host's.
    pub private_tmp: bool,
    /// The umask its processes create files with, where the file sets one.
    pub umask: Option<Umask>,
    /// Its own name in the file (a compose service's key), when it has one.
    pub name: Option<String>,
    /// The image it runs, when named (`image: postgres:16`).
    pub image: Option<String>,
    /// Built from the project's own source (compose `build:`), and the external image that
    /// build starts from when its Dockerfile could be read.
    pub built: bool,
    pub base_image: Option<String>,
    /// Ports it publishes on its host.
    pub published: Vec<PublishedPort>,
    /// The least-privilege settings its runtime offers, where deploylint judges them.
    pub sandbox: Option<Sandbox>,
    /// What its container runtime grants beyond a default container's confinement.
    pub privileges: Privileges,
    /// Binds on every interface by the start command of an image another file builds, which
    /// this service runs with the host's network (compose `network_mode: host`).
    pub host_binds_of_image: Vec<ImageHostBind>,
}

/// A bind on every interface that lands on the host: at the setting that shares the host's
/// network, with a label at the image's command that binds.
#[derive(Debug, Clone)]
pub struct ImageHostBind {
    pub at: Span,
    /// `0.0.0.0`, or empty for a server's default of every interface.
    pub host: String,
    /// The image's command as written, for messages.
    pub command: String,
    pub label: crate::diagnostic::Label,
}

/// What a container is granted beyond the default confinement (a Kubernetes
/// `securityContext` and pod spec), each with where the file grants it. Empty for a process
/// that is not in a container, and wherever the file grants nothing.
#[derive(Debug, Clone, Default)]
pub struct Privileges {
    /// `privileged: true`: every capability and the host's devices.
    pub privileged: Option<Grant>,
    /// `allowPrivilegeEscalation: true`: setuid binaries and file capabilities work.
    pub escalation: Option<Grant>,
    /// Capabilities added to the default set, as written (`SYS_ADMIN`, `CAP_NET_ADMIN`).
    pub capabilities: Vec<Grant>,
    /// The host's namespaces it shares: `hostPID`, `hostIPC`.
    pub host_namespaces: Vec<Grant>,
    /// The container runtime's control socket mounted from the host (`/var/run/docker.sock`).
    pub runtime_socket: Vec<Grant>,
}

/// One grant: its value as written (a capability, a setting, a path) and how messages name
/// where it is (`securityContext.capabilities.add`, `hostPath`).
#[derive(Debug, Clone)]
pub struct Grant {
    pub value: String,
    pub how: String,
    pub at: Span,
}

/// The least-privilege settings of a service's runtime (systemd's `NoNewPrivileges=`,
/// `ProtectSystem=`, …).
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// Each setting as the fix would write it (`NoNewPrivileges=yes`), and whether it is in
    /// force (set, or implied by another setting).
    pub settings: Vec<(&'static str, bool)>,
    /// Where findings about them point (the section that would hold them).
    pub at: Span,
    /// What they protect.
    pub label: Option<Label>,
    /// Settings present but weaker than the fix's value, each with what it still leaves open
    /// (`ProtectSystem=full` protects `/usr`, `/boot` and `/etc` only).
    pub partial: Vec<Label>,
}

/// The directory a service starts in.
#[derive(Debug, Clone)]
pub struct Workdir {
    pub kind: WorkdirKind,
    /// How the file decides it, for messages. For a directory it sets: what reads before the
    /// path ("the container starts in"); for a default: what reads after the subject ("sets
    /// no WorkingDirectory=, so the app starts in / …").
    pub how: String,
    pub at: Span,
    pub label: Option<Label>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkdirKind {
    /// Set by the file (`WORKDIR`, `WorkingDirectory=`, `home=`), after substitutions.
    Set(String),
    /// Not set: the runtime's default, which nobody chose (`/` for a system service or a
    /// mod_wsgi daemon).
    Default(String),
    /// Chosen somewhere deploylint does not read (the server's `--chdir`, its config file,
    /// `RootDirectory=`, a user unit's home).
    Elsewhere,
}

/// A directory the deployment gives a service.
#[derive(Debug, Clone)]
pub struct PathFact {
    pub kind: PathKind,
    /// After substitutions, or as written where they cannot be made.
    pub path: String,
    /// What reads before the path in messages: "ReadWritePaths= lets the service write to",
    /// "service `web` bind-mounts the host's", "VOLUME".
    pub how: String,
    pub at: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// A volume the image declares: separate storage for whatever is kept below it.
    Volume,
    /// A host directory mounted into the service.
    HostMount,
    /// A directory the service writes its files to (`ReadWritePaths=`, `python-eggs=`,
    /// `WSGISocketPrefix`).
    Writable,
    /// Files the service creates for every local user to write to (uWSGI's
    /// `chmod-socket = 666`): `how` is the setting as written, `path` the files.
    WorldWritable,
}

/// A umask the file sets.
#[derive(Debug, Clone)]
pub struct Umask {
    pub mask: u32,
    /// As written with its setting, for messages: `UMask=0002`, `umask=0022`.
    pub written: String,
    pub at: Span,
    /// The group new files get: the one set, else the user's own.
    pub group: Option<String>,
}

/// Parses an octal mode as systemd and mod_wsgi do (`0027`, `027`, `27`).
pub fn parse_umask(value: &str) -> Option<u32> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| (b'0'..=b'7').contains(&b)) || v.len() > 8 {
        return None;
    }
    u32::from_str_radix(v, 8).ok().filter(|m| *m <= 0o7777)
}

/// Whether a path lies in a directory every local user can write to.
pub fn is_shared_tmp(path: &str) -> bool {
    let path = path.trim();
    ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|tmp| {
        path == *tmp
            || path
                .strip_prefix(tmp)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

impl Service {
    /// A service that runs the app, with nothing known about how.
    pub fn new(subject: impl Into<String>, placement: Placement) -> Service {
        Service {
            subject: subject.into(),
            placement,
            runs_app: true,
            user: None,
            group: None,
            host: None,
            workdir: None,
            writable: Vec::new(),
            private_tmp: false,
            umask: None,
            name: None,
            image: None,
            built: false,
            base_image: None,
            published: Vec::new(),
            sandbox: None,
            privileges: Privileges::default(),
            host_binds_of_image: Vec::new(),
        }
    }
}

/// The account a service or process runs as, and how the file decides it.
#[derive(Debug, Clone)]
pub struct Account {
    pub kind: AccountKind,
    /// How the file decides it, for messages: "the last USER is root", "User=0",
    /// "it sets neither User= nor DynamicUser=yes".
    pub how: String,
    /// Where findings about it point, in the linted file.
    pub at: Span,
    /// Where it comes from when that is elsewhere (the Dockerfile a compose service builds).
    pub label: Option<Label>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountKind {
    /// The file names it (`USER app`, `User=app`, `user: "1000"`, `user=app`); None when the
    /// name depends on a value the file does not give (`USER $APP_USER`).
    Named(Option<String>),
    /// Left to the image it is built on, whose default user applies: root unless the image
    /// is published to run unprivileged.
    ImageDefault(String),
    /// Root because nothing drops it (a system service without `User=`), or because the file
    /// forces it (an `ExecStart=+` that ignores `User=`).
    Root,
    /// Not root, whatever the name: `DynamicUser=yes`, a user unit, a setuid wrapper.
    Unprivileged,
    /// Not set: the account of the server that runs it (a mod_wsgi daemon without `user=`
    /// runs as Apache's `User`), named when the configuration says.
    Inherited(Option<String>),
}

impl Account {
    /// The account's name, where the file gives it (set or inherited).
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            AccountKind::Named(name) | AccountKind::Inherited(name) => name.as_deref(),
            _ => None,
        }
    }

    /// Whether it is root: named so, forced, or left to a base image that is not known to
    /// run unprivileged (`unprivileged_image` says which are).
    pub fn is_root(&self, unprivileged_image: impl Fn(&str) -> bool) -> bool {
        match &self.kind {
            AccountKind::Root => true,
            AccountKind::ImageDefault(image) => !unprivileged_image(image),
            AccountKind::Unprivileged => false,
            AccountKind::Named(_) | AccountKind::Inherited(_) => {
                self.name().is_some_and(is_root_user)
            }
        }
    }
}

/// Whether `account` (a user or group name) is one of `shared`, the accounts many services
/// run as (the configured `shared-accounts`).
pub fn is_shared_account(account: &str, shared: &[String]) -> bool {
    let account = account.trim();
    shared.iter().any(|s| s == account)
}

/// Whether an account (`root`, `0`, `0:0`, `root:app`) is the superuser.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user.parse::<u64>() == Ok(0)
}

/// An environment variable the deployment sets for its processes.
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub name: String,
    /// The value after the substitutions the format performs.
    pub value: String,
    /// The `NAME=value` text in the file, or what brings it in from another file (a compose
    /// service's `env_file:` entry).
    pub span: Span,
    /// What sets it, for messages: "ENV", "ARG", "Environment=", "env_file .env".
    pub origin: String,
    /// Where the value is written when that is another file.
    pub label: Option<Label>,
    /// The service it is set for, when the file sets it for one of several (an index into
    /// `Deployment::services`).
    pub service: Option<usize>,
}

impl EnvVar {
    /// A variable set in the linted file, for all its processes.
    pub fn new(name: String, value: String, span: Span, origin: &str) -> EnvVar {
        EnvVar {
            name,
            value,
            span,
            origin: origin.to_string(),
            label: None,
            service: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Deployment {
    pub processes: Vec<Process>,
    pub env: Vec<EnvVar>,
    pub services: Vec<Service>,
}

impl Deployment {
    /// The grants `of` picks from the services that run the app, each once per place it is
    /// written: a pod's namespaces or a volume are shared by all its containers.
    pub fn grants_once<'a>(
        &'a self,
        of: impl Fn(&'a Privileges) -> &'a [Grant] + 'a,
    ) -> impl Iterator<Item = (&'a Service, &'a Grant)> + 'a {
        let mut seen = Vec::new();
        self.services
            .iter()
            .filter(|s| s.runs_app)
            .flat_map(move |s| of(&s.privileges).iter().map(move |g| (s, g)))
            .filter(move |(_, g)| {
                let first = !seen.contains(&g.at);
                seen.push(g.at);
                first
            })
    }

    /// Environment variables set for the processes, including `VAR=value` prefixes on their
    /// command lines.
    pub fn all_env(&self) -> impl Iterator<Item = EnvVar> + '_ {
        let inline = self.processes.iter().flat_map(|p| {
            // `FLASK_DEBUG=$DEBUG cmd`: the shell expands it when the process starts, from
            // an environment this file does not give.
            let literal = |value: &&MappedText| !value.as_str().contains(['$', '`']);
            p.launch
                .env
                .iter()
                .filter(move |(_, value)| literal(&value))
                .map(|(name, value)| {
                    EnvVar::new(
                        name.as_str().to_string(),
                        value.as_str().to_string(),
                        name.span().cover(value.span()),
                        p.origin,
                    )
                })
        });
        self.env.iter().cloned().chain(inline)
    }
}

/// The words that mark a name (a file, directory, stage, build target, profile, service or
/// settings module) as development or test setup, where debug settings and development
/// servers are intended. The one list every such judgement uses.
pub const DEVELOPMENT_WORDS: &[&str] = &[
    "dev",
    "devel",
    "develop",
    "development",
    "debug",
    "local",
    "test",
    "tests",
    "testing",
    "ci",
    // CI services' own names (`nginx-travis.conf`).
    "travis",
    "circleci",
    "e2e",
    "integration",
    "vagrant",
    "devtools",
];

/// Whether a name (a file, stage, build target, profile or service) says it is for development
/// or tests. Compose's `override` files are the local development layer.
pub fn is_development_word(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(['-', '_', '.', '/'])
        .any(|part| DEVELOPMENT_WORDS.contains(&part) || part == "override")
}

/// Whether a directory name says it holds test or development setups, not deployments (test
/// data and fixtures too).
pub fn is_development_dir(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|part| DEVELOPMENT_WORDS.contains(&part) || matches!(part, "testdata" | "fixtures"))
}

/// Whether a file's opening comment says it is for development ("# This configuration file is
/// for the development setup"): only the comment lines before the first other line count.
pub fn says_development(text: &str) -> bool {
    let head: String = text
        .lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .take(20)
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    // Said of the file itself, not of what it mentions: "the development server", "for
    // development, use compose.dev.yaml instead" and "production; see below for development"
    // do not make a file a development one.
    const NOT_PRODUCTION: &[&str] = &[
        "not for production",
        "do not use in production",
        "don't use in production",
        "not intended for production",
        "not meant for production",
    ];
    const FOR_DEVELOPMENT: &[&str] = &[
        "for development",
        "for local development",
        "for the development setup",
        "for the development environment",
        "for a development environment",
        "development only",
        "development-only",
        "dev only",
        "dev-only",
        "for local dev",
        "local dev ",
        "for dev ",
    ];
    head.replace(['*', '`'], "")
        .split(['.', ';', '!'])
        .any(|sentence| {
            NOT_PRODUCTION.iter().any(|p| sentence.contains(p))
                || (FOR_DEVELOPMENT.iter().any(|p| sentence.contains(p))
                    && !["production", " use ", "instead", "see ", "refer"]
                        .iter()
                        .any(|w| sentence.contains(w)))
        })
}
