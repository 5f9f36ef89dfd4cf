//! The command-line front end: argument parsing, exit codes, and the `rules` and `explain`
//! commands.

use crate::baseline;
use crate::catalog::{self, RuleEntry};
use crate::config;
use crate::diagnostic::Severity;
use crate::engine::{self, Overrides, Resolver};
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
    /// Files or directories to lint [default: .]; `-` reads standard input.
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
    /// its location).
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Apply the configuration's `exclude` and `extend-exclude` to paths named on the command
    /// line too (for pre-commit and editors, which name files).
    #[arg(long)]
    force_exclude: bool,
    /// Lint a named file only if a directory walk would (its name says its kind, or may and
    /// its content confirms) or its shebang names Python; skip the others without a note
    /// (for pre-commit, which passes every staged file).
    #[arg(long)]
    skip_unknown: bool,
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
    let mut outcome = match &stdin_name {
        Some(name)
            if args.force_exclude
                && resolver
                    .settings_for(name)
                    .is_ok_and(|settings| settings.config.excludes(name)) =>
        {
            engine::Outcome::default()
        }
        Some(name) => {
            let mut bytes = Vec::new();
            // The same size limit as files on disk.
            let limit = crate::discover::MAX_FILE_BYTES;
            io::stdin().take(limit + 1).read_to_end(&mut bytes)?;
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
                engine::run_text(
                    name,
                    String::from_utf8_lossy(&bytes).into_owned(),
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
    if let Some(file) = &args.baseline {
        match baseline::Baseline::load(file) {
            Ok(known) => known.filter(&mut outcome),
            Err(message) => return usage_error(message),
        }
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
    }
    out.flush()?;
    for note in &outcome.notes {
        eprintln!("deploylint: note: {note}");
    }
    for error in &outcome.errors {
        eprintln!("deploylint: error: {error}");
    }
    if !outcome.errors.is_empty() {
        return Ok(EXIT_ERROR);
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
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
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
        force_exclude: args.force_exclude,
        skip_unknown: args.skip_unknown,
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
