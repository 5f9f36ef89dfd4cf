//! The command-line front end: argument parsing, exit codes, and the `rules` and `explain`
//! commands.

use crate::baseline;
use crate::catalog::{self, RuleEntry};
use crate::config;
use crate::diagnostic::Severity;
use crate::engine::{self, Overrides, Resolver};
use crate::fix;
use crate::report::{self, OutputFormat, RenderOptions};
use crate::rulepack::{self, PackRule};
use clap::{Parser, Subcommand, ValueEnum};
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
    Check(CheckArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        output_format: ListFormat,
    },
    /// Show a rule's documentation.
    Explain {
        /// Rule code (e.g. USR001) or name (e.g. runs-as-root).
        rule: String,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input (with --stdin-filename).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
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
    /// its location); pass `-` as the path.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
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
        Command::Rules { output_format } => list_rules(output_format).map(|()| EXIT_CLEAN),
        Command::Explain { rule } => explain(&rule),
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

fn check(args: CheckArgs) -> io::Result<i32> {
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
    // Packs load before selectors are resolved: `--select` may name their rules.
    let mut packs = Vec::new();
    for file in &args.rule_packs {
        match rulepack::load(file) {
            Ok(rules) => packs.extend(rules),
            Err(error) => {
                eprint!("{}", error.render(color && io::stderr().is_terminal()));
                return Ok(EXIT_ERROR);
            }
        }
    }
    let overrides = match overrides(&args, packs) {
        Ok(overrides) => overrides,
        Err(message) => return usage_error(message),
    };
    let reads_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if reads_stdin && (args.paths.len() != 1 || args.stdin_filename.is_none()) {
        return usage_error(
            "`-` (standard input) needs --stdin-filename and no other paths".into(),
        );
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
    let stdin_name = args.stdin_filename.clone().filter(|_| reads_stdin);
    let lint_paths = match &stdin_name {
        Some(name) => vec![name.parent().map(Path::to_path_buf).unwrap_or_default()],
        None => args.paths.clone(),
    };
    let resolver = Resolver::new(&lint_paths, overrides);
    let mut stdin_bytes = Vec::new();
    let mut outcome = match &stdin_name {
        Some(name) => {
            let bytes = &mut stdin_bytes;
            // The same size limit as files on disk.
            let limit = crate::discover::MAX_FILE_BYTES;
            io::stdin().take(limit + 1).read_to_end(bytes)?;
            if bytes.len() as u64 > limit {
                engine::Outcome {
                    notes: vec![format!(
                        "{}: skipped: standard input is over the {} MiB limit for one file",
                        name.display(),
                        limit >> 20
                    )],
                    ..engine::Outcome::default()
                }
            } else {
                engine::run_text(name, String::from_utf8_lossy(bytes).into_owned(), &resolver)
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
    // The config that governs the run as a whole (for fail-on): the one for the first path.
    let run_config = args
        .paths
        .first()
        .map(|p| stdin_name.as_deref().unwrap_or(p))
        .and_then(|p| resolver.settings_for(p).ok());
    if let Some(file) = &args.write_baseline {
        baseline::write(file, &outcome)?;
        eprintln!(
            "deploylint: wrote {} finding(s) to baseline {}",
            outcome.diagnostics.len(),
            file.display()
        );
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
    if args.statistics {
        report::statistics(&outcome, &mut out)?;
    } else {
        report::render(
            &outcome,
            args.output_format,
            &RenderOptions { color },
            &mut out,
        )?;
        if args.output_format == OutputFormat::Pretty {
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
    for note in &outcome.notes {
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
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
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
    )))
}

/// Rule selection from the command line (codes, names or prefixes).
fn overrides(args: &CheckArgs, packs: Vec<Arc<PackRule>>) -> Result<Overrides, String> {
    let resolve = |items: &[String]| -> Result<Vec<&'static str>, String> {
        let mut out = Vec::new();
        for item in items {
            let found = config::select(item);
            if found.is_empty() {
                return Err(format!("unknown rule `{item}` (see `deploylint rules`)"));
            }
            out.extend(found);
        }
        Ok(out)
    };
    Ok(Overrides {
        select: args.select.as_deref().map(resolve).transpose()?,
        extend_select: resolve(&args.extend_select)?,
        ignore: resolve(&args.ignore)?,
        config_file: args.config.clone(),
        isolated: args.isolated,
        packs,
    })
}

fn list_rules(format: ListFormat) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, catalog::catalog())?;
            writeln!(out)
        }
        ListFormat::Markdown => write!(out, "{}", rule_table_markdown()),
        ListFormat::Table => {
            let rows: Vec<[String; 5]> = catalog::catalog()
                .iter()
                .map(|e| {
                    [
                        e.code.clone(),
                        e.name.clone(),
                        e.family.as_str().to_string(),
                        e.severity.to_string(),
                        formats_of(e),
                    ]
                })
                .collect();
            let header = ["CODE", "NAME", "FAMILY", "SEVERITY", "FORMATS"].map(String::from);
            let mut widths = header.clone().map(|h| h.len());
            for row in &rows {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.len());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let line: Vec<String> = row
                    .iter()
                    .zip(widths)
                    .map(|(cell, w)| format!("{cell:w$}"))
                    .collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
            Ok(())
        }
    }
}

/// The README's rule table.
pub fn rule_table_markdown() -> String {
    let mut s = String::from(
        "| Code | Name | Family | Severity | Formats | What it finds |\n|---|---|---|---|---|---|\n",
    );
    for e in catalog::catalog() {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            e.code,
            e.name,
            e.family.as_str(),
            e.severity,
            formats_of(e),
            e.summary.trim().replace('|', "\\|")
        ));
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

fn explain(rule: &str) -> io::Result<i32> {
    let Some(e) = catalog::lookup(rule) else {
        eprintln!("deploylint: error: unknown rule `{rule}` (see `deploylint rules`)");
        return Ok(EXIT_ERROR);
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    write!(out, "{}", render_explanation(e))?;
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
pub fn render_explanation(e: &RuleEntry) -> String {
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
    let _ = writeln!(s, "Formats: {}\n", formats_of(e));
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
