//! The command-line front end: argument parsing, exit codes, and the `rules` and `explain`
//! commands.

use crate::baseline;
use crate::catalog::{Catalog, RuleEntry};
use crate::config::Config;
use crate::config_error::ConfigError;
use crate::diagnostic::Severity;
use crate::engine::{self, Overrides, Resolver};
use crate::fix;
use crate::report::{self, OutputFormat, RenderOptions};
use crate::rulepack::{self, PackRule};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser)]
#[command(
    name = "deploylint",
    version,
    about = "Lints the deployment configuration of Python web applications."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
// Parsed once per process: the size of the `check` variant costs nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Lint files and directories (default: the current directory).
    #[command(after_long_help = CHECK_EXIT_STATUS)]
    Check(CheckArgs),
    /// List every rule, with those of rule packs.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output_format: ListFormat,
        #[command(flatten)]
        rules: RuleSources,
    },
    /// Show a rule's documentation.
    Explain {
        /// Rule code (e.g. USR001) or name (e.g. runs-as-root).
        rule: String,
        #[command(flatten)]
        rules: RuleSources,
    },
    /// Show the project's deployment graph: each launcher, what it runs, as whom, where, and
    /// whether it is on the production path, with the evidence.
    Graph {
        /// Files or directories whose project to show [default: .].
        paths: Vec<PathBuf>,
        /// How to print the graph.
        #[arg(long, value_enum, default_value_t = crate::graph::render::GraphFormat::Text)]
        format: crate::graph::render::GraphFormat,
        /// Ignore all configuration files, and read no files beyond PATHS.
        #[arg(long)]
        isolated: bool,
    },
    /// Run a language server (LSP) over stdin and stdout, for editors.
    Server,
    /// Print a shell completion script.
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write every page to a directory.
    Man {
        /// The command whose page to print (`check`, `rules`, ...) [default: deploylint's own].
        command: Option<String>,
        /// Write deploylint.1 and a page per command (deploylint-check.1, ...) into DIR.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        output_dir: Option<PathBuf>,
    },
}

const CHECK_EXIT_STATUS: &str = "Exit status:
  0  no finding at or above --fail-on (or --exit-zero)
  1  findings at or above --fail-on
  2  a usage, I/O or configuration error";

/// Where `rules` and `explain` find rule packs: as `check` does for the current directory.
#[derive(clap::Args)]
struct RuleSources {
    /// Load a rule pack (YAML rules with a `match`); may be repeated.
    #[arg(long = "rules", value_name = "FILE")]
    rule_packs: Vec<PathBuf>,
    /// Take rule packs from this configuration file instead of the one governing the current
    /// directory.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    isolated: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to lint [default: .]; `-` reads standard input.
    paths: Vec<PathBuf>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Pretty)]
    output_format: OutputFormat,
    /// When to colour pretty output (NO_COLOR is respected under `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Lowest severity that makes the run fail with exit code 1 [default: the config's
    /// `fail-on`, else warning].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Run only these rules (codes, names or code prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Run these rules in addition to the selected ones.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Skip these rules (codes, names or code prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Use this configuration file for every linted file.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    isolated: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Record the current findings in FILE and exit 0: later runs with --baseline FILE
    /// report only new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Load a rule pack (YAML rules with a `match`); may be repeated.
    #[arg(long = "rules", value_name = "FILE")]
    rule_packs: Vec<PathBuf>,
    /// Lint standard input as if it were this file (kind from its name, configuration from
    /// its location).
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Exit 0 even with findings; usage, I/O and configuration errors still exit 2.
    #[arg(long)]
    exit_zero: bool,
    /// Print only findings and errors: no summary line, no notes.
    #[arg(long, short)]
    quiet: bool,
    /// List the files that would be linted, with the kind each is read as, and exit.
    #[arg(long, conflicts_with_all = ["show_settings", "statistics", "write_baseline", "baseline", "fix", "diff", "add_suppressions"])]
    show_files: bool,
    /// Print the settings that apply to each path (configuration file, rules and their
    /// severities, options) and exit.
    #[arg(long, conflicts_with_all = ["statistics", "write_baseline", "baseline", "fix", "diff", "add_suppressions"])]
    show_settings: bool,
    /// Apply the configuration's `exclude` and `extend-exclude` to paths named on the command
    /// line too (for pre-commit and editors, which name files).
    #[arg(long)]
    force_exclude: bool,
    /// Lint a named file only if a directory walk would (its name says its kind, or may and
    /// its content confirms) or its shebang names Python; skip the others without a note
    /// (for pre-commit, which passes every staged file).
    #[arg(long)]
    skip_unknown: bool,
    /// Apply safe fixes in place (with `-`, print the fixed text), then report what is left.
    #[arg(long, conflicts_with = "write_baseline")]
    fix: bool,
    /// Also apply fixes that may change what the deployment does (with --fix or --diff).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of the fixes instead of writing them; exit 1 when there is one.
    #[arg(long, conflicts_with_all = ["fix", "write_baseline", "statistics"])]
    diff: bool,
    /// Write a suppression comment for every current finding, in each format's syntax.
    #[arg(long, conflicts_with_all = ["fix", "diff", "write_baseline", "statistics"])]
    add_suppressions: bool,
    /// Also report findings off the production path (development, test and CI files, code
    /// only a `__main__` block runs), as `info` with the reason.
    #[arg(long)]
    include_development: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
    /// The Markdown table kept in README.md.
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// The command-line definition (for documentation tests and generators).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules {
            output_format,
            rules,
        } => list_rules(output_format, &rules),
        Command::Explain { rule, rules } => explain(&rule, &rules),
        Command::Graph {
            paths,
            format,
            isolated,
        } => graph(paths, format, isolated),
        Command::Server => Ok(crate::server::run(render_explanation)),
        Command::Completion { shell } => completion(shell),
        Command::Man {
            command,
            output_dir,
        } => man(command.as_deref(), output_dir.as_deref()),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`deploylint rules | head`) is not an error worth reporting.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            eprintln!("deploylint: error: {e}");
            EXIT_ERROR
        }
    }
}

fn check(mut args: CheckArgs) -> io::Result<i32> {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let usage_error = |message: String| {
        eprintln!("deploylint: error: {message}");
        Ok(EXIT_ERROR)
    };
    let mut catalog = Catalog::builtin();
    let packs = match rulepack::load_into(&args.rule_packs, &mut catalog) {
        Ok(packs) => packs,
        Err(error) => {
            eprint!("{}", error.render(color && io::stderr().is_terminal()));
            return Ok(EXIT_ERROR);
        }
    };
    if args.statistics && !report::statistics_supported(args.output_format) {
        return usage_error(format!(
            "--statistics prints text (pretty, concise), json or json-lines, not {}",
            format_name(args.output_format)
        ));
    }
    let listing = args.show_files || args.show_settings;
    if listing
        && !matches!(
            args.output_format,
            OutputFormat::Pretty | OutputFormat::Json | OutputFormat::JsonLines
        )
    {
        return usage_error(format!(
            "--show-files and --show-settings print text, json or json-lines, not {}",
            format_name(args.output_format)
        ));
    }
    let overrides = overrides(&args, catalog, packs);
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    // As ruff: --stdin-filename reads standard input, with or without `-`.
    let reads_stdin = dash || args.stdin_filename.is_some();
    if args.stdin_filename.is_some() {
        for path in args.paths.iter().filter(|p| p.as_os_str() != "-") {
            eprintln!(
                "deploylint: warning: ignoring {}: --stdin-filename lints standard input",
                path.display()
            );
        }
    } else if dash && args.paths.len() != 1 {
        return usage_error("`-` (standard input) cannot be linted with other paths".into());
    }
    if args.paths.is_empty() {
        args.paths.push(PathBuf::from("."));
    }
    if let Some(config) = &args.config
        && !config.is_file()
    {
        return usage_error(format!(
            "{}: configuration file not found",
            config.display()
        ));
    }
    if reads_stdin && args.add_suppressions {
        return usage_error(
            "--add-suppressions writes files; it cannot read standard input".into(),
        );
    }
    // Standard input without a name is `-` (as hadolint and ruff print it), its kind sniffed.
    let stdin_name = reads_stdin.then(|| match &args.stdin_filename {
        Some(name) => crate::source::normalize_path(name),
        None => PathBuf::from("-"),
    });
    let lint_paths = match &stdin_name {
        Some(name) => vec![
            name.parent()
                .filter(|dir| !dir.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        ],
        None => args.paths.clone(),
    };
    let resolver = Resolver::new(&lint_paths, overrides);
    if args.show_files {
        if reads_stdin {
            return usage_error("--show-files lists files on disk, not standard input".into());
        }
        return show_files(&args, &resolver, color);
    }
    if args.show_settings {
        let targets = match &stdin_name {
            Some(name) => vec![name.clone()],
            None => args.paths.clone(),
        };
        return show_settings(&args, &targets, &resolver, color);
    }
    let mut stdin_bytes = Vec::new();
    let mut outcome = match &stdin_name {
        Some(name)
            if args.force_exclude
                && resolver
                    .settings_for(name)
                    .is_ok_and(|settings| settings.config.excludes(name)) =>
        {
            // Read to its end all the same: an editor or hook writing the buffer must not
            // meet a closed pipe.
            io::copy(&mut io::stdin().lock(), &mut io::sink())?;
            engine::Outcome::default()
        }
        Some(name) => {
            let bytes = &mut stdin_bytes;
            // The same size limit as files on disk.
            let limit = crate::discover::MAX_FILE_BYTES;
            io::stdin().take(limit + 1).read_to_end(bytes)?;
            if bytes.len() as u64 > limit {
                io::copy(&mut io::stdin().lock(), &mut io::sink())?;
                engine::Outcome {
                    notes: vec![format!(
                        "{}: skipped: standard input is over the {} MiB limit for one file",
                        name.display(),
                        limit >> 20
                    )],
                    ..engine::Outcome::default()
                }
            } else {
                engine::run_text(
                    name,
                    String::from_utf8_lossy(bytes).into_owned(),
                    &resolver,
                    args.stdin_filename.is_none(),
                )
            }
        }
        None => engine::run(&args.paths, &resolver),
    };
    for error in &outcome.config_errors {
        eprint!("{}", error.render(color && io::stderr().is_terminal()));
    }
    if !outcome.config_errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    // Known only now: configuration files' packs add rules the selectors may name.
    if let Some(unknown) = resolver.unknown_selector() {
        return usage_error(format!("unknown rule `{unknown}` (see `deploylint rules`)"));
    }
    // The config that governs the run as a whole (for fail-on): the one for the first path.
    let run_config = args
        .paths
        .first()
        .map(|p| stdin_name.as_deref().unwrap_or(p))
        .and_then(|p| resolver.settings_for(p).ok());
    if let Some(file) = &args.write_baseline {
        baseline::write(file, &outcome)?;
        if !args.quiet {
            eprintln!(
                "deploylint: wrote {} finding(s) to baseline {}",
                outcome.diagnostics.len(),
                file.display()
            );
        }
        return Ok(if outcome.errors.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_ERROR
        });
    }
    let mut baseline = match &args.baseline {
        Some(file) => match baseline::Baseline::load(file) {
            Ok(known) => Some(known),
            Err(message) => return usage_error(message),
        },
        None => None,
    };
    let modes = FixModes {
        unsafe_fixes: args.unsafe_fixes,
        diff: args.diff,
    };
    if args.add_suppressions {
        // A finding the baseline records is accepted already: it needs no comment.
        if let Some(known) = baseline.take() {
            known.filter(&mut outcome);
        }
        return add_suppressions(&outcome, &resolver);
    }
    let mut fixed = None;
    if let Some(name) = stdin_name.as_ref().filter(|_| args.fix || args.diff) {
        match fix_stdin(name, &stdin_bytes, &outcome, &resolver, modes)? {
            Ok(code) => return Ok(code),
            // The fixed text went to stdout: what is left is reported on stderr.
            Err(mut remaining) => {
                if let Some(known) = baseline.take() {
                    known.filter(&mut remaining);
                }
                let mut err = io::stderr().lock();
                let options = RenderOptions {
                    color: color && io::stderr().is_terminal(),
                    quiet: args.quiet,
                };
                report::render(&remaining, args.output_format, &options, &mut err)?;
                return Ok(finish_check(&args, &remaining, run_config.as_deref()));
            }
        }
    }
    if args.diff {
        return diff_files(&outcome, &resolver, modes);
    }
    if args.fix {
        let summary = fix::run::fix_files(&outcome, &resolver, args.unsafe_fixes, None)?;
        // Report what is left, as linting the fixed files finds it.
        outcome = engine::run(&args.paths, &resolver);
        outcome.notes.extend(summary.notes.iter().cloned());
        outcome.errors.extend(summary.errors.iter().cloned());
        fixed = Some(summary);
    }
    if let Some(known) = baseline.take() {
        known.filter(&mut outcome);
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let options = RenderOptions {
        color,
        quiet: args.quiet,
    };
    if args.statistics {
        report::statistics(&outcome, args.output_format, &options, &mut out)?;
    } else {
        report::render(&outcome, args.output_format, &options, &mut out)?;
        if args.output_format == OutputFormat::Pretty && !args.quiet {
            if let Some(summary) = &fixed {
                writeln!(out, "{}", fixed_line(summary))?;
            } else if let Some(hint) = fix::run::fixable_hint(&outcome, args.unsafe_fixes) {
                writeln!(out, "{hint}")?;
            }
        }
    }
    out.flush()?;
    if let Some(summary) = fixed
        .as_ref()
        .filter(|_| args.output_format != OutputFormat::Pretty || args.statistics)
    {
        eprintln!("deploylint: {}", fixed_line(summary));
    }
    Ok(finish_check(&args, &outcome, run_config.as_deref()))
}

/// `deploylint graph`: lints the paths as `check` does (with the project's context) and prints
/// the graph that decided which findings are on the production path.
fn graph(
    mut paths: Vec<PathBuf>,
    format: crate::graph::render::GraphFormat,
    isolated: bool,
) -> io::Result<i32> {
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let overrides = Overrides {
        isolated,
        catalog: Arc::new(Catalog::builtin()),
        ..Overrides::default()
    };
    let resolver = Resolver::new(&paths, overrides);
    let outcome = engine::run(&paths, &resolver);
    for error in &outcome.config_errors {
        eprint!("{}", error.render(io::stderr().is_terminal()));
    }
    for error in &outcome.errors {
        eprintln!("deploylint: error: {error}");
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    crate::graph::render::render(&outcome.graph, &outcome.diagnostics, format, &mut out)?;
    out.flush()?;
    Ok(
        if outcome.errors.is_empty() && outcome.config_errors.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_ERROR
        },
    )
}

/// `Fixed 3 problems in 2 files.`
fn fixed_line(summary: &fix::run::Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "Fixed {} in {}.",
        plural(summary.findings, "problem"),
        plural(summary.files, "file")
    )
}

/// Prints the run's notes and errors and returns its exit code.
fn finish_check(
    args: &CheckArgs,
    outcome: &engine::Outcome,
    run_config: Option<&engine::Settings>,
) -> i32 {
    for note in outcome.notes.iter().filter(|_| !args.quiet) {
        eprintln!("deploylint: note: {note}");
    }
    for error in &outcome.errors {
        eprintln!("deploylint: error: {error}");
    }
    if !outcome.errors.is_empty() {
        return EXIT_ERROR;
    }
    let fail_on = args.fail_on.unwrap_or_else(|| {
        run_config
            .and_then(|s| s.config.fail_on.clone())
            .and_then(|v| FailOn::from_str(&v, true).ok())
            .unwrap_or(FailOn::Warning)
    });
    let failing = fail_on
        .threshold()
        .is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    if failing && !args.exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

#[derive(Clone, Copy)]
struct FixModes {
    unsafe_fixes: bool,
    diff: bool,
}

/// `--diff`: the diff on stdout, a count on stderr; exit 1 when there is something to fix.
fn diff_files(outcome: &engine::Outcome, resolver: &Resolver, modes: FixModes) -> io::Result<i32> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let summary = fix::run::fix_files(outcome, resolver, modes.unsafe_fixes, Some(&mut out))?;
    out.flush()?;
    report_changes(outcome, &summary);
    eprintln!(
        "deploylint: would fix {} finding(s) in {} file(s)",
        summary.findings, summary.files
    );
    Ok(
        if !summary.errors.is_empty() || !outcome.errors.is_empty() {
            EXIT_ERROR
        } else if summary.findings > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}

fn report_changes(outcome: &engine::Outcome, summary: &fix::run::Summary) {
    for note in outcome.notes.iter().chain(&summary.notes) {
        eprintln!("deploylint: note: {note}");
    }
    for error in outcome.errors.iter().chain(&summary.errors) {
        eprintln!("deploylint: error: {error}");
    }
}

/// `--add-suppressions`: writes the comments and says how many; exit 0 unless a file could
/// not be read or written.
fn add_suppressions(outcome: &engine::Outcome, resolver: &Resolver) -> io::Result<i32> {
    let summary = fix::run::add_suppressions(outcome, resolver);
    report_changes(outcome, &summary);
    eprintln!(
        "deploylint: added {} suppression comment(s) for {} finding(s) in {} file(s)",
        summary.comments, summary.findings, summary.files
    );
    Ok(if summary.errors.is_empty() && outcome.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    })
}

/// `--fix`/`--diff` of standard input. `--diff` (and input that is not linted) finishes here
/// with an exit code; `--fix` prints the fixed text and returns the findings left in it, to
/// be reported on stderr.
fn fix_stdin(
    name: &Path,
    bytes: &[u8],
    outcome: &engine::Outcome,
    resolver: &Resolver,
    modes: FixModes,
) -> io::Result<Result<i32, engine::Outcome>> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let settings = match resolver.settings_for(name) {
        Ok(settings) => settings,
        Err(error) => {
            eprint!("{}", error.render(false));
            return Ok(Ok(EXIT_ERROR));
        }
    };
    let Some(&format) = outcome.formats.get(name) else {
        // Not a kind deploylint reads: the text passes through unchanged.
        if !modes.diff {
            out.write_all(bytes)?;
        }
        report_changes(outcome, &fix::run::Summary::default());
        return Ok(Ok(EXIT_CLEAN));
    };
    let (fixed, result) = fix::run::fix_stdin(name, bytes, format, &settings, modes.unsafe_fixes);
    for note in &result.notes {
        eprintln!("deploylint: note: {note}");
    }
    if modes.diff {
        out.write_all(fix::run::stdin_diff(name, bytes, &fixed).as_bytes())?;
        eprintln!(
            "deploylint: would fix {} finding(s) in {} file(s)",
            result.fixed.len(),
            usize::from(!result.fixed.is_empty())
        );
        return Ok(Ok(if result.fixed.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        }));
    }
    out.write_all(&fixed)?;
    out.flush()?;
    eprintln!(
        "deploylint: fixed {} problem(s) in standard input",
        result.fixed.len()
    );
    Ok(Err(engine::run_text(
        name,
        String::from_utf8_lossy(&fixed).into_owned(),
        resolver,
        name == Path::new("-"),
    )))
}

fn format_name(format: OutputFormat) -> String {
    format
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// Prints configuration errors; true if there were any (the run then exits 2).
fn report_config_errors(errors: &[ConfigError], color: bool) -> bool {
    for error in errors {
        eprint!("{}", error.render(color && io::stderr().is_terminal()));
    }
    !errors.is_empty()
}

/// `check --show-files`: the files a check would lint and their kinds; exit 0, or 2 when a
/// path or configuration is broken.
fn show_files(args: &CheckArgs, resolver: &Resolver, color: bool) -> io::Result<i32> {
    let list = crate::show::list_files(&args.paths, resolver);
    if report_config_errors(&list.config_errors, color) {
        return Ok(EXIT_ERROR);
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    crate::show::write_files(&list, args.output_format, &mut out)?;
    out.flush()?;
    for note in list.notes.iter().filter(|_| !args.quiet) {
        eprintln!("deploylint: note: {note}");
    }
    for error in &list.errors {
        eprintln!("deploylint: error: {error}");
    }
    Ok(if list.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    })
}

/// `check --show-settings`: the resolved settings for each path.
fn show_settings(
    args: &CheckArgs,
    targets: &[PathBuf],
    resolver: &Resolver,
    color: bool,
) -> io::Result<i32> {
    let fail_on = args
        .fail_on
        .and_then(|f| f.to_possible_value())
        .map(|v| v.get_name().to_string());
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for path in targets {
        let on_disk = args.stdin_filename.as_deref() == Some(path.as_path()) || path.exists();
        if !on_disk {
            eprintln!(
                "deploylint: error: {}: no such file or directory",
                path.display()
            );
            return Ok(EXIT_ERROR);
        }
        match crate::show::settings_report(path, resolver, fail_on.as_deref()) {
            Ok(report) => reports.push(report),
            Err(error) => errors.push(error),
        }
    }
    if report_config_errors(&errors, color) {
        return Ok(EXIT_ERROR);
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    crate::show::write_settings(&reports, args.output_format, &mut out)?;
    out.flush()?;
    Ok(EXIT_CLEAN)
}

fn completion(shell: clap_complete::Shell) -> io::Result<i32> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "deploylint", &mut io::stdout().lock());
    Ok(EXIT_CLEAN)
}

/// `deploylint man [COMMAND]` prints one page; `--output-dir DIR` writes them all.
fn man(command: Option<&str>, output_dir: Option<&Path>) -> io::Result<i32> {
    // As clap_mangen's `generate_to` prepares it: subcommands get their `deploylint-NAME`.
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    if let Some(dir) = output_dir {
        std::fs::create_dir_all(dir)?;
        clap_mangen::generate_to(cli, dir)?;
        return Ok(EXIT_CLEAN);
    }
    let page = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) if !sub.is_hide_set() => sub.clone(),
            _ => {
                eprintln!("deploylint: error: no command `{name}` (see `deploylint --help`)");
                return Ok(EXIT_ERROR);
            }
        },
    };
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(page).render(&mut out)?;
    out.flush()?;
    Ok(EXIT_CLEAN)
}

/// Rule selection from the command line (codes, names or prefixes), resolved by each
/// configuration against its rules.
fn overrides(args: &CheckArgs, catalog: Catalog, packs: Vec<Arc<PackRule>>) -> Overrides {
    Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        config_file: args.config.clone(),
        isolated: args.isolated,
        catalog: Arc::new(catalog),
        packs,
        force_exclude: args.force_exclude,
        skip_unknown: args.skip_unknown,
        include_development: args.include_development,
    }
}

/// The rules `rules` and `explain` know: built-in, `--rules` packs, and the packs of the
/// configuration file that governs the current directory (or `--config`).
fn rule_catalog(sources: &RuleSources) -> Result<Arc<Catalog>, ConfigError> {
    let mut catalog = Catalog::builtin();
    let packs = rulepack::load_into(&sources.rule_packs, &mut catalog)?;
    let catalog = Arc::new(catalog);
    let here = PathBuf::from(".");
    // Found as `check` finds it.
    let resolver = Resolver::new(
        std::slice::from_ref(&here),
        Overrides {
            config_file: sources.config.clone(),
            isolated: sources.isolated,
            catalog: catalog.clone(),
            packs,
            ..Overrides::default()
        },
    );
    match resolver.config_path(&here) {
        Some(config) => Config::load_rule_packs(&config, &catalog),
        None => Ok(catalog),
    }
}

/// The catalog for `rules` or `explain`, or the exit code after reporting why there is none.
fn rule_catalog_or_exit(sources: &RuleSources) -> Result<Arc<Catalog>, i32> {
    if let Some(config) = &sources.config
        && !config.is_file()
    {
        eprintln!(
            "deploylint: error: {}: configuration file not found",
            config.display()
        );
        return Err(EXIT_ERROR);
    }
    rule_catalog(sources).map_err(|error| {
        eprint!("{}", error.render(io::stderr().is_terminal()));
        EXIT_ERROR
    })
}

fn list_rules(format: ListFormat, sources: &RuleSources) -> io::Result<i32> {
    let catalog = match rule_catalog_or_exit(sources) {
        Ok(catalog) => catalog,
        Err(code) => return Ok(code),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        ListFormat::Json => {
            /// An entry as in the catalog, and the pack it comes from.
            #[derive(serde::Serialize)]
            struct Listed<'a> {
                #[serde(flatten)]
                entry: &'a RuleEntry,
                #[serde(skip_serializing_if = "Option::is_none")]
                pack: Option<String>,
            }
            let entries: Vec<Listed> = catalog
                .with_origin()
                .map(|(entry, pack)| Listed {
                    entry,
                    pack: pack.map(shown),
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &entries)?;
            writeln!(out)?;
        }
        ListFormat::Markdown => write!(out, "{}", rule_table_markdown_of(&catalog))?,
        ListFormat::Table => {
            // A pack column only when packs are loaded: the usual list stays as narrow.
            let with_packs = catalog.with_origin().any(|(_, pack)| pack.is_some());
            let rows: Vec<Vec<String>> = catalog
                .with_origin()
                .map(|(e, pack)| {
                    let mut row = vec![
                        e.code.clone(),
                        e.name.clone(),
                        e.family.as_str().to_string(),
                        e.severity.to_string(),
                        formats_of(e),
                    ];
                    if with_packs {
                        row.push(origin(pack));
                    }
                    row
                })
                .collect();
            let mut header: Vec<String> = ["CODE", "NAME", "FAMILY", "SEVERITY", "FORMATS"]
                .map(String::from)
                .to_vec();
            if with_packs {
                header.push("FROM".to_string());
            }
            let mut widths: Vec<usize> = header.iter().map(String::len).collect();
            for row in &rows {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.len());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let line: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(cell, w)| format!("{cell:w$}"))
                    .collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
        }
    }
    Ok(EXIT_CLEAN)
}

/// Where a listed rule comes from: `built-in` or `pack FILE`.
fn origin(pack: Option<&Path>) -> String {
    match pack {
        Some(file) => format!("pack {}", shown(file)),
        None => "built-in".to_string(),
    }
}

/// A path as the user would type it here: relative to the current directory when below it.
fn shown(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let here = std::env::current_dir().unwrap_or_default();
    match absolute.strip_prefix(&here) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// The README's rule table.
pub fn rule_table_markdown() -> String {
    rule_table_markdown_of(&Catalog::builtin())
}

/// The rule table in Markdown, with a column naming each rule's pack when packs are loaded.
fn rule_table_markdown_of(catalog: &Catalog) -> String {
    let with_packs = catalog.with_origin().any(|(_, pack)| pack.is_some());
    let mut s = String::from("| Code | Name | Family | Severity | Formats | What it finds |");
    s.push_str(if with_packs {
        " From |\n|---|---|---|---|---|---|---|\n"
    } else {
        "\n|---|---|---|---|---|---|\n"
    });
    for (e, pack) in catalog.with_origin() {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |",
            e.code,
            e.name,
            e.family.as_str(),
            e.severity,
            formats_of(e),
            e.summary.trim().replace('|', "\\|")
        ));
        if with_packs {
            s.push_str(&format!(" {} |", origin(pack).replace('|', "\\|")));
        }
        s.push('\n');
    }
    s
}

pub fn formats_of(e: &RuleEntry) -> String {
    e.formats
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn explain(rule: &str, sources: &RuleSources) -> io::Result<i32> {
    let catalog = match rule_catalog_or_exit(sources) {
        Ok(catalog) => catalog,
        Err(code) => return Ok(code),
    };
    let Some(e) = catalog.lookup(rule) else {
        eprintln!("deploylint: error: unknown rule `{rule}` (see `deploylint rules`)");
        return Ok(EXIT_ERROR);
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    write!(out, "{}", render_explanation(e, &catalog))?;
    Ok(EXIT_CLEAN)
}

/// Whether and how `--fix` fixes a rule's findings, for `explain`.
pub fn autofix_text(e: &RuleEntry) -> String {
    match &e.autofix {
        None => "Fix: none; the change needs a person's judgement.".to_string(),
        Some(fix) => {
            let command = match fix.applicability {
                fix::Applicability::Safe => "`deploylint check --fix` applies it",
                fix::Applicability::Unsafe => {
                    "`deploylint check --fix --unsafe-fixes` applies it, as it may change what the deployment does; review the change (`--diff`)"
                }
            };
            format!(
                "Fix ({}): {} {command}.",
                fix.applicability.as_str(),
                fix.title.trim()
            )
        }
    }
}

/// The catalog entry as text: what it does, why, how to fix, references, examples.
pub fn render_explanation(e: &RuleEntry, catalog: &Catalog) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} ({}, {})",
        e.code,
        e.name,
        e.family.as_str(),
        e.severity
    );
    let _ = writeln!(s, "Formats: {}", formats_of(e));
    if let Some(pack) = catalog.pack_of(&e.code) {
        let _ = writeln!(s, "From rule pack: {}", shown(pack));
    }
    if let Some(url) = catalog.documentation_url(&e.code) {
        let _ = writeln!(s, "Documentation: {url}");
    }
    s.push('\n');
    let _ = writeln!(s, "{}\n", e.summary.trim());
    let _ = writeln!(s, "Why it matters\n{}\n", e.rationale.trim());
    let _ = writeln!(s, "Instead\n{}\n", e.fix.trim());
    let _ = writeln!(s, "{}\n", autofix_text(e));
    if !e.references.is_empty() {
        let _ = writeln!(s, "References");
        for r in &e.references {
            let _ = writeln!(s, "  - {r}");
        }
        s.push('\n');
    }
    for (i, ex) in e.examples.iter().enumerate() {
        let _ = writeln!(
            s,
            "Example {} ({}, as {})",
            i + 1,
            ex.format.as_str(),
            ex.file_name()
        );
        for (label, text) in [("Bad", &ex.bad), ("Good", &ex.good)] {
            if let Some(text) = text {
                let _ = writeln!(s, "  {label}:");
                for line in text.trim_end().lines() {
                    let _ = writeln!(s, "    {line}");
                }
            }
        }
        s.push('\n');
    }
    s
}
