//! Hostile input: each test runs the binary on a tree with one hostile file beside an ordinary
//! one, kills it if it runs too long, and checks the message, the exit code, and that the
//! ordinary file was still linted.

#[path = "common/bounded.rs"]
mod bounded;
mod common;

use bounded::{Bounded, run_bounded};
use common::bin;
use std::fs;
use std::path::Path;
use std::time::Duration;

/// Linted beside every hostile file: its finding shows the rest of the tree was linted.
const OTHER: &str = "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n";
const OTHER_FINDING: &str = "other/Dockerfile:1:6: USR001";

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files
        .iter()
        .chain([&("other/Dockerfile", OTHER.as_bytes())])
    {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    dir
}

/// Writes `head`, then `unit` until the file reaches `size` bytes, then `tail`, in pieces: the
/// test process must not hold big buffers, or its memory would count in the child's peak
/// (a child's rusage includes what it had before exec, and forks copy the parent).
fn write_big(path: &Path, head: &[u8], unit: &[u8], size: usize, tail: &[u8]) -> u64 {
    use std::io::Write;
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut out = std::io::BufWriter::new(fs::File::create(path).unwrap());
    out.write_all(head).unwrap();
    let mut written = head.len();
    while written + unit.len() <= size {
        out.write_all(unit).unwrap();
        written += unit.len();
    }
    out.write_all(tail).unwrap();
    (written + tail.len()) as u64
}

const RUN_LINE: &[u8] = b"RUN echo hello world && pip install flask gunicorn # comment\n";

fn check(dir: &Path, args: &[&str], secs: u64) -> Bounded {
    let mut cmd = bin();
    cmd.args(["check", "--output-format", "concise"]).args(args);
    run_bounded(cmd, dir, Duration::from_secs(secs))
}

fn assert_other_linted(out: &Bounded) {
    assert!(
        out.stdout.contains(OTHER_FINDING),
        "the ordinary file was not linted\nstdout: {}\nstderr: {}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn invalid_utf8_is_replaced_and_linted() {
    let dir = tree(&[("app.py", b"# caf\xe9 \xff\xfe\napp.run(debug=True)\n")]);
    let out = check(dir.path(), &[], 30);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("app.py: not valid UTF-8"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("app.py:2:9: DBG001"), "{}", out.stdout);
    assert_other_linted(&out);
}

#[test]
fn nul_bytes_skip_a_binary_file_and_late_ones_are_text() {
    let mut late = b"FROM python\nUSER root\n# ".to_vec();
    late.extend(std::iter::repeat_n(b'x', 9000));
    late.extend(b"\0\0\nRUN echo\n");
    let dir = tree(&[
        ("bin/Dockerfile", b"FROM python\x00\x01\x02\nUSER root\n"),
        ("late/Dockerfile", &late),
    ]);
    let out = check(dir.path(), &[], 30);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("bin/Dockerfile: skipped: binary file"),
        "{}",
        out.stderr
    );
    // A NUL past the sniffed prefix: linted as text, findings intact.
    assert!(
        out.stdout.contains("late/Dockerfile:2:6: USR001"),
        "{}",
        out.stdout
    );
    assert_other_linted(&out);
}

#[test]
fn fifty_megabyte_file_is_skipped_with_a_note_in_bounded_memory() {
    let dir = tree(&[]);
    let path = dir.path().join("big/Dockerfile");
    write_big(&path, b"FROM python:3.12\n", RUN_LINE, 50 << 20, b"");
    let out = check(dir.path(), &[], 60);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("big/Dockerfile: skipped: 50.0 MiB is over the 16 MiB limit for one file"),
        "{}",
        out.stderr
    );
    assert_other_linted(&out);
    // Never read into memory: far below the file's size.
    assert!(
        out.peak_rss < 40 << 20,
        "peak memory {} MiB",
        out.peak_rss >> 20
    );
}

#[test]
fn file_at_the_size_limit_is_linted_in_bounded_time_and_memory() {
    let dir = tree(&[]);
    let path = dir.path().join("big/Dockerfile");
    let size = write_big(
        &path,
        b"FROM python:3.12\n",
        RUN_LINE,
        15 << 20,
        b"USER root\n",
    );
    let out = check(dir.path(), &[], 120);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stdout.contains("big/Dockerfile:"), "{}", out.stdout);
    assert_other_linted(&out);
    // A parser's working memory is a multiple of its input: instructions keep their text and
    // the mapping of their words to the file. Measured ~6.5x in release builds; the bound
    // leaves room.
    assert!(
        out.peak_rss < 10 * size,
        "peak memory {} MiB for a {} MiB file",
        out.peak_rss >> 20,
        size >> 20
    );
}

/// The text of files without findings is not kept until the end of the run: a tree much
/// bigger than memory would allow still lints in a small, fixed amount.
#[test]
fn big_tree_is_not_held_in_memory() {
    let dir = tree(&[]);
    for i in 0..64 {
        let path = dir.path().join(format!("svc{i}/Dockerfile"));
        write_big(
            &path,
            b"FROM python:3.12\nUSER app\n",
            RUN_LINE,
            1 << 20,
            b"",
        );
    }
    let mut cmd = bin();
    cmd.args(["check", "--output-format", "concise"])
        .env("RAYON_NUM_THREADS", "2");
    // A guard against a hang, not a timing: an unoptimised build on a busy 2-core machine
    // has taken over 120 s for these 64 MiB.
    let out = run_bounded(cmd, dir.path(), Duration::from_secs(400));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_other_linted(&out);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(
        out.peak_rss < 48 << 20,
        "peak memory {} MiB for a 64 MiB tree",
        out.peak_rss >> 20
    );
}

#[test]
fn oversized_standard_input_is_skipped_with_a_note() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = tree(&[]);
    let mut child = bin()
        .args(["check", "--stdin-filename", "Dockerfile", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = RUN_LINE.repeat(1 << 14);
        // Stops early (broken pipe) once deploylint has read past its limit.
        for _ in 0..(20 << 20) / chunk.len() {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Dockerfile: skipped: standard input is over the 16 MiB limit"),
        "{stderr}"
    );
}

#[test]
fn hundred_thousand_lines() {
    let mut text = String::from("FROM python:3.12\n");
    for i in 0..100_000 {
        text.push_str(&format!("RUN echo {i}\n"));
    }
    text.push_str("USER root\n");
    let mut py = String::new();
    for i in 0..100_000 {
        py.push_str(&format!("x{i} = f({i})\n"));
    }
    py.push_str("app.run(debug=True)\n");
    let dir = tree(&[
        ("long/Dockerfile", text.as_bytes()),
        ("long/app.py", py.as_bytes()),
    ]);
    let out = check(dir.path(), &[], 60);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stdout.contains("long/Dockerfile:100002:6: USR001"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("long/app.py:100001:9: DBG001"),
        "{}",
        out.stdout
    );
    assert_other_linted(&out);
}

#[test]
fn single_ten_megabyte_line() {
    let dir = tree(&[]);
    let a = [b'a'; 1000];
    let line = dir.path().join("line");
    write_big(
        &line.join("Dockerfile"),
        b"FROM python\nRUN echo ",
        &a,
        10_000_000,
        b"\nUSER root\n",
    );
    write_big(
        &line.join("app.py"),
        b"x = '",
        &a,
        10_000_000,
        b"'; app.run(debug=True)\n",
    );
    let out = check(dir.path(), &[], 120);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    // BuildKit refuses lines over 64 KiB; so does SYN001, and the rest still lints.
    assert!(
        out.stdout.contains("line/Dockerfile:2:1: SYN001"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("line/Dockerfile:3:6: USR001"),
        "{}",
        out.stdout
    );
    // Column in characters: `x = '`, the a's, `'; app.run(`, then `debug`.
    let column = 5 + (10_000_000 - 5) / 1000 * 1000 + 3 + 8 + 1;
    assert!(
        out.stdout
            .contains(&format!("line/app.py:1:{column}: DBG001")),
        "{}",
        out.stdout
    );
    assert_other_linted(&out);
}

#[test]
fn deeply_nested_python_and_dockerfile_json() {
    let parens = format!(
        "x = {}1{}\napp.run(debug=True)\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let unclosed = format!("x = {}\napp.run(debug=True)\n", "[{".repeat(50_000));
    let lambdas = format!("f = {}0\napp.run(debug=True)\n", "lambda: ".repeat(50_000));
    // Strings are scanned without the parser too: its recursion into f-string fields is bounded.
    let mut f_strings = String::from("1");
    for _ in 0..50_000 {
        f_strings = format!("f'{{{f_strings}}}'");
    }
    let f_strings = format!("x = {f_strings}\napp.run(host='0.0.0.0', debug=True)\n");
    let f_unclosed = format!("x = {}\napp.run(debug=True)\n", "f'{".repeat(50_000));
    let json = format!(
        "FROM python\nCMD {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let json_short = format!(
        "FROM python\nCMD {}\"a\"{}\n",
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    let dir = tree(&[
        ("deep/parens.py", parens.as_bytes()),
        ("deep/unclosed.py", unclosed.as_bytes()),
        ("deep/lambdas.py", lambdas.as_bytes()),
        ("deep/f_strings.py", f_strings.as_bytes()),
        ("deep/f_unclosed.py", f_unclosed.as_bytes()),
        ("deep/Dockerfile", json.as_bytes()),
        ("deep/short/Dockerfile", json_short.as_bytes()),
    ]);
    let out = check(dir.path(), &[], 60);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    for file in ["parens.py", "unclosed.py", "lambdas.py"] {
        assert!(
            out.stdout.contains(&format!("deep/{file}:2:9: DBG001")),
            "{file}: {}",
            out.stdout
        );
    }
    assert!(
        out.stdout.contains("deep/Dockerfile:2:1: SYN001"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("deep/short/Dockerfile:1:6: USR001"),
        "{}",
        out.stdout
    );
    assert_other_linted(&out);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_skipped_in_trees_and_refused_when_named() {
    use std::os::unix::fs::symlink;
    let dir = tree(&[]);
    symlink(".", dir.path().join("other/self")).unwrap();
    symlink("b", dir.path().join("a")).unwrap();
    symlink("a", dir.path().join("b")).unwrap();
    symlink("Dockerfile.loop", dir.path().join("other/Dockerfile.loop")).unwrap();
    let out = check(dir.path(), &[], 30);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_other_linted(&out);
    let named = check(dir.path(), &["a", "other"], 30);
    assert_eq!(named.code, Some(2), "{}", named.stderr);
    assert!(
        named.stderr.contains("a: ") && named.stderr.to_lowercase().contains("symbolic links"),
        "{}",
        named.stderr
    );
    assert_other_linted(&named);
}

/// A FIFO and a character device in the tree, named like files deploylint reads.
#[cfg(unix)]
fn special_files(dir: &Path) -> Vec<&'static str> {
    use std::ffi::CString;
    let mut made = Vec::new();
    let fifo = CString::new(dir.join("other/Dockerfile.fifo").to_str().unwrap()).unwrap();
    // SAFETY: plain syscalls with valid C strings.
    if unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) } == 0 {
        made.push("other/Dockerfile.fifo");
    }
    let device = CString::new(dir.join("other/Dockerfile.dev").to_str().unwrap()).unwrap();
    // /dev/zero's numbers (1, 5): reads would never end. Needs root; else a symlink to it.
    if unsafe { libc::mknod(device.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 5)) } != 0 {
        std::os::unix::fs::symlink("/dev/zero", dir.join("other/Dockerfile.dev")).unwrap();
    }
    made.push("other/Dockerfile.dev");
    let fifo_link = dir.join("other/app.py");
    std::os::unix::fs::symlink("Dockerfile.fifo", fifo_link).unwrap();
    made
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_never_read() {
    let dir = tree(&[]);
    let special = special_files(dir.path());
    assert!(special.contains(&"other/Dockerfile.fifo"), "mkfifo failed");
    // In a tree: skipped quietly (they are not regular files); the run does not block.
    let out = check(dir.path(), &[], 30);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_other_linted(&out);
    // Named explicitly: refused with a message and exit 2, still without blocking.
    for name in special.iter().chain([&"other/app.py"]) {
        let out = check(dir.path(), &[name, "other/Dockerfile"], 30);
        assert_eq!(out.code, Some(2), "{name}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("{name}: not a regular file or directory")),
            "{name}: {}",
            out.stderr
        );
        assert_other_linted(&out);
    }
}

#[cfg(unix)]
#[test]
fn permission_denied_exits_2_after_linting_the_rest() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("secret/Dockerfile", b"FROM python\n")]);
    let bad = dir.path().join("secret/Dockerfile");
    fs::set_permissions(&bad, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&bad).is_ok() {
        // Running as root: permissions do not stop reads, but /proc/self/mem fails to read.
        fs::remove_file(&bad).unwrap();
        std::os::unix::fs::symlink("/proc/self/mem", &bad).unwrap();
    }
    for args in [&[][..], &["secret/Dockerfile", "other"][..]] {
        let out = check(dir.path(), args, 30);
        let explicit = !args.is_empty();
        if explicit || fs::symlink_metadata(&bad).unwrap().is_file() {
            assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
            assert!(
                out.stderr.contains("error: secret/Dockerfile: "),
                "{args:?}: {}",
                out.stderr
            );
        }
        assert_other_linted(&out);
    }
}

#[test]
fn crlf_and_bom_give_the_same_findings_and_columns() {
    let docker = "FROM python:3.12\nENV FLASK_DEBUG=1\nRUN chmod 777 /srv \\\n  && echo ok\nUSER  root\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n";
    let py = "import flask\napp = flask.Flask(__name__)\nx = 'é'; app.run(host=\"0.0.0.0\", debug=True)\n";
    let variants = |text: &str| -> Vec<Vec<u8>> {
        let crlf = text.replace('\n', "\r\n");
        vec![
            text.as_bytes().to_vec(),
            crlf.as_bytes().to_vec(),
            [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
            [b"\xef\xbb\xbf".as_slice(), crlf.as_bytes()].concat(),
        ]
    };
    let mut outputs = Vec::new();
    for (d, p) in variants(docker).into_iter().zip(variants(py)) {
        let dir = tree(&[("svc/Dockerfile", &d), ("svc/app.py", &p)]);
        let out = check(dir.path(), &[], 30);
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert_other_linted(&out);
        outputs.push(out.stdout);
    }
    assert!(
        outputs[0].contains("svc/Dockerfile:5:7: USR001"),
        "{}",
        outputs[0]
    );
    assert!(
        outputs[0].contains("svc/app.py:3:23: NET001"),
        "{}",
        outputs[0]
    );
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out, &outputs[0], "variant {i} (crlf, bom, both) differs");
    }
}

#[test]
fn pathological_custom_regex_is_refused_by_the_size_limit() {
    let pack = r#"rules:
  - code: ORG001
    name: slow-regex
    family: user
    severity: warning
    formats: [dockerfile]
    summary: x
    rationale: x
    fix: x
    match:
      format: dockerfile
      regex: '(\w+\s*){200}{200}'
"#;
    let dir = tree(&[("pack.yaml", pack.as_bytes())]);
    let out = check(dir.path(), &["--rules", "pack.yaml", "other"], 30);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("invalid regex"), "{}", out.stderr);
    assert!(out.stderr.contains("size limit"), "{}", out.stderr);
    // A heavy but legal regex stays linear on a long line: the rest is linted.
    let heavy = pack
        .replace(r"(\w+\s*){200}{200}", r"(\w+\s*)+$")
        .replace("ORG001", "ORG002")
        .replace("slow-regex", "heavy-regex");
    let mut long = b"FROM python\nRUN ".to_vec();
    long.extend(b"word ".repeat(50_000));
    long.extend(b"!\n");
    fs::write(dir.path().join("pack.yaml"), heavy).unwrap();
    fs::create_dir_all(dir.path().join("long")).unwrap();
    fs::write(dir.path().join("long/Dockerfile"), long).unwrap();
    let out = check(dir.path(), &["--rules", "pack.yaml", "."], 60);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_other_linted(&out);
}

/// Billion laughs: nine levels of ten aliases each.
fn yaml_bomb(top_key: &str) -> String {
    let mut s = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, cur) in "abcdefghi".chars().zip("bcdefghij".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        s.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
    }
    s.push_str(&format!("{top_key}: *j\n"));
    s
}

/// serde_yaml bounds alias expansion (a repetition limit of 100 events replayed per event
/// in the document), so even a target that accepts any YAML does linear work on a bomb.
#[test]
fn serde_yaml_bounds_alias_expansion() {
    let started = std::time::Instant::now();
    let error = serde_yaml::from_str::<serde_yaml::Value>(&yaml_bomb("x")).unwrap_err();
    assert!(error.to_string().contains("repetition limit"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn yaml_bomb_in_a_rule_pack_is_refused_quickly() {
    // As the whole file, and hidden in a field of an otherwise plausible rule.
    let in_rule = format!(
        "rules:\n  - code: ORG001\n    references: {{{}}}\n",
        yaml_bomb("x").trim_end().replace('\n', ", ")
    );
    let nested = yaml_bomb("rules").replace("\n", "\n  ");
    for pack in [yaml_bomb("rules"), in_rule, format!("x:\n  {nested}")] {
        let dir = tree(&[("pack.yaml", pack.as_bytes())]);
        let out = check(dir.path(), &["--rules", "pack.yaml", "other"], 30);
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(
            out.stderr.contains("invalid configuration") && out.stderr.contains("pack.yaml"),
            "{}",
            out.stderr
        );
        assert!(
            out.peak_rss < 256 << 20,
            "peak memory {} MiB",
            out.peak_rss >> 20
        );
        // Through the configuration file as well.
        let dir = tree(&[
            ("pack.yaml", pack.as_bytes()),
            ("deploylint.toml", b"rules = [\"pack.yaml\"]\n"),
        ]);
        let out = check(dir.path(), &[], 30);
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(out.stderr.contains("pack.yaml"), "{}", out.stderr);
    }
}

// ---- Apache and compose. ----

#[test]
fn apache_include_cycle_terminates_with_a_message() {
    let dir = tree(&[
        (
            "apache/site.conf",
            b"Include other.conf\nWSGIDaemonProcess app user=root\n",
        ),
        ("apache/other.conf", b"Include site.conf\n"),
        ("apache/self.conf", b"IncludeOptional self.conf\n"),
    ]);
    let out = check(dir.path(), &[], 30);
    assert!(matches!(out.code, Some(1 | 2)), "{}", out.stderr);
    // The cycle is a syntax error of the file that closes it.
    assert!(
        out.stdout
            .contains("apache/self.conf:1:1: SYN001 include cycle"),
        "{}",
        out.stdout
    );
    assert_other_linted(&out);
}

#[test]
fn apache_include_outside_the_tree_is_refused() {
    let dir = tree(&[(
        "apache/site.conf",
        b"Include /etc/passwd\nInclude ../../outside.conf\n",
    )]);
    let out = check(dir.path(), &["apache", "other"], 30);
    assert!(out.stderr.contains("outside"), "{}", out.stderr);
    assert_other_linted(&out);
}

#[test]
fn ten_thousand_nested_apache_sections() {
    let mut conf = String::new();
    for i in 0..10_000 {
        conf.push_str(&format!("<Directory /srv/{i}>\n"));
    }
    conf.push_str("WSGIDaemonProcess app user=root\n");
    for _ in 0..10_000 {
        conf.push_str("</Directory>\n");
    }
    let dir = tree(&[("apache/deep.conf", conf.as_bytes())]);
    let out = check(dir.path(), &[], 60);
    assert!(matches!(out.code, Some(1 | 2)), "{}", out.stderr);
    assert_other_linted(&out);
}

#[test]
fn yaml_bomb_in_a_compose_file() {
    let bomb = yaml_bomb("x-bomb") + "services:\n  web:\n    image: python\n    command: *j\n";
    let dir = tree(&[("compose/docker-compose.yml", bomb.as_bytes())]);
    let out = check(dir.path(), &[], 30);
    // Aliases are never expanded: the file is linted like any other, quickly and in little
    // memory.
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.peak_rss < 256 << 20,
        "peak memory {} MiB",
        out.peak_rss >> 20
    );
    assert_other_linted(&out);
}
