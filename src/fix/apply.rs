//! Applying fixes to one file's text: non-overlapping fixes in rounds, re-linting between
//! rounds, never keeping a round that adds a syntax error or does not remove its findings.

use super::{Edit, Fix};
use crate::catalog::Format;
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Settings};
use crate::rules::RULES;
use crate::source::SourceFile;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Rounds of fixing one file at most: each round applies every fix that does not overlap an
/// earlier one, so a file needs as many rounds as its deepest chain of overlapping fixes.
pub const MAX_ROUNDS: usize = 10;

/// Whether two edits of different fixes cannot both be applied: they overlap, or one inserts
/// where the other starts (their order would be a guess).
fn conflicts(a: &Edit, b: &Edit) -> bool {
    (a.span.start < b.span.end && b.span.start < a.span.end)
        || (a.span.start == b.span.start && (a.span.is_empty() || b.span.is_empty()))
}

/// Applies edits, sorted and non-overlapping, to `text`.
pub fn apply_edits<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        debug_assert!(edit.span.start >= at, "edits overlap or are unsorted");
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.content);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Chooses, in order of position, the fixes whose edits conflict with none chosen before.
pub fn select<'f>(fixes: &[&'f Fix]) -> Vec<&'f Fix> {
    let mut order: Vec<&Fix> = fixes.to_vec();
    order.sort_by_key(|f| (f.range().start, f.range().end));
    let mut chosen: Vec<&Fix> = Vec::new();
    for fix in order {
        let clash = chosen
            .iter()
            .flat_map(|c| &c.edits)
            .any(|taken| fix.edits.iter().any(|e| conflicts(e, taken)));
        if !clash {
            chosen.push(fix);
        }
    }
    chosen
}

/// Applies the chosen fixes together.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> String {
    let mut edits: Vec<&Edit> = fixes.iter().flat_map(|f| &f.edits).collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    apply_edits(text, edits)
}

/// How many syntax errors `text` has as `format`, whatever rules are selected: SYN001's
/// findings, and for Python tree-sitter's error nodes.
pub fn syntax_errors(path: &Path, text: &str, format: Format, settings: &Settings) -> usize {
    if matches!(format, Format::Python | Format::Gunicorn) {
        return crate::syntax::python::parse(text).error_count();
    }
    let syntax_only = Settings {
        rules: RULES.iter().filter(|r| r.code == "SYN001").collect(),
        custom: Vec::new(),
        ..settings.clone()
    };
    let source = SourceFile::new(path, text);
    engine::lint_file(&source, format, &syntax_only)
        .0
        .iter()
        .filter(|d| d.code == "SYN001")
        .count()
}

/// The result of fixing one file.
#[derive(Debug, Default)]
pub struct FileFix {
    pub text: String,
    /// The code of each finding a fix was applied for.
    pub fixed: Vec<String>,
    /// Fixes left unapplied, and why.
    pub notes: Vec<String>,
}

/// A fix as content, without its position, to recognise it again in a later round.
fn fix_key(code: &str, text: &str, fix: &Fix) -> (String, Vec<(String, String)>) {
    (
        code.to_string(),
        fix.edits
            .iter()
            .map(|e| (text[e.span.range()].to_string(), e.content.clone()))
            .collect(),
    )
}

/// The findings of `code` in the diagnostics, by code.
fn counts(diagnostics: &[Diagnostic]) -> BTreeMap<&str, usize> {
    let mut out = BTreeMap::new();
    for d in diagnostics {
        *out.entry(d.code.as_str()).or_default() += 1;
    }
    out
}

/// Fixes `text` (the file `path`, linted as `format` with `settings`): applies the fixes of
/// its findings (safe ones, and unsafe ones with `unsafe_fixes`) in rounds until none is left.
pub fn fix_text(
    path: &Path,
    text: String,
    format: Format,
    settings: &Settings,
    unsafe_fixes: bool,
) -> FileFix {
    fix_with(
        path,
        text,
        unsafe_fixes,
        &|text| engine::lint_source(&SourceFile::new(path, text), format, settings),
        &|text| syntax_errors(path, text, format, settings),
    )
}

/// `fix_text` with the linter and the syntax check given, so tests can supply a rule defect.
pub fn fix_with(
    path: &Path,
    text: String,
    unsafe_fixes: bool,
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
    syntax_errors: &dyn Fn(&str) -> usize,
) -> FileFix {
    let mut text = text;
    let mut fixed = Vec::new();
    let mut notes = Vec::new();
    let mut refused: HashSet<(String, Vec<(String, String)>)> = HashSet::new();
    // Codes whose fixes did not remove their findings: not applied again.
    let mut stuck: HashSet<String> = HashSet::new();
    let mut errors = syntax_errors(&text);
    // The text before the last round, the findings it had, and the codes that round fixed.
    let mut previous: Option<(String, BTreeMap<String, usize>, Vec<String>)> = None;
    for round in 0..=MAX_ROUNDS {
        let diagnostics = lint(&text);
        let now: BTreeMap<String, usize> = counts(&diagnostics)
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        if let Some((before, had, round_fixed)) = previous.take() {
            let regressed: Vec<String> = round_fixed
                .iter()
                .filter(|c| now.get(*c).copied().unwrap_or(0) >= had.get(*c).copied().unwrap_or(0))
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if !regressed.is_empty() {
                // Undo the round: a fix that leaves its finding would be applied forever.
                for code in &regressed {
                    notes.push(format!(
                        "{}: the fix for {code} did not remove its finding and was not applied (please report this)",
                        path.display()
                    ));
                    stuck.insert(code.clone());
                }
                let kept = fixed.len() - round_fixed.len();
                fixed.truncate(kept);
                text = before;
                continue;
            }
        }
        if round == MAX_ROUNDS {
            break;
        }
        // Identical fixes of several findings (one edit that settles them all) count once.
        let mut candidates: Vec<(&Fix, Vec<&str>)> = Vec::new();
        for d in &diagnostics {
            let Some(fix) = &d.fix else { continue };
            if d.path != path
                || !fix.is_applicable(unsafe_fixes)
                || !fix.fits(&text)
                || stuck.contains(&d.code)
                || refused.contains(&fix_key(&d.code, &text, fix))
            {
                continue;
            }
            match candidates.iter_mut().find(|(f, _)| f.edits == fix.edits) {
                Some((_, codes)) => codes.push(&d.code),
                None => candidates.push((fix, vec![&d.code])),
            }
        }
        if candidates.is_empty() {
            break;
        }
        let fixes: Vec<&Fix> = candidates.iter().map(|(f, _)| *f).collect();
        let mut chosen = select(&fixes);
        let mut next = apply_fixes(&text, &chosen);
        let mut next_errors = syntax_errors(&next);
        if next_errors > errors {
            // Find the fixes that break the file on their own, refuse them, keep the rest.
            let mut good = Vec::new();
            for fix in chosen {
                let alone = apply_fixes(&text, &[fix]);
                if syntax_errors(&alone) > errors {
                    let (_, codes) = candidates
                        .iter()
                        .find(|(f, _)| std::ptr::eq(*f, fix))
                        .expect("chosen from candidates");
                    notes.push(format!(
                        "{}: the fix for {} ({}) would make the file unparseable and was not applied",
                        path.display(),
                        codes.join(", "),
                        fix.title
                    ));
                    refused.insert(fix_key(codes[0], &text, fix));
                } else {
                    good.push(fix);
                }
            }
            next = apply_fixes(&text, &good);
            next_errors = syntax_errors(&next);
            if next_errors > errors {
                // Each is fine alone but not together: one per round.
                good.truncate(1);
                next = apply_fixes(&text, &good);
                next_errors = syntax_errors(&next);
            }
            chosen = good;
        }
        if chosen.is_empty() {
            continue;
        }
        let mut round_fixed = Vec::new();
        for fix in &chosen {
            let (_, codes) = candidates
                .iter()
                .find(|(f, _)| std::ptr::eq(*f, *fix))
                .expect("chosen from candidates");
            round_fixed.extend(codes.iter().map(|c| c.to_string()));
        }
        fixed.extend(round_fixed.iter().cloned());
        previous = Some((std::mem::replace(&mut text, next), now, round_fixed));
        errors = next_errors;
    }
    if previous.is_some() {
        notes.push(format!(
            "{}: fixes were still pending after {MAX_ROUNDS} rounds",
            path.display()
        ));
    }
    FileFix { text, fixed, notes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Applicability;
    use crate::source::Span;

    fn fix(edits: &[(usize, usize, &str)]) -> Fix {
        Fix::new(
            Applicability::Safe,
            "t",
            edits
                .iter()
                .map(|&(a, b, s)| Edit::replace(Span::new(a, b), s))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn edits_apply_in_order() {
        let text = "abcdef";
        let f = fix(&[(0, 1, "X"), (2, 2, "++"), (4, 6, "")]);
        assert_eq!(apply_fixes(text, &[&f]), "Xb++cd");
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let a = fix(&[(0, 3, "x")]);
        let b = fix(&[(2, 4, "y")]);
        let c = fix(&[(4, 5, "z")]);
        // Same insertion point: order would be a guess.
        let d = fix(&[(5, 5, "1")]);
        let e = fix(&[(5, 5, "2")]);
        // Touching is not overlapping.
        let chosen = select(&[&b, &a, &c, &d, &e]);
        assert_eq!(chosen, vec![&a, &c, &d]);
        assert_eq!(apply_fixes("abcdef", &chosen), "xdz1f");
    }

    fn finding(code: &str, fix: Option<Fix>) -> Diagnostic {
        Diagnostic {
            code: code.into(),
            name: String::new(),
            severity: crate::diagnostic::Severity::Warning,
            path: "apache2/site.conf".into(),
            span: Span::default(),
            message: String::new(),
            labels: Vec::new(),
            help: None,
            fix,
        }
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_not_applied() {
        // A crafted rule defect: a "fix" that deletes a section's closing tag, beside a good
        // fix. The parse check refuses the first; the second is applied.
        let text = "<VirtualHost *:80>\nServerTokens OS\n</VirtualHost>\n";
        let path = Path::new("apache2/site.conf");
        let settings = Settings::default();
        let syntax = |t: &str| syntax_errors(path, t, Format::Apache, &settings);
        assert_eq!(syntax(text), 0);
        let close = text.find("</VirtualHost>").unwrap();
        let broken = apply_fixes(text, &[&fix(&[(close, close + 14, "")])]);
        assert_eq!(syntax(&broken), 1);
        let lint = |t: &str| {
            let mut out = Vec::new();
            if let Some(at) = t.find("ServerTokens OS") {
                out.push(finding("DIS001", Some(fix(&[(at + 13, at + 15, "Prod")]))));
            }
            if let Some(at) = t.find("</VirtualHost>") {
                out.push(finding("XXX001", Some(fix(&[(at, at + 14, "")]))));
            }
            out
        };
        let result = fix_with(path, text.to_string(), false, &lint, &syntax);
        assert_eq!(
            result.text,
            "<VirtualHost *:80>\nServerTokens Prod\n</VirtualHost>\n"
        );
        assert_eq!(result.fixed, ["DIS001"]);
        assert_eq!(result.notes.len(), 1, "{:?}", result.notes);
        assert!(
            result.notes[0].contains("unparseable"),
            "{:?}",
            result.notes
        );
    }

    #[test]
    fn a_fix_that_does_not_remove_its_finding_is_undone() {
        // Another defect: the finding stays after its fix (an insertion the rule does not
        // see). Applying it every round would repeat the line; it is undone instead.
        let path = Path::new("apache2/site.conf");
        let lint = |t: &str| vec![finding("XXX002", Some(fix(&[(t.len(), t.len(), "# x\n")])))];
        let result = fix_with(path, "A b\n".into(), false, &lint, &|_| 0);
        assert_eq!(result.text, "A b\n");
        assert!(result.fixed.is_empty());
        assert!(
            result.notes[0].contains("did not remove"),
            "{:?}",
            result.notes
        );
    }

    #[test]
    fn unsafe_fixes_need_asking() {
        let path = Path::new("apache2/site.conf");
        let lint = |t: &str| {
            t.find("On")
                .map(|at| {
                    let mut f = fix(&[(at, at + 2, "Off")]);
                    f.applicability = Applicability::Unsafe;
                    finding("XXX003", Some(f))
                })
                .into_iter()
                .collect()
        };
        let safe_only = fix_with(path, "X On\n".into(), false, &lint, &|_| 0);
        assert_eq!(safe_only.text, "X On\n");
        let with_unsafe = fix_with(path, "X On\n".into(), true, &lint, &|_| 0);
        assert_eq!(with_unsafe.text, "X Off\n");
        assert_eq!(with_unsafe.fixed.len(), 1);
    }

    #[test]
    fn python_syntax_errors_are_counted() {
        let settings = Settings::default();
        let py = "app.run(debug=True)\n";
        assert_eq!(
            syntax_errors(Path::new("a.py"), py, Format::Python, &settings),
            0
        );
        assert!(
            syntax_errors(
                Path::new("a.py"),
                "app.run(debug=\n",
                Format::Python,
                &settings
            ) > 0
        );
    }
}
