//! Invariants every parser and renderer keeps, as assertions. The fuzz targets (`fuzz/`) and
//! the property tests (`tests/properties.rs`) call these on arbitrary input; a violation
//! panics with what broke. Not part of the command line's behaviour.
//!
//! - every span a parser hands on (instructions, flags, words, heredocs, launches,
//!   environment, calls) and every diagnostic span lies inside the text, on char boundaries;
//! - every output format renders any set of diagnostics without panicking;
//! - every fix's edits lie inside the text, sorted and apart; applying the fixes never adds a
//!   syntax error, and placing suppressions for every finding never panics.

use crate::catalog::{Catalog, Format};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Outcome, Settings};
use crate::model::container::Image;
use crate::model::deployment::Deployment;
use crate::model::launcher::{Launch, Program};
use crate::model::listen;
use crate::report::{self, OutputFormat, RenderOptions};
use crate::rulepack;
use crate::source::{MappedText, SourceFile, Span};
use crate::syntax::dockerfile::{self, Args, Dockerfile, Instruction};
use crate::syntax::python::{self, PyIndex};
use crate::syntax::shell::{self, SimpleCommand};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Every output format, and whether pretty output is coloured.
pub const RENDERINGS: &[(OutputFormat, bool)] = &[
    (OutputFormat::Pretty, false),
    (OutputFormat::Pretty, true),
    (OutputFormat::Concise, false),
    (OutputFormat::Json, false),
    (OutputFormat::Sarif, false),
    (OutputFormat::Github, false),
    (OutputFormat::Gitlab, false),
    (OutputFormat::JsonLines, false),
    (OutputFormat::Junit, false),
    (OutputFormat::Grouped, false),
];

/// `span` lies inside `text` and starts and ends on char boundaries.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on char boundaries"
    );
}

/// A mapped text's whole span and each of its characters' spans lie inside `text`.
pub fn assert_mapped(text: &str, m: &MappedText, what: &str) {
    assert_span(text, m.span(), what);
    let s = m.as_str();
    assert_span(text, m.span_of(s.len()..s.len()), what);
    for (i, c) in s.char_indices() {
        assert_span(text, m.span_of(i..i + c.len_utf8()), what);
        assert_span(text, m.span_of(i..s.len()), what);
    }
}

pub fn assert_commands(text: &str, commands: &[SimpleCommand]) {
    for cmd in commands {
        for (name, value) in &cmd.assignments {
            assert_mapped(text, name, "assignment name");
            assert_mapped(text, value, "assignment value");
        }
        for word in &cmd.words {
            assert_mapped(text, word, "command word");
        }
    }
}

pub fn assert_launches(text: &str, launches: &[Launch]) {
    for launch in launches {
        assert_span(text, launch.program_span, "launch program");
        match &launch.program {
            Program::PythonScript { script } => assert_mapped(text, script, "script"),
            Program::PythonModule { module } => assert_mapped(text, module, "module"),
            _ => {}
        }
        for arg in &launch.args {
            assert_mapped(text, arg, "launch argument");
        }
        for (name, value) in &launch.env {
            assert_mapped(text, name, "launch env name");
            assert_mapped(text, value, "launch env value");
        }
        for name in ["--bind", "-b", "--host", "--port", "--reload"] {
            if let Some(m) = launch.option(&[name]) {
                assert_mapped(text, &m, "option");
            }
            if let Some(span) = launch.flag(&[name]) {
                assert_span(text, span, "flag");
            }
        }
        for positional in launch.positionals() {
            assert_mapped(text, positional, "positional");
        }
        for l in listen::listen_addresses(launch) {
            assert_span(text, l.span, "listen address");
        }
    }
}

pub fn assert_deployment(text: &str, deployment: &Deployment) {
    let launches: Vec<Launch> = deployment
        .processes
        .iter()
        .map(|p| p.launch.clone())
        .collect();
    assert_launches(text, &launches);
    for env in deployment.all_env() {
        assert_span(text, env.span, "environment variable");
    }
}

fn assert_instruction(text: &str, instr: &Instruction, escape: char) {
    assert_span(text, instr.span, "instruction");
    assert_span(text, instr.keyword_span, "keyword");
    for flag in &instr.flags {
        assert_span(text, flag.span, "flag");
        if let Some(value) = &flag.value {
            assert_mapped(text, value, "flag value");
        }
    }
    match &instr.args {
        Args::Shell(line) => {
            assert_mapped(text, line, "shell arguments");
            assert_commands(text, &shell::split_commands(line));
            for word in shell::words(line) {
                assert_mapped(text, &word, "word");
                assert_mapped(text, &shell::script_text(&word), "script text");
            }
        }
        Args::Exec(items) => {
            for item in items {
                assert_mapped(text, item, "exec item");
            }
        }
    }
    assert_span(text, instr.args.span(), "arguments");
    for heredoc in &instr.heredocs {
        assert_span(text, heredoc.span, "heredoc");
        assert_span(text, heredoc.marker, "heredoc marker");
        assert_mapped(text, &heredoc.body, "heredoc body");
    }
    for word in instr.words(escape) {
        assert_mapped(text, &word, "instruction word");
    }
    for kv in instr.key_values(escape) {
        assert_mapped(text, &kv.key, "key");
        if let Some(value) = &kv.value {
            assert_mapped(text, value, "value");
        }
    }
    if let Some(inner) = &instr.onbuild {
        assert_instruction(text, inner, escape);
    }
}

/// Every span of a parsed Dockerfile and of the image model built from it.
pub fn assert_dockerfile(text: &str, file: &Dockerfile) {
    for d in &file.directives {
        assert_span(text, d.span, "directive");
        assert_span(text, d.value_span, "directive value");
    }
    for e in &file.errors {
        assert_span(text, e.span, "syntax error");
    }
    for instr in &file.instructions {
        assert_instruction(text, instr, file.escape);
    }
    for stage in file.stages() {
        assert_mapped(text, &stage.image, "stage image");
        if let Some(name) = &stage.name {
            assert_mapped(text, name, "stage name");
        }
    }
    let image = Image::new(file);
    assert_deployment(text, &image.deployment());
    for launch in image.script_launches() {
        assert_span(text, launch.span, "script launch");
    }
}

/// Parses a Dockerfile and checks it.
pub fn check_dockerfile(text: &str) {
    assert_dockerfile(text, &dockerfile::parse(text));
}

/// Scans and parses Python and checks the literals, the index's nodes and the helpers rules
/// call on them.
pub fn check_python(text: &str) {
    // The token scan: its literals lie in the text, its values and names are read.
    for span in crate::syntax::python_tokens::string_spans(text) {
        assert_span(text, span, "string literal");
    }
    crate::syntax::python_tokens::string_values(text, &mut |_| {});
    let file = python::parse(text);
    let Some(index) = PyIndex::new(&file, text) else {
        return;
    };
    for &call in &index.calls {
        assert_span(text, PyIndex::span(call), "call");
        if let Some(callee) = PyIndex::callee(call) {
            let _ = index.qualified_name(callee);
        }
        for keyword in ["debug", "host"] {
            if let Some(arg) = index.arg(call, keyword, Some(0)) {
                assert_span(text, PyIndex::span(arg), "argument");
                let _ = index.literal(arg);
                let _ = index.string_value(arg);
            }
        }
    }
    for &assignment in &index.assignments {
        assert_span(text, PyIndex::span(assignment), "assignment");
        if let Some(value) = index.assignment_value(assignment) {
            let _ = index.literal(value);
        }
    }
    let file = python::parse(text);
    let Some(semantic) = crate::model::python::Semantic::new(&file, text) else {
        return;
    };
    for span in semantic.dev_server_calls() {
        assert_span(text, span, "dev server call");
    }
}

/// Splits a command line as a shell line and as exec words, and finds its launches.
pub fn check_command_line(text: &str) {
    let line = MappedText::from_span(text, Span::new(0, text.len()));
    let commands = shell::split_commands(&line);
    assert_commands(text, &commands);
    assert_launches(text, &crate::model::launcher::from_shell(&line));
    let words = shell::words(&line);
    for word in &words {
        assert_mapped(text, word, "word");
        if let Some((name, value)) = shell::assignment(word) {
            assert_mapped(text, &name, "assignment name");
            assert_mapped(text, &value, "assignment value");
        }
    }
    assert_launches(text, &crate::model::launcher::from_exec(&words));
}

/// Follows a start script's ways through it (parameters unknown, then none) and checks the
/// launches it finds, and the accounts wrappers drop to, point inside its text.
pub fn check_start_script(text: &str) {
    let script = MappedText::from_span(text, Span::new(0, text.len()));
    for params in [None, Some(&[][..])] {
        let run = crate::model::script::run(&script, params);
        assert_launches(text, &run.launches);
        for launch in &run.launches {
            if let Some(run_as) = &launch.runs_as {
                assert_mapped(text, &run_as.user, "account a wrapper drops to");
            }
        }
        assert!(
            run.endings
                .iter()
                .flatten()
                .all(|i| *i < run.launches.len()),
            "an ending names no launch"
        );
    }
}

/// Parses httpd configuration text and checks every node's and argument's span.
pub fn check_apache(text: &str) {
    let conf = crate::syntax::apache::parse(text);
    for (node, _) in conf.walk() {
        let node = &conf.nodes[node];
        assert_span(text, node.span, "apache directive");
        assert_span(text, node.name_span, "apache directive name");
        for arg in &node.args {
            assert_mapped(text, &arg.text, "apache argument");
        }
        if let Some(close) = node.close_span {
            assert_span(text, close, "apache closing tag");
        }
    }
    for error in &conf.errors {
        assert_span(text, error.span, "apache syntax error");
    }
}

/// Parses nginx configuration text and checks every directive's, word's and error's span,
/// and that blocks nest inside their parents.
pub fn check_nginx(text: &str) {
    let conf = crate::syntax::nginx::parse(text);
    for (node, parent) in conf.walk() {
        let d = &conf.nodes[node];
        assert_span(text, d.span, "nginx directive");
        assert_span(text, d.name.span, "nginx directive name");
        for arg in &d.args {
            assert_span(text, arg.span, "nginx argument");
        }
        if let Some(parent) = parent {
            let p = conf.nodes[parent].span;
            assert!(
                p.start <= d.span.start && d.span.end <= p.end,
                "nginx directive {:?} outside its block {p:?}",
                d.span
            );
        }
    }
    for error in &conf.errors {
        assert_span(text, error.span, "nginx syntax error");
    }
}

/// Parses a systemd unit and checks entries, values, command words and errors.
pub fn check_systemd(text: &str) {
    let unit = crate::syntax::systemd::parse(text, 0);
    for section in &unit.sections {
        assert_span(text, section.header, "systemd section header");
        for entry in &section.entries {
            assert_span(text, entry.span, "systemd entry");
            assert_span(text, entry.key_span, "systemd key");
            assert_mapped(text, &entry.value, "systemd value");
            for word in crate::syntax::systemd::split_words(&entry.value) {
                assert_mapped(text, &word, "systemd word");
            }
            for command in crate::syntax::systemd::exec_commands(&entry.value) {
                for word in &command.argv {
                    assert_mapped(text, word, "systemd command word");
                }
            }
        }
    }
    for error in &unit.errors {
        assert_span(text, error.span, "systemd syntax error");
    }
}

/// Reads a uWSGI ini and YAML configuration and supervisord-style ini, and checks every
/// section, key, value and error span.
pub fn check_ini(text: &str) {
    for dialect in [
        crate::syntax::ini::Dialect::Uwsgi,
        crate::syntax::ini::Dialect::Supervisor,
    ] {
        let ini = crate::syntax::ini::parse(text, dialect);
        for section in &ini.sections {
            assert_span(text, section.name_span, "ini section name");
            for entry in &section.entries {
                assert_span(text, entry.span, "ini entry");
                assert_span(text, entry.key_span, "ini key");
                assert_mapped(text, &entry.value, "ini value");
            }
        }
        for (span, _) in &ini.errors {
            assert_span(text, *span, "ini syntax error");
        }
    }
    let supervisor = crate::model::supervisord::SupervisorConfig::parse(text);
    for error in &supervisor.errors {
        assert_span(text, error.span, "supervisord error");
    }
    for placement in [
        crate::model::deployment::Placement::Host,
        crate::model::deployment::Placement::Container,
    ] {
        let deployment = supervisor.deployment(None, placement);
        for var in &deployment.env {
            assert_span(text, var.span, "supervisord environment");
        }
        for process in &deployment.processes {
            assert_span(text, process.launch.program_span, "supervisord program");
            for arg in &process.launch.args {
                assert_mapped(text, arg, "supervisord command word");
            }
        }
    }
    let files = crate::files::FileSet::default();
    for name in ["uwsgi.ini", "uwsgi.yaml"] {
        let config =
            crate::model::uwsgi::UwsgiConfig::read(std::path::Path::new(name), text, &files);
        for option in &config.options {
            assert_span(text, option.key_span, "uwsgi key");
            assert_span(text, option.value_span, "uwsgi value");
        }
        let deployment = config.deployment(crate::model::deployment::Placement::Host);
        for process in &deployment.processes {
            for arg in &process.launch.args {
                assert_mapped(text, arg, "uwsgi option");
            }
            for listen in &process.listen {
                assert_span(text, listen.span, "uwsgi listen");
            }
        }
    }
}

/// Parses YAML (as compose files are read) and checks every node's span.
pub fn check_yaml(text: &str) {
    let doc = crate::syntax::yaml::parse(text);
    for node in doc.nodes() {
        assert_span(text, node.span, "yaml node");
    }
    if let Some(error) = &doc.error {
        assert_span(text, error.span, "yaml error");
    }
    // Every document of a stream, read as a Kubernetes manifest.
    let stream = crate::syntax::yaml::parse_stream(text);
    for node in stream.nodes() {
        assert_span(text, node.span, "yaml stream node");
    }
    let manifest = crate::model::kubernetes::read(&stream, false);
    let deployment = manifest.deployment(&|_| None);
    for process in &deployment.processes {
        assert_span(text, process.launch.program_span, "manifest launch");
    }
    for var in &deployment.env {
        assert_span(text, var.span, "manifest env");
    }
}

/// Parses a Procfile and checks its lines and their launches.
pub fn check_procfile(text: &str) {
    let file = crate::model::procfile::parse(text);
    for process in &file.processes {
        assert_span(text, process.name_span, "procfile name");
        assert_mapped(text, &process.command, "procfile command");
        assert_launches(text, &crate::model::launcher::from_shell(&process.command));
    }
    for span in &file.errors {
        assert_span(text, *span, "procfile error");
    }
}

/// Loads configuration text; errors must render.
pub fn check_config(text: &str) {
    let path = Path::new("/nonexistent-deploylint-fuzz/deploylint.toml");
    let catalog = Arc::default();
    if let Err(error) = crate::config::Config::parse(path, text.to_string(), &catalog) {
        let _ = error.render(false);
        let _ = error.render(true);
    }
    let path = Path::new("/nonexistent-deploylint-fuzz/pyproject.toml");
    if let Err(error) = crate::config::Config::parse(path, text.to_string(), &catalog) {
        let _ = error.render(false);
    }
}

/// Loads rule-pack text; errors must render.
pub fn check_rule_pack(text: &str) {
    let path = Path::new("/nonexistent-deploylint-fuzz/rules.yaml");
    if let Err(error) = rulepack::parse_text(path, text.to_string()) {
        let _ = error.render(false);
        let _ = error.render(true);
    }
}

/// Every diagnostic and label span lies inside its file's text.
pub fn assert_diagnostics(source: &SourceFile, diagnostics: &[Diagnostic]) {
    let text = source.text();
    for d in diagnostics {
        assert_span(text, d.span, &d.code);
        for label in d.labels.iter().filter(|l| l.path.is_none()) {
            assert_span(text, label.span, &d.code);
        }
        if let Some(fix) = d.fix.as_ref().filter(|_| d.path == source.path()) {
            for edit in &fix.edits {
                assert_span(text, edit.span, &format!("{} fix", d.code));
            }
            assert!(
                fix.edits
                    .windows(2)
                    .all(|w| w[0].span.end <= w[1].span.start),
                "{}: fix edits overlap or are unsorted",
                d.code
            );
        }
    }
}

/// Applies every fix (unsafe ones too) to `source` and places a suppression for every
/// finding: neither panics, and fixing adds no syntax error.
pub fn check_fixes(source: &SourceFile, format: Format, diagnostics: &[Diagnostic]) {
    use crate::fix::apply::{apply_edits, fix_text, syntax_errors};
    let settings = all_rules();
    let path = source.path();
    if diagnostics.iter().any(|d| d.fix.is_some()) {
        let fixed = fix_text(path, source.text().to_string(), format, settings, true);
        assert!(
            syntax_errors(path, &fixed.text, format, settings)
                <= syntax_errors(path, source.text(), format, settings),
            "fixing added a syntax error"
        );
    }
    let own: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.path == path).collect();
    let placed = crate::fix::suppressions::place_all(source, format, settings.catalog(), &own);
    for edit in &placed.edits {
        assert_span(source.text(), edit.span, "suppression");
    }
    apply_edits(source.text(), &placed.edits);
}

/// Renders the outcome in every format; panics propagate.
pub fn render_all(outcome: &Outcome) -> Vec<Vec<u8>> {
    RENDERINGS
        .iter()
        .map(|&(format, color)| {
            let mut out = Vec::new();
            let options = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            report::render(outcome, format, &options, &mut out)
                .expect("rendering into memory cannot fail");
            out
        })
        .collect()
}

/// A rule pack with one rule per format it supports, so pack matching is exercised too.
const PACK: &str = r#"
rules:
  - code: FUZZ001
    name: fuzz-dockerfile-rule
    family: user
    severity: info
    formats: [dockerfile]
    summary: A RUN instruction mentions curl.
    rationale: Exercises rule packs.
    fix: Nothing.
    match: { format: dockerfile, key: RUN, regex: 'curl|^$', not: ['^#'] }
  - code: FUZZ002
    name: fuzz-python-rule
    family: user
    severity: info
    formats: [python]
    summary: A call runs a subprocess.
    rationale: Exercises rule packs.
    fix: Nothing.
    match: { format: python, regex: '\(' }
"#;

/// Every built-in rule and the pack above.
pub fn all_rules() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let path = Path::new("fuzz-pack.yaml");
        let rules = rulepack::parse_text(path, PACK.to_string()).expect("the built-in pack loads");
        let mut catalog = Catalog::builtin();
        catalog
            .add_pack(path, path, rules.iter().map(|r| r.entry.clone()))
            .expect("the pack's codes are free");
        Settings {
            custom: rulepack::builtin().iter().cloned().chain(rules).collect(),
            config: Arc::new(Config::defaults(Arc::new(catalog))),
            ..Settings::default()
        }
    })
}

/// The whole check on arbitrary bytes as the engine reads a file of `format` named `name`:
/// decoded the same way, linted by every rule, diagnostics checked and rendered in every
/// format.
pub fn check_bytes(format: Format, name: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    let Some((text, _lossy)) = engine::decode(bytes.to_vec()) else {
        return Vec::new();
    };
    let source = SourceFile::new(name, text);
    let diagnostics = engine::lint_source(&source, format, all_rules());
    assert_diagnostics(&source, &diagnostics);
    check_fixes(&source, format, &diagnostics);
    let outcome = Outcome {
        diagnostics: diagnostics.clone(),
        sources: vec![Arc::new(source)],
        catalog: all_rules().config.catalog.clone(),
        ..Outcome::default()
    };
    render_all(&outcome);
    diagnostics
}
