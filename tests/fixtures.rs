//! Runs the binary on every `fixtures/<CODE>/{bad,good}` folder and checks its findings against
//! the `# expect:` markers in the files. Good folders carry no markers and must produce no
//! finding of their rule. Every rule runs, as in real use; only the folder's rule is compared.
//!
//! Marker forms (columns count characters from 1, as the JSON output does):
//! - `code  # expect: NET001` at the end of a line expects a finding on that line; on a line
//!   of its own it expects one on the next line that is not a comment. Several codes are
//!   separated by commas.
//! - `# expect: NET001@12` also pins the column the finding starts at, and
//!   `# expect: NET001@12-21` the first and last column it underlines (on one line).
//! - A caret line under the code pins both, for the nearest line above that is not itself a
//!   caret line:
//!   ```text
//!   app.run(debug=True)
//!   #       ^^^^^^^^^^ expect: DBG001
//!   ```
//!
//! On a line with a pinned marker and no line-only marker for the same code, every finding of
//! that code must be pinned by one: a second, unexpected finding on the line fails.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where a finding starts and ends: line, column, end line, end column (exclusive), all
/// 1-based, as the JSON output gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// A marker's columns: the first, and the last underlined (inclusive) when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Columns {
    start: usize,
    last: Option<usize>,
}

impl Columns {
    fn matches(&self, at: &Position) -> bool {
        at.column == self.start
            && self
                .last
                .is_none_or(|last| at.end_line == at.line && at.end_column == last + 1)
    }
}

/// The file and line a finding is expected on, and its code.
type Key = (String, usize, String);

#[derive(Debug, Default)]
struct Markers {
    /// Line-only markers, and markers with columns, per (file, line, code).
    expected: BTreeMap<Key, Vec<Option<Columns>>>,
    /// Markers that cannot be read (a typo must not silently check nothing).
    malformed: Vec<String>,
}

const MARKER: &str = "# expect:";

fn markers(dir: &Path) -> Markers {
    let mut out = Markers::default();
    for path in walk(dir) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = path.display().to_string();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let at = format!("{file}:{}", i + 1);
            let (target, items, carets) = if let Some((carets, items)) = caret_marker(line) {
                let Some(target) = (0..i).rev().find(|&j| caret_marker(lines[j]).is_none()) else {
                    out.malformed
                        .push(format!("{at}: caret line with no line above"));
                    continue;
                };
                (target, items, Some(carets))
            } else if let Some(pos) = line.find(MARKER) {
                let items = &line[pos + MARKER.len()..];
                let target = if line[..pos].trim().is_empty() {
                    let next = (i + 1..lines.len()).find(|&j| {
                        !lines[j].trim_start().starts_with('#') && !lines[j].trim().is_empty()
                    });
                    let Some(next) = next else {
                        out.malformed
                            .push(format!("{at}: marker without a following line"));
                        continue;
                    };
                    next
                } else {
                    i
                };
                (target, items, None)
            } else {
                continue;
            };
            for item in items.split(',') {
                match parse_item(item.trim()) {
                    Ok((code, columns)) if carets.is_some() && columns.is_some() => {
                        out.malformed
                            .push(format!("{at}: `{code}` has both carets and @columns"));
                    }
                    Ok((code, columns)) => out
                        .expected
                        .entry((file.clone(), target + 1, code))
                        .or_default()
                        .push(columns.or(carets)),
                    Err(why) => out.malformed.push(format!("{at}: {why}")),
                }
            }
        }
    }
    out
}

/// `#   ^^^^ expect: CODE, ...`: the caret columns and the codes.
fn caret_marker(line: &str) -> Option<(Columns, &str)> {
    let hash = line.find('#')?;
    if !line[..hash].trim().is_empty() {
        return None;
    }
    let after = &line[hash + 1..];
    let carets_at = after.len() - after.trim_start().len();
    let carets = after[carets_at..].len() - after[carets_at..].trim_start_matches('^').len();
    if carets == 0 {
        return None;
    }
    let rest = after[carets_at + carets..].trim_start();
    let items = rest.strip_prefix("expect:")?;
    let start = line[..hash + 1 + carets_at].chars().count() + 1;
    Some((
        Columns {
            start,
            last: Some(start + carets - 1),
        },
        items,
    ))
}

/// `CODE`, `CODE@COLUMN` or `CODE@FIRST-LAST`.
fn parse_item(item: &str) -> Result<(String, Option<Columns>), String> {
    let (code, columns) = match item.split_once('@') {
        None => (item, None),
        Some((code, cols)) => {
            let number = |s: &str| {
                s.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("bad column in `{item}`"))
            };
            let columns = match cols.split_once('-') {
                None => Columns {
                    start: number(cols)?,
                    last: None,
                },
                Some((first, last)) => Columns {
                    start: number(first)?,
                    last: Some(number(last)?),
                },
            };
            if columns.last.is_some_and(|last| last < columns.start) {
                return Err(format!("last column before the first in `{item}`"));
            }
            (code, Some(columns))
        }
    };
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("bad code in marker `{item}`"));
    }
    Ok((code.to_string(), columns))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
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

fn actual(dir: &Path, code: &str) -> BTreeMap<Key, BTreeSet<Position>> {
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
    let mut found: BTreeMap<Key, BTreeSet<Position>> = BTreeMap::new();
    for d in items.iter().filter(|d| d["code"] == code) {
        let number = |key: &str| d[key].as_u64().unwrap() as usize;
        let position = Position {
            line: number("line"),
            column: number("column"),
            end_line: number("end_line"),
            end_column: number("end_column"),
        };
        let key = (
            d["path"].as_str().unwrap().to_string(),
            position.line,
            code.to_string(),
        );
        found.entry(key).or_default().insert(position);
    }
    found
}

fn show(key: &Key, at: Option<&Position>) -> String {
    let (file, line, code) = key;
    match at {
        Some(p) if p.end_line == p.line => {
            format!("{code} at {file}:{line}:{}-{}", p.column, p.end_column - 1)
        }
        Some(p) => format!(
            "{code} at {file}:{line}:{} to {}:{}",
            p.column, p.end_line, p.end_column
        ),
        None => format!("{code} at {file}:{line}"),
    }
}

/// Compares one folder's markers with the findings of its rule.
fn compare(
    want: &BTreeMap<Key, Vec<Option<Columns>>>,
    got: &BTreeMap<Key, BTreeSet<Position>>,
) -> Vec<String> {
    let mut failures = Vec::new();
    let keys: BTreeSet<&Key> = want.keys().chain(got.keys()).collect();
    for key in keys {
        let markers = want.get(key).map(Vec::as_slice).unwrap_or_default();
        let found = got.get(key).cloned().unwrap_or_default();
        if found.is_empty() {
            for m in markers {
                let pinned = m.map_or(String::new(), |c| match c.last {
                    Some(last) => format!(" columns {}-{last}", c.start),
                    None => format!(" column {}", c.start),
                });
                failures.push(format!("missing {}{pinned}", show(key, None)));
            }
            continue;
        }
        let mut unmatched = found.clone();
        let mut mismatched = false;
        for columns in markers.iter().flatten() {
            match found.iter().find(|p| columns.matches(p)) {
                Some(p) => {
                    unmatched.remove(p);
                }
                None => {
                    mismatched = true;
                    failures.push(format!(
                        "{} does not match its marker (columns {}{}); found {}",
                        show(key, None),
                        columns.start,
                        columns.last.map_or(String::new(), |l| format!("-{l}")),
                        found
                            .iter()
                            .map(|p| show(key, Some(p)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
        // A mismatch already lists what was found on the line.
        let line_only = markers.iter().any(Option::is_none);
        if !line_only && !mismatched {
            for p in &unmatched {
                failures.push(format!("unexpected {}", show(key, Some(p))));
            }
        }
    }
    failures
}

#[test]
fn fixtures_match_their_markers() {
    let root = common::manifest_dir().join("fixtures");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut pinned = 0;
    let catalog = deploylint::catalog::Catalog::builtin();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        if catalog.lookup(&code).is_none() {
            continue;
        }
        for side in ["bad", "good"] {
            let sub = dir.join(side);
            let found = markers(&sub);
            failures.extend(found.malformed);
            let want = found.expected;
            if side == "bad" && want.is_empty() {
                failures.push(format!("{}: no expect markers", sub.display()));
            }
            if side == "good" && !want.is_empty() {
                failures.push(format!(
                    "{}: good fixtures must not carry markers",
                    sub.display()
                ));
            }
            // Only the folder's rule is compared, so a marker for another would never be checked.
            for (file, line, other) in want.keys().filter(|(_, _, c)| *c != code) {
                failures.push(format!(
                    "{file}:{line}: marker for {other} in {code}'s fixtures is not checked"
                ));
            }
            pinned += want.values().flatten().filter(|c| c.is_some()).count();
            failures.extend(compare(&want, &actual(&sub, &code)));
            checked += 1;
        }
    }
    assert!(checked > 0);
    assert!(pinned > 0, "no marker pins a column");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The marker reader and the comparison, on made-up findings: each form is read as documented,
/// and a wrong column, a missing or an extra finding fails.
#[test]
fn marker_forms_are_read_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let text = "app.run(debug=True)  # expect: DBG001@9-18\n\
                # expect: NET001@9, DBG001\n\
                app.run(host='0.0.0.0', debug=True)\n\
                x = serve(app)\n\
                #   ^^^^^^^^^^ expect: NET001\n\
                #   ^^^^^ expect: DEV001\n\
                y = 1  # expect: X1@0\n\
                z = 2  # expect: X1@5-3, bad code!\n\
                #  ^^ expect: X1@3\n";
    std::fs::write(dir.path().join("app.py"), text).unwrap();
    let found = markers(dir.path());
    let file = dir.path().join("app.py").display().to_string();
    let key = |line: usize, code: &str| (file.clone(), line, code.to_string());
    let cols = |start, last| Some(Columns { start, last });
    assert_eq!(found.expected[&key(1, "DBG001")], vec![cols(9, Some(18))]);
    assert_eq!(found.expected[&key(3, "NET001")], vec![cols(9, None)]);
    assert_eq!(found.expected[&key(3, "DBG001")], vec![None]);
    assert_eq!(found.expected[&key(4, "NET001")], vec![cols(5, Some(14))]);
    assert_eq!(found.expected[&key(4, "DEV001")], vec![cols(5, Some(9))]);
    assert_eq!(found.malformed.len(), 4, "{:?}", found.malformed);

    let at = |line, column, end_column| Position {
        line,
        column,
        end_line: line,
        end_column,
    };
    let got = |positions: &[(usize, Position)], code: &str| {
        let mut map: BTreeMap<Key, BTreeSet<Position>> = BTreeMap::new();
        for (line, p) in positions {
            map.entry(key(*line, code)).or_default().insert(*p);
        }
        map
    };
    let want: BTreeMap<Key, Vec<Option<Columns>>> = found
        .expected
        .into_iter()
        .filter(|(k, _)| k.2 == "DBG001")
        .collect();
    // The exact span passes; the whole call, one column off, or an extra finding fails.
    assert!(
        compare(
            &want,
            &got(&[(1, at(1, 9, 19)), (3, at(3, 25, 35))], "DBG001")
        )
        .is_empty()
    );
    assert_eq!(
        compare(
            &want,
            &got(&[(1, at(1, 1, 20)), (3, at(3, 25, 35))], "DBG001")
        )
        .len(),
        1
    );
    assert_eq!(
        compare(
            &want,
            &got(&[(1, at(1, 9, 20)), (3, at(3, 25, 35))], "DBG001")
        )
        .len(),
        1
    );
    let extra = got(
        &[(1, at(1, 9, 19)), (1, at(1, 2, 4)), (3, at(3, 25, 35))],
        "DBG001",
    );
    assert_eq!(compare(&want, &extra).len(), 1);
    // A line-only marker accepts any span on its line, but not a missing finding.
    assert!(
        compare(
            &want,
            &got(&[(1, at(1, 9, 19)), (3, at(3, 1, 2))], "DBG001")
        )
        .is_empty()
    );
    assert_eq!(
        compare(&want, &got(&[(1, at(1, 9, 19))], "DBG001")).len(),
        1
    );
}
