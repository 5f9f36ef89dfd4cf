//! Rule packs are rules like the built-in ones wherever they were loaded from: the command
//! line (`--rules`) or a configuration file (`rules = [...]`), for selectors, `rules`,
//! `explain` and SARIF, with no dependence on the order files are linted in.

mod common;

use common::{project, run, stderr, stdout};
use std::fs;
use std::path::Path;

const PACK: &str = r#"rules:
  - code: ORG001
    name: unpinned-base-image
    family: user
    severity: error
    formats: [dockerfile]
    summary: Base images must be pinned by digest.
    rationale: A tag can be moved to another image; a digest cannot.
    fix: Pin the image with `@sha256:...`.
    match:
      format: dockerfile
      key: FROM
      regex: '\S+'
      not: ['@sha256:']
  - code: ORG002
    name: no-subprocess-shell
    family: sandbox
    severity: warning
    formats: [python]
    summary: subprocess is called with shell=True.
    rationale: A shell parses the command line.
    fix: Pass a list of arguments.
    match:
      format: python
      key: subprocess.run
      regex: 'shell\s*=\s*True'
"#;

/// `PACK` with a documentation link for ORG001 (a key deploylint did not know before).
fn pack_with_url() -> String {
    PACK.replacen(
        "    match:\n",
        "    url: https://wiki.example.com/deploy/ORG001\n    match:\n",
        1,
    )
}

const OTHER_PACK: &str = r#"rules:
  - code: ORG003
    name: no-latest-tag
    family: user
    severity: warning
    formats: [dockerfile]
    summary: The base image is tagged latest.
    rationale: latest moves.
    fix: Name a version.
    match: { format: dockerfile, key: FROM, regex: ':latest\b' }
"#;

const DOCKERFILE: &str = "FROM python:latest\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n";
const TOOL: &str = "import subprocess\nsubprocess.run('ls', shell=True)\n";

/// A project whose configuration file loads `packs/org.yaml` (`pack`).
fn configured_with(pack: &str) -> tempfile::TempDir {
    project(&[
        ("packs/org.yaml", pack),
        ("deploylint.toml", "rules = [\"packs/org.yaml\"]\n"),
        ("Dockerfile", DOCKERFILE),
        ("tool.py", TOOL),
    ])
}

fn configured() -> tempfile::TempDir {
    configured_with(PACK)
}

/// `path CODE` per finding of a concise run, and the exit code.
fn findings(dir: &Path, args: &[&str]) -> (Vec<String>, Option<i32>) {
    let mut all = vec!["check", "--output-format", "concise"];
    all.extend_from_slice(args);
    let out = run(&all, dir);
    let found = stdout(&out)
        .lines()
        .map(|line| {
            let (place, rest) = line.split_once(": ").unwrap();
            let path = place.split(':').next().unwrap();
            format!("{path} {}", rest.split(' ').next().unwrap())
        })
        .collect();
    (found, out.status.code())
}

/// Regression (issue 14, defect 5): `--select ORG001` said `unknown rule` when ORG001 came
/// from the configuration file's pack, because the command line was resolved before any
/// configuration was read.
#[test]
fn config_packs_are_selectable_on_the_command_line() {
    let dir = configured();
    let only = |args: &[&str]| findings(dir.path(), args);
    assert_eq!(
        only(&["--select", "ORG001"]),
        (vec!["Dockerfile ORG001".into()], Some(1))
    );
    assert_eq!(
        only(&["--select", "unpinned-base-image,no-subprocess-shell"]),
        (
            vec!["Dockerfile ORG001".into(), "tool.py ORG002".into()],
            Some(1)
        )
    );
    // A prefix names the pack's rules as it names built-in ones.
    assert_eq!(
        only(&["--select", "org"]),
        (
            vec!["Dockerfile ORG001".into(), "tool.py ORG002".into()],
            Some(1)
        )
    );
    let (ignored, _) = only(&["--ignore", "ORG001,ORG002"]);
    assert!(ignored.iter().all(|f| !f.contains("ORG")), "{ignored:?}");
    assert_eq!(
        only(&["--select", "USR", "--extend-select", "ORG002"]).0,
        ["tool.py ORG002"]
    );
    // The same through `--config` from outside the project, and for standard input.
    let outside = tempfile::tempdir().unwrap();
    let config = dir.path().join("deploylint.toml");
    let (found, code) = findings(
        outside.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--select",
            "ORG001",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(found.len(), 1);
    assert!(found[0].ends_with("Dockerfile ORG001"), "{found:?}");
    let mut child = common::bin()
        .args([
            "check",
            "--output-format",
            "concise",
            "--select",
            "ORG002",
            "--stdin-filename",
            "tool.py",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), TOOL.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("tool.py:2:22: ORG002"),
        "{}",
        stdout(&out)
    );
}

/// A configuration deeper in the tree brings its pack's rules to the command line too; a
/// selector that names no rule anywhere is still an error, and nothing is reported.
#[test]
fn packs_of_nested_configurations_are_selectable() {
    let dir = project(&[
        ("svc/packs/org.yaml", PACK),
        ("svc/deploylint.toml", "rules = [\"packs/org.yaml\"]\n"),
        ("svc/Dockerfile", DOCKERFILE),
        ("Dockerfile", DOCKERFILE),
    ]);
    assert_eq!(
        findings(dir.path(), &["--select", "ORG001"]),
        (vec!["svc/Dockerfile ORG001".into()], Some(1))
    );
    let out = run(&["check", "--select", "ORG001,ORGX"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown rule `ORGX`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

/// Regression: a pack registered by one configuration used to be visible to every other
/// configuration loaded after it, so `select = ["ORG001"]` in `b/` was accepted or refused
/// depending on whether `a/` (which loads the pack) was read first.
#[test]
fn a_configuration_names_only_its_own_packs_whatever_the_order() {
    let dir = project(&[
        ("a/org.yaml", OTHER_PACK),
        ("a/deploylint.toml", "rules = [\"org.yaml\"]\n"),
        ("a/Dockerfile", DOCKERFILE),
        ("b/deploylint.toml", "select = [\"ORG003\"]\n"),
        ("b/Dockerfile", DOCKERFILE),
    ]);
    for order in [["a", "b"], ["b", "a"]] {
        let out = run(
            &["check", "--color", "never", order[0], order[1]],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{order:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("unknown rule `ORG003`") && err.contains("b/deploylint.toml"),
            "{order:?}: {err}"
        );
    }
}

/// Regression: a pack named both by the configuration and by `--rules` ran twice, and every
/// finding of it was reported twice.
#[test]
fn a_pack_named_twice_runs_once() {
    let dir = configured();
    assert_eq!(
        findings(
            dir.path(),
            &["--rules", "packs/org.yaml", "--select", "ORG"]
        )
        .0,
        ["Dockerfile ORG001", "tool.py ORG002"]
    );
    assert_eq!(
        findings(
            dir.path(),
            &["--rules", "./packs/../packs/org.yaml", "--select", "ORG001"]
        )
        .0,
        ["Dockerfile ORG001"]
    );
}

/// Regression (issue 14, defect 5): `explain` did not know pack rules, and `explain` and
/// `rules` refused `--rules`.
#[test]
fn explain_knows_pack_rules() {
    let dir = configured_with(&pack_with_url());
    let out = run(&["explain", "ORG001"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for part in [
        "ORG001 unpinned-base-image (user, error)",
        "From rule pack: packs/org.yaml",
        "Documentation: https://wiki.example.com/deploy/ORG001",
        "Why it matters\nA tag can be moved",
    ] {
        assert!(text.contains(part), "lacks {part:?}:\n{text}");
    }
    // By name, from a subdirectory (the configuration is found upward).
    fs::create_dir_all(dir.path().join("sub")).unwrap();
    let by_name = run(&["explain", "no-subprocess-shell"], &dir.path().join("sub"));
    assert_eq!(by_name.status.code(), Some(0), "{}", stderr(&by_name));
    assert!(stdout(&by_name).starts_with("ORG002 no-subprocess-shell"));
    assert!(
        !stdout(&by_name).contains("Documentation:"),
        "a pack rule without `url` has no documentation link"
    );
    // Without the configuration it is unknown; `--rules` brings it back.
    let isolated = run(&["explain", "--isolated", "ORG001"], dir.path());
    assert_eq!(isolated.status.code(), Some(2));
    assert!(stderr(&isolated).contains("unknown rule `ORG001`"));
    let flag = run(
        &[
            "explain",
            "--isolated",
            "--rules",
            "packs/org.yaml",
            "ORG001",
        ],
        dir.path(),
    );
    assert_eq!(flag.status.code(), Some(0), "{}", stderr(&flag));
    assert!(stdout(&flag).contains("From rule pack: packs/org.yaml"));
    // `--config` from elsewhere.
    let outside = tempfile::tempdir().unwrap();
    let config = dir.path().join("deploylint.toml");
    let out = run(
        &["explain", "--config", config.to_str().unwrap(), "ORG002"],
        outside.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Built-in rules link to their catalog entry.
    let builtin = stdout(&run(&["explain", "USR001"], dir.path()));
    assert!(
        builtin.contains(
            "Documentation: https://github.com/deploylint/deploylint/blob/main/rules/USR001.yaml"
        ),
        "{builtin}"
    );
}

/// Regression (issue 14, defect 5): `rules` did not list pack rules.
#[test]
fn rules_lists_pack_rules_as_such() {
    let dir = configured_with(&pack_with_url());
    fs::write(dir.path().join("packs/other.yaml"), OTHER_PACK).unwrap();
    let out = run(&["rules", "--rules", "packs/other.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let header = table.lines().next().unwrap();
    assert!(header.ends_with("FROM"), "{header}");
    let row = |code: &str| {
        table
            .lines()
            .find(|l| l.starts_with(code))
            .unwrap_or_else(|| panic!("no {code} in\n{table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("ORG001"),
        [
            "ORG001",
            "unpinned-base-image",
            "user",
            "error",
            "dockerfile",
            "pack",
            "packs/org.yaml"
        ]
    );
    assert_eq!(row("ORG003")[5..], ["pack", "packs/other.yaml"]);
    assert_eq!(row("USR001").last(), Some(&"built-in"));

    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&run(&["rules", "--output-format", "json"], dir.path()).stdout)
            .unwrap();
    let builtin = deploylint::catalog::catalog().len();
    assert_eq!(json.len(), builtin + 2);
    let org = json.iter().find(|r| r["code"] == "ORG001").unwrap();
    assert_eq!(org["pack"], "packs/org.yaml");
    assert_eq!(org["url"], "https://wiki.example.com/deploy/ORG001");
    assert!(json.iter().filter(|r| r.get("pack").is_some()).count() == 2);

    let markdown = stdout(&run(&["rules", "--output-format", "markdown"], dir.path()));
    assert!(
        markdown
            .starts_with("| Code | Name | Family | Severity | Formats | What it finds | From |")
    );
    assert!(
        markdown.contains("| ORG002 | `no-subprocess-shell` |"),
        "{markdown}"
    );
    assert!(markdown.contains("| pack packs/org.yaml |"), "{markdown}");

    // Without packs the list is the built-in one, as before.
    let isolated = stdout(&run(&["rules", "--isolated"], dir.path()));
    assert!(isolated.lines().next().unwrap().ends_with("FORMATS"));
    assert_eq!(isolated.lines().count(), builtin + 1);
}

/// Listing rules reads only the packs of the configuration: a selector there that names no
/// rule (the very thing `rules` helps to fix) does not stop it. A pack it cannot load does.
#[test]
fn rules_lists_despite_a_bad_selector_in_the_configuration() {
    let dir = configured();
    fs::write(
        dir.path().join("deploylint.toml"),
        "rules = [\"packs/org.yaml\"]\nselect = [\"ORG01\"]\n",
    )
    .unwrap();
    let out = run(&["rules"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ORG002"));
    let check = run(&["check"], dir.path());
    assert_eq!(check.status.code(), Some(2));

    fs::write(
        dir.path().join("deploylint.toml"),
        "rules = [\"packs/missing.yaml\"]\n",
    )
    .unwrap();
    let out = run(&["rules"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("rule pack"), "{}", stderr(&out));
    let missing_config = run(&["rules", "--config", "nope.toml"], dir.path());
    assert_eq!(missing_config.status.code(), Some(2));
    assert!(stderr(&missing_config).contains("configuration file not found"));
}

/// Regression (issue 14, defect 5): SARIF gave every pack rule a `helpUri` into deploylint's
/// repository, where no such file can exist. Now: the pack entry's `url`, or none.
#[test]
fn sarif_help_uri_of_pack_rules() {
    let dir = configured_with(&pack_with_url());
    let out = run(&["check", "--output-format", "sarif"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = |code: &str| rules.iter().find(|r| r["id"] == code).unwrap();
    assert_eq!(
        rule("ORG001")["helpUri"],
        "https://wiki.example.com/deploy/ORG001"
    );
    assert!(
        rule("ORG002").get("helpUri").is_none(),
        "{}",
        rule("ORG002")
    );
    assert_eq!(
        rule("USR001")["helpUri"],
        "https://github.com/deploylint/deploylint/blob/main/rules/USR001.yaml"
    );
    // Each result points at its rule's metadata.
    let results = log["runs"][0]["results"].as_array().unwrap();
    let org = results.iter().find(|r| r["ruleId"] == "ORG002").unwrap();
    let index = org["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "ORG002");
}

#[test]
fn bad_pack_entries_are_errors() {
    for (pack, expected) in [
        (
            pack_with_url().replace("https://wiki.example.com/deploy/ORG001", "wiki page"),
            "not an absolute URL",
        ),
        (PACK.replace("ORG002", "ALL"), "reserved"),
        (PACK.replace("ORG002", "ORG,2"), "codes must be"),
        // Such a code made `--select A` panic, slicing inside the `Ä`.
        (PACK.replace("ORG002", "ÄB2"), "codes must be"),
        (
            PACK.replace("ORG002", "org001"),
            "clashes with `ORG001 unpinned-base-image`",
        ),
        (
            PACK.replace("no-subprocess-shell", "runs-as-root"),
            "clashes with `USR001 runs-as-root`",
        ),
    ] {
        let dir = project(&[("org.yaml", &pack), ("Dockerfile", DOCKERFILE)]);
        for args in [
            &["check", "--color", "never", "--rules", "org.yaml"][..],
            &["rules", "--rules", "org.yaml"],
        ] {
            let out = run(args, dir.path());
            assert_eq!(out.status.code(), Some(2), "{args:?} {pack}");
            let err = stderr(&out);
            assert!(err.contains(expected), "{expected}: {err}");
            assert!(err.contains("org.yaml:"), "names the pack: {err}");
        }
    }
    // Two packs that define the same code: the second is refused, naming the first.
    let dir = project(&[
        ("org.yaml", PACK),
        ("copy.yaml", PACK),
        ("Dockerfile", DOCKERFILE),
    ]);
    let out = run(
        &["check", "--rules", "org.yaml", "--rules", "copy.yaml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("copy.yaml")
            && err.contains("clashes with `ORG001")
            && err.contains("(from org.yaml)"),
        "{err}"
    );
}

/// A configuration that extends another inherits its packs: its own selectors and the
/// command line may name their rules, and its own `rules` key replaces them.
#[test]
fn extended_configurations_pass_on_their_packs() {
    let dir = project(&[
        ("packs/org.yaml", PACK),
        ("base.toml", "rules = [\"packs/org.yaml\"]\n"),
        (
            "svc/deploylint.toml",
            "extend = \"../base.toml\"\nselect = [\"ORG001\"]\n",
        ),
        ("svc/Dockerfile", DOCKERFILE),
        ("svc/tool.py", TOOL),
    ]);
    assert_eq!(
        findings(dir.path(), &["svc"]),
        (vec!["svc/Dockerfile ORG001".into()], Some(1))
    );
    assert_eq!(
        findings(dir.path(), &["svc", "--select", "ORG002"]),
        (vec!["svc/tool.py ORG002".into()], Some(1))
    );
    // Its own `rules` replaces what it inherits, so ORG001 is no longer a rule there.
    fs::write(dir.path().join("svc/other.yaml"), OTHER_PACK).unwrap();
    fs::write(
        dir.path().join("svc/deploylint.toml"),
        "extend = \"../base.toml\"\nrules = [\"other.yaml\"]\nselect = [\"ORG001\"]\n",
    )
    .unwrap();
    let out = run(&["check", "svc"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown rule `ORG001`"),
        "{}",
        stderr(&out)
    );
}
