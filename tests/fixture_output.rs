//! The rendered (pretty, no colour) output of each rule on its fixtures, one snapshot per rule
//! (`snapshots/fixture_output__<CODE>.snap`), so a change in a message, a span or a help text
//! shows in review. The marker test (`fixtures.rs`) checks where findings are; this pins how
//! they read.

mod common;

use deploylint::catalog::{Catalog, Family};

#[test]
fn rendered_output_of_each_rule_on_its_fixtures() {
    let root = common::manifest_dir();
    let catalog = Catalog::builtin();
    let mut codes: Vec<String> = std::fs::read_dir(root.join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|code| catalog.lookup(code).is_some())
        .collect();
    codes.sort();
    assert!(!codes.is_empty());
    for code in codes {
        // A meta rule judges the other rules' findings (an unused suppression), so they all run.
        let family = catalog.lookup(&code).unwrap().family;
        let select = if family == Family::Meta {
            Vec::new()
        } else {
            vec!["--select", code.as_str()]
        };
        let mut rendered = String::new();
        for side in ["bad", "good"] {
            let dir = format!("fixtures/{code}/{side}");
            let mut args = vec!["check", "--isolated", "--color", "never"];
            args.extend(&select);
            args.push(&dir);
            let out = common::run(&args, &root);
            let status = out.status.code();
            assert!(
                matches!(status, Some(0 | 1)),
                "{dir}: exit {status:?}\n{}",
                common::stderr(&out)
            );
            let stdout = common::stdout(&out);
            // With every rule running, only the rule's own findings are pinned here.
            let shown = if select.is_empty() {
                own_reports(&stdout, &code)
            } else {
                stdout
            };
            rendered.push_str(&format!("$ deploylint {}\n{shown}\n", args.join(" ")));
        }
        // Some labels name their file by absolute path; the checkout's place must not matter.
        let rendered = rendered.replace(&format!("{}/", root.display()), "<repo>/");
        insta::assert_snapshot!(code.as_str(), rendered);
    }
}

/// The reports of `code` in pretty output (each starts with `[CODE name]`), and the summary
/// lines.
fn own_reports(stdout: &str, code: &str) -> String {
    let mut kept = String::new();
    let mut keep = false;
    let lines: Vec<&str> = stdout.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('[') {
            keep = line.starts_with(&format!("[{code} "));
        } else if i + 1 == lines.len()
            || line.starts_with(|c: char| c.is_ascii_digit())
            || line.starts_with("No problems")
        {
            // The summary and the fixable hint that close the output.
            keep = true;
        }
        if keep {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}
