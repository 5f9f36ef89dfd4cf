//! The rule registry: every built-in rule listed once, with its check. The engine loops over
//! this table; rules never need a central dispatcher.

pub mod bind;
pub mod debug;
pub mod dev_server;
pub mod disclosure;
pub mod docroot;
pub mod fs;
pub mod limits;
pub mod meta;
pub mod options;
pub mod sandbox;
pub mod syntax;
pub mod user;
pub mod wsgi;

#[cfg(test)]
pub mod testing;

use crate::catalog::{Format, RuleEntry};
use crate::diagnostic::{Diagnostic, Label};
use crate::model::deployment::Deployment;
use crate::model::project::Project;
pub use crate::model::view::{ParseError, View};
use crate::source::{SourceFile, Span};
use std::path::PathBuf;

pub use options::RuleOptions;

/// What a rule sees of one file: its text and what its front end lowered it into.
pub struct FileContext<'a> {
    pub source: &'a SourceFile,
    pub format: Format,
    /// The format's own view, for rules about one format.
    pub view: View<'a>,
    /// The processes and environment the file deploys, whatever its format.
    pub deployment: &'a Deployment,
    /// What does not parse (SYN001).
    pub errors: &'a [ParseError],
    pub options: &'a RuleOptions,
}

pub struct Rule {
    pub code: &'static str,
    pub check: fn(&FileContext<'_>, &mut Sink<'_>),
    /// A cheap test of the raw text: false means the rule cannot fire on this file, so a file
    /// no selected rule can fire on is not parsed at all.
    pub prefilter: Option<fn(Format, &str) -> bool>,
}

/// Whether `text` contains `needle` in any letter case (`needle` in lower case).
pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let bytes = text.as_bytes();
    let needle = needle.as_bytes();
    let Some(&first) = needle.first() else {
        return true;
    };
    let at = |i: usize| {
        bytes
            .get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    };
    ascii_case_positions(text, first).any(at)
}

/// Where `first` (either letter case) starts in `text`, found with `memchr` rather than by
/// comparing a window at every byte: these scans run over every file for the prefilters.
fn ascii_case_positions(text: &str, first: u8) -> Box<dyn Iterator<Item = usize> + '_> {
    if !first.is_ascii() {
        return Box::new(0..text.len());
    }
    let lower = char::from(first.to_ascii_lowercase());
    let upper = char::from(first.to_ascii_uppercase());
    let lowers = text.match_indices(lower).map(|(i, _)| i);
    if lower == upper {
        return Box::new(lowers);
    }
    Box::new(lowers.chain(text.match_indices(upper).map(|(i, _)| i)))
}

/// Whether `text` names `debug` (in any letter case) other than as a method called
/// `.debug(...)`: a logger's `log.debug(...)` is in most Python files, and sets no debug mode
/// or log level.
pub fn mentions_debug(text: &str) -> bool {
    let bytes = text.as_bytes();
    ascii_case_positions(text, b'd').any(|at| {
        bytes
            .get(at..at + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"debug"))
            && !(at > 0 && bytes[at - 1] == b'.' && bytes.get(at + 5) == Some(&b'('))
    })
}

pub static RULES: &[Rule] = &[
    syntax::syntax_error::RULE,
    debug::debug_mode_enabled::RULE,
    debug::django_debug_enabled::RULE,
    debug::werkzeug_debugger_enabled::RULE,
    wsgi::embedded_mode::RULE,
    wsgi::embedded_not_restricted::RULE,
    wsgi::shared_daemon_user::RULE,
    wsgi::unrestricted_process_group::RULE,
    wsgi::no_global_application_group::RULE,
    wsgi::shared_python_home::RULE,
    wsgi::daemon_group_not_hardened::RULE,
    wsgi::daemon_without_working_directory::RULE,
    wsgi::untrusted_proxy_headers::RULE,
    docroot::script_in_document_root::RULE,
    docroot::code_in_document_root::RULE,
    docroot::script_alias_directory::RULE,
    docroot::wsgi_handler_exec_cgi::RULE,
    docroot::alias_traversal::RULE,
    disclosure::server_tokens_not_prod::RULE,
    disclosure::server_signature_on::RULE,
    disclosure::verbose_log_level::RULE,
    limits::no_request_read_timeout::RULE,
    limits::no_limit_request_body::RULE,
    debug::debug_env_enabled::RULE,
    debug::debug_logging::RULE,
    dev_server::dev_server_in_production::RULE,
    dev_server::auto_reload_enabled::RULE,
    dev_server::http_server_in_code::RULE,
    bind::bind_all_interfaces::RULE,
    bind::port_published_on_all_interfaces::RULE,
    user::runs_as_root::RULE,
    user::shared_account::RULE,
    fs::world_writable_permissions::RULE,
    fs::writable_dir_in_tmp::RULE,
    meta::unused_suppression::RULE,
    fs::loose_umask::RULE,
    sandbox::unsandboxed_service::RULE,
    sandbox::privileged_container::RULE,
    sandbox::docker_socket_mounted::RULE,
    sandbox::unconfined_container::RULE,
    sandbox::dangerous_capability::RULE,
    sandbox::host_namespace::RULE,
    sandbox::privilege_escalation_allowed::RULE,
];

/// A rule that connects facts from several files.
pub struct ProjectRule {
    pub code: &'static str,
    /// Gets the rule's catalog entry, for its findings.
    pub check: fn(&Project<'_>, &RuleEntry, &mut Vec<Diagnostic>),
}

pub static PROJECT_RULES: &[ProjectRule] = &[
    dev_server::dev_server_in_production::PROJECT_RULE,
    wsgi::untrusted_proxy_headers::PROJECT_RULE,
];

/// Collects one rule's findings, filling name, severity and default help from its catalog
/// entry.
pub struct Sink<'a> {
    entry: &'a RuleEntry,
    path: &'a std::path::Path,
    out: &'a mut Vec<Diagnostic>,
    /// The fix in the terms of the file's format (the entry's `fix-by-format:`), where the
    /// catalog's `fix:` (written for every format the rule covers) would tell a systemd unit
    /// to `RUN useradd`.
    help: Option<&'a str>,
}

impl<'a> Sink<'a> {
    pub fn new(
        entry: &'a RuleEntry,
        path: &'a std::path::Path,
        out: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Sink {
            entry,
            path,
            out,
            help: None,
        }
    }

    /// Findings of a file in `format`: their help is the entry's `fix-by-format:` text for
    /// it, else its `fix:`.
    pub fn for_format(mut self, format: Format) -> Self {
        self.help = self.entry.fix_by_format.get(&format).map(String::as_str);
        self
    }

    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            code: self.entry.code.clone(),
            name: self.entry.name.clone(),
            severity: self.entry.severity,
            path: self.path.to_path_buf(),
            span,
            message: message.into(),
            labels: Vec::new(),
            help: Some(self.help.unwrap_or(&self.entry.fix).trim().to_string()),
            fix: None,
        });
        self.out.last_mut().expect("just pushed")
    }

    /// A fix made of `edits`, with the applicability and title the rule's catalog entry
    /// declares (`autofix:`); `None` without edits. A rule may only propose fixes its entry
    /// declares, so `explain` and the catalog never understate what `--fix` does.
    pub fn fix(&self, edits: Vec<crate::edit::Edit>) -> Option<crate::edit::Fix> {
        let Some(autofix) = &self.entry.autofix else {
            debug_assert!(
                edits.is_empty(),
                "{} proposes a fix but rules/{}.yaml declares no autofix",
                self.entry.code,
                self.entry.code
            );
            return None;
        };
        crate::edit::Fix::new(autofix.applicability, autofix.title.trim(), edits)
    }
}

impl Diagnostic {
    /// Adds a secondary label in the same file.
    pub fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            path: None,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a secondary label in another file (its path normalised like every linted file's:
    /// `build: ./svc` must not name `dir/./svc/Dockerfile`).
    pub fn label_in(&mut self, path: PathBuf, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            path: Some(crate::source::normalize_path(&path)),
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix (from `Sink::fix`).
    pub fn set_fix(&mut self, fix: Option<crate::edit::Fix>) -> &mut Self {
        self.fix = fix;
        self
    }
}

#[cfg(test)]
mod tests {
    /// The memchr-led scans agree with comparing a window at every byte.
    #[test]
    fn scans_agree_with_every_window() {
        use super::{contains_ignore_case, mentions_debug};
        let windows = |text: &str, needle: &str| {
            text.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        };
        let old_mentions = |text: &str| {
            let bytes = text.as_bytes();
            bytes.windows(5).enumerate().any(|(at, w)| {
                w.eq_ignore_ascii_case(b"debug")
                    && !(at > 0 && bytes[at - 1] == b'.' && bytes.get(at + 5) == Some(&b'('))
            })
        };
        for text in [
            "",
            "d",
            "debu",
            "DEBUG",
            "xDeBuGx",
            ".debug(",
            ".Debug(x",
            "é.debug(",
            "débug",
            "log.debug(1); Debug",
            "debug.(",
            "umask",
            "UMASK(0)",
            "reloaD",
            "re load",
            "dd debuG",
            "…RELOAD…",
        ] {
            assert_eq!(mentions_debug(text), old_mentions(text), "{text}");
            for needle in [
                "reload",
                "umask",
                "trace",
                "debug",
                "forwarded-allow-ips",
                "_x",
            ] {
                assert_eq!(
                    contains_ignore_case(text, needle),
                    windows(text, needle),
                    "{text} {needle}"
                );
            }
        }
    }

    #[test]
    fn a_logger_call_is_no_mention_of_debug() {
        use super::mentions_debug;
        assert!(!mentions_debug("log.debug('x')\nlogger.Debug(\"y\")\n"));
        for text in [
            "app.run(debug=True)",
            "app.debug = True",
            "app.config['DEBUG'] = 1",
            "--log-level debug",
            "loglevel = 'debug'",
            "log.debug('x'); DEBUG = True",
            "debug",
            ".debug",
            "x.debug (1)",
        ] {
            assert!(mentions_debug(text), "{text}");
        }
    }
}
