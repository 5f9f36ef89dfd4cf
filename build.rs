//! Embeds every rule catalog entry in `rules/` into the binary: the YAML as written (the
//! catalog's tests read it) and, parsed here once, as Rust constants (`catalog::Built` values),
//! which the binary turns into entries at start-up without scanning any text.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    // Read when run, not when compiled: cargo reuses this script's binary for a copy of the
    // package at another path (a shared target directory).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    out.push(']');
    let out_dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out_dir).join("catalog_files.rs"), out).unwrap();
    std::fs::write(
        Path::new(&out_dir).join("catalog_values.rs"),
        as_rust(&files),
    )
    .unwrap();
}

/// The entries of `files` as one Rust slice expression of `Built` values, in file order.
#[cfg(not(deploylint_build_paths_only))]
fn as_rust(files: &[std::path::PathBuf]) -> String {
    let mut out = String::from("&[\n");
    for f in files {
        let text = std::fs::read_to_string(f).expect("a readable rule file");
        let value: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        write_value(&mut out, &value, &f.display().to_string());
        out.push_str(",\n");
    }
    out.push(']');
    out
}

/// Writes `value` as a `Built` constant expression (`file` names it in a panic).
#[cfg(not(deploylint_build_paths_only))]
fn write_value(out: &mut String, value: &serde_yaml::Value, file: &str) {
    use serde_yaml::Value;
    match value {
        Value::Null => out.push_str("Built::Null"),
        Value::Bool(b) => write!(out, "Built::Bool({b})").unwrap(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => write!(out, "Built::Int({i})").unwrap(),
            (None, Some(x)) if x.is_finite() => write!(out, "Built::Float({x:?})").unwrap(),
            _ => panic!("{file}: unsupported number {n}"),
        },
        // A `str`'s Debug form is a valid Rust string literal.
        Value::String(s) => write!(out, "Built::Str({s:?})").unwrap(),
        Value::Sequence(items) => {
            out.push_str("Built::Seq(&[");
            for item in items {
                write_value(out, item, file);
                out.push(',');
            }
            out.push_str("])");
        }
        Value::Mapping(map) => {
            out.push_str("Built::Map(&[");
            for (key, item) in map {
                let Value::String(key) = key else {
                    panic!("{file}: a mapping key that is not a string: {key:?}")
                };
                write!(out, "({key:?}, ").unwrap();
                write_value(out, item, file);
                out.push_str("),");
            }
            out.push_str("])");
        }
        Value::Tagged(_) => panic!("{file}: YAML tags are not supported in the catalog"),
    }
}

/// `tests/packaging.rs` compiles this script alone with `rustc`, without its dependencies, to
/// check where it looks for `rules/`.
#[cfg(deploylint_build_paths_only)]
fn as_rust(_: &[std::path::PathBuf]) -> String {
    String::from("&[]")
}
