//! The format-neutral deployment model: the processes a file starts and the environment it
//! gives them. Each format lowers into it, so a rule about launchers or environment is
//! written once (a dev server is a dev server whether a Dockerfile `CMD`, a systemd
//! `ExecStart=` or a compose `command:` starts it).

use crate::model::launcher::Launch;
use crate::source::Span;

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
}

/// An environment variable the deployment sets for its processes.
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub name: String,
    /// The value after the substitutions the format performs.
    pub value: String,
    /// The `NAME=value` text in the file.
    pub span: Span,
    /// What sets it, for messages: "ENV", "ARG", "Environment=".
    pub origin: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct Deployment {
    pub processes: Vec<Process>,
    pub env: Vec<EnvVar>,
}

impl Deployment {
    /// Environment variables set for the processes, including `VAR=value` prefixes on their
    /// command lines.
    pub fn all_env(&self) -> impl Iterator<Item = EnvVar> + '_ {
        let inline = self.processes.iter().flat_map(|p| {
            p.launch.env.iter().map(|(name, value)| EnvVar {
                name: name.as_str().to_string(),
                value: value.as_str().to_string(),
                span: name.span().cover(value.span()),
                origin: p.origin,
            })
        });
        self.env.iter().cloned().chain(inline)
    }
}

/// Whether a name (a file, stage, build target, profile or service) says it is for development
/// or tests, where debug settings and development servers are intended.
pub fn is_development_word(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(['-', '_', '.', '/'])
        .any(|part| {
            matches!(
                part,
                "dev"
                    | "devel"
                    | "develop"
                    | "development"
                    | "debug"
                    | "local"
                    | "override"
                    | "test"
                    | "tests"
                    | "testing"
                    | "ci"
                    | "e2e"
            )
        })
}
