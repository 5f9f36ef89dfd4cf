//! The command-line front end: argument parsing, exit codes, and the `rules` and `explain`
//! commands.

use crate::catalog::{self, RuleEntry};
use crate::diagnostic::Severity;
use crate::engine::{self, Settings};
use crate::report::{self, OutputFormat, RenderOptions};
use crate::rules::{RULES, Rule};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

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
    /// Files or directories to lint.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Pretty)]
    output_format: OutputFormat,
    /// When to colour pretty output (NO_COLOR is respected under `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Lowest severity that makes the run fail with exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// Run only these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
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
    let rules = match select_rules(&args.select, &args.ignore) {
        Ok(rules) => rules,
        Err(message) => {
            eprintln!("deploylint: error: {message}");
            return Ok(EXIT_ERROR);
        }
    };
    let settings = Settings {
        rules,
        ..Settings::default()
    };
    let outcome = engine::run(&args.paths, &settings);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    report::render(
        &outcome,
        args.output_format,
        &RenderOptions { color },
        &mut out,
    )?;
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
    let failing = args
        .fail_on
        .threshold()
        .is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Resolves `--select`/`--ignore` (codes or names) against the registry.
fn select_rules(select: &[String], ignore: &[String]) -> Result<Vec<&'static Rule>, String> {
    let resolve = |items: &[String]| -> Result<Vec<&'static str>, String> {
        items
            .iter()
            .map(|item| {
                catalog::lookup(item.trim())
                    .map(|e| e.code.as_str())
                    .ok_or_else(|| format!("unknown rule `{item}` (see `deploylint rules`)"))
            })
            .collect()
    };
    let selected = resolve(select)?;
    let ignored = resolve(ignore)?;
    Ok(RULES
        .iter()
        .filter(|r| selected.is_empty() || selected.contains(&r.code))
        .filter(|r| !ignored.contains(&r.code))
        .collect())
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
