//! gunicorn configuration files (`gunicorn.conf.py`), read with the Python front end and
//! never executed: the module-level settings that matter (`bind`, `reload`, `user`,
//! `loglevel`, `raw_env`), and where the server they configure runs.

use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, Placement, Process, Service,
};
use crate::model::launcher::{Launch, Program};
use crate::source::{MappedText, Span};
use crate::syntax::python::{Literal, PyIndex};
use tree_sitter::Node;

/// A setting's value as far as it is literal.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The whole `name = value` assignment.
    pub assignment: Span,
    /// The value expression.
    pub value: Span,
}

#[derive(Debug, Default)]
pub struct GunicornConfig {
    /// Literal bind addresses, each with the span of its string.
    pub binds: Vec<(String, Span)>,
    /// `reload = True`.
    pub reload: Option<Setting>,
    /// `user = "root"` / `user = 0`: the value as text.
    pub user: Option<(String, Setting)>,
    /// `loglevel = "debug"`: the value as written.
    pub loglevel: Option<(String, Setting)>,
    /// `raw_env = ["NAME=value", …]`: (name, value, span of the string).
    pub raw_env: Vec<(String, String, Span)>,
    /// `forwarded_allow_ips = "*"` (a string or a list of them): the addresses, joined with
    /// commas as on the command line, and the span of the value.
    pub forwarded_allow_ips: Option<(String, Span)>,
}

/// The last module-level `name = value` assignment's value.
fn setting<'t>(ix: &PyIndex<'t>, name: &str) -> Option<(Node<'t>, Node<'t>)> {
    let assignment = *ix
        .assignments_to(name)
        .iter()
        .rev()
        .find(|a| PyIndex::is_module_level(**a))?;
    Some((assignment, ix.assignment_value(assignment)?))
}

/// The strings of a string, list or tuple value.
fn strings<'t>(ix: &PyIndex<'t>, value: Node<'t>) -> Vec<(String, Span)> {
    match value.kind() {
        "list" | "tuple" => {
            let mut cursor = value.walk();
            value
                .named_children(&mut cursor)
                .filter_map(|item| string_or_prefix(ix, item))
                .collect()
        }
        _ => string_or_prefix(ix, value).into_iter().collect(),
    }
}

/// A string literal's value; for an f-string, the literal text before its first
/// placeholder when that already holds the host (`f"0.0.0.0:{port}"` → `0.0.0.0:`).
fn string_or_prefix<'t>(ix: &PyIndex<'t>, node: Node<'t>) -> Option<(String, Span)> {
    if let Some(Literal::Str(s)) = ix.literal(node) {
        return Some((s, PyIndex::span(node)));
    }
    let text = ix.text(node);
    let body = text
        .strip_prefix(['f', 'F'])?
        .trim_start_matches(['"', '\'']);
    let prefix = &body[..body.find('{')?];
    prefix
        .contains(':')
        .then(|| (prefix.to_string(), PyIndex::span(node)))
}

impl GunicornConfig {
    pub fn read(python: &crate::model::python::Semantic<'_>) -> Self {
        let ix = python.index();
        let mut out = GunicornConfig::default();
        let at = |a: Node<'_>, v: Node<'_>| Setting {
            assignment: PyIndex::span(a),
            value: PyIndex::span(v),
        };
        if let Some((_, value)) = setting(ix, "bind") {
            out.binds = strings(ix, value);
        }
        if let Some((a, v)) = setting(ix, "reload")
            && ix.literal(v).is_some_and(|l| l.is_true())
        {
            out.reload = Some(at(a, v));
        }
        if let Some((a, v)) = setting(ix, "user") {
            let text = match ix.literal(v) {
                Some(Literal::Str(s)) => Some(s),
                Some(Literal::Int(i)) => Some(i.to_string()),
                _ => None,
            };
            out.user = text.map(|t| (t, at(a, v)));
        }
        if let Some((a, v)) = setting(ix, "loglevel")
            && let Some(Literal::Str(level)) = ix.literal(v)
        {
            out.loglevel = Some((level, at(a, v)));
        }
        if let Some((_, v)) = setting(ix, "forwarded_allow_ips") {
            let ips = strings(ix, v);
            if !ips.is_empty() {
                let joined: Vec<&str> = ips.iter().map(|(ip, _)| ip.as_str()).collect();
                out.forwarded_allow_ips = Some((joined.join(","), PyIndex::span(v)));
            }
        }
        if let Some((_, v)) = setting(ix, "raw_env") {
            for (text, span) in strings(ix, v) {
                if let Some((name, value)) = text.split_once('=') {
                    out.raw_env
                        .push((name.to_string(), value.to_string(), span));
                }
            }
        }
        out
    }

    /// The server this config sets up, as a gunicorn launch with the equivalent options, so
    /// the launcher rules (bind, reload) read it like a command line.
    pub fn deployment(&self, placement: Placement) -> Deployment {
        let mut out = Deployment::default();
        let mut args = Vec::new();
        for (bind, span) in &self.binds {
            args.push(MappedText::standing_for("--bind", *span));
            args.push(MappedText::standing_for(bind, *span));
        }
        if let Some(reload) = &self.reload {
            args.push(MappedText::standing_for("--reload", reload.assignment));
        }
        if let Some((ips, span)) = &self.forwarded_allow_ips {
            args.push(MappedText::standing_for("--forwarded-allow-ips", *span));
            args.push(MappedText::standing_for(ips, *span));
        }
        out.services.push(Service {
            user: self.user.as_ref().map(|(user, setting)| Account {
                kind: AccountKind::Named(Some(user.clone())),
                how: format!("user = {user}"),
                at: setting.value,
                label: None,
            }),
            ..Service::new("the gunicorn server", placement)
        });
        if !args.is_empty() {
            let launch = Launch {
                program: Program::Gunicorn,
                program_span: Span::default(),
                args,
                env: Vec::new(),
                runs_as: None,
                program_word: None,
            };
            out.processes
                .push(Process::new(launch, placement, "the gunicorn config").in_service(0));
        }
        for (name, value, span) in &self.raw_env {
            out.env
                .push(EnvVar::new(name.clone(), value.clone(), *span, "raw_env"));
        }
        out
    }
}
