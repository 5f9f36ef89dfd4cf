//! Runs the binary on every `fixtures/<CODE>/{bad,good}` folder and checks its findings against
//! the `# expect: CODE` markers in the files: a marker at the end of a line expects a finding
//! on that line; a marker on a line of its own expects one on the next line that is not a
//! comment. Good folders carry no markers and must produce no finding of their rule. Every
//! rule runs, as in real use; only the folder's rule is compared.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

type Finding = (String, usize, String);

fn expected(dir: &Path) -> BTreeSet<Finding> {
    let mut out = BTreeSet::new();
    for entry in walk(dir) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(pos) = line.find("# expect:") else {
                continue;
            };
            let codes = line[pos + "# expect:".len()..]
                .split(',')
                .map(|c| c.trim().to_string());
            let target = if line[..pos].trim().is_empty() {
                (i + 1..lines.len())
                    .find(|&j| {
                        !lines[j].trim_start().starts_with('#') && !lines[j].trim().is_empty()
                    })
                    .expect("marker without a following line")
            } else {
                i
            };
            for code in codes {
                out.insert((entry.display().to_string(), target + 1, code));
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn actual(dir: &Path, code: &str) -> BTreeSet<Finding> {
    let out = common::bin()
        .args(["check", "--output-format", "json", "--isolated"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        common::stderr(&out)
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    items
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as usize,
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn fixtures_match_their_markers() {
    let root = common::manifest_dir().join("fixtures");
    let mut failures = Vec::new();
    let mut checked = 0;
    let catalog = deploylint::catalog::Catalog::builtin();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        if catalog.lookup(&code).is_none() {
            continue;
        }
        for side in ["bad", "good"] {
            let sub = dir.join(side);
            let want = expected(&sub);
            if side == "bad" && want.is_empty() {
                failures.push(format!("{}: no expect markers", sub.display()));
            }
            if side == "good" && !want.is_empty() {
                failures.push(format!(
                    "{}: good fixtures must not carry markers",
                    sub.display()
                ));
            }
            let got = actual(&sub, &code);
            for missing in want.difference(&got) {
                failures.push(format!("missing {missing:?}"));
            }
            for extra in got.difference(&want) {
                failures.push(format!("unexpected {extra:?}"));
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
