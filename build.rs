//! Embeds every rule catalog entry in `rules/` into the binary: the YAML as written (the
//! catalog's tests read it) and, parsed here once, as JSON, which the binary reads at start-up
//! several times faster than YAML.

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
    std::fs::write(Path::new(&out_dir).join("catalog.json"), as_json(&files)).unwrap();
}

/// The entries of `files` as one JSON array, in file order.
#[cfg(not(deploylint_build_paths_only))]
fn as_json(files: &[std::path::PathBuf]) -> String {
    let entries: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("a readable rule file");
            let value: serde_yaml::Value =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            serde_json::to_value(value).unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .collect();
    serde_json::to_string(&entries).expect("JSON")
}

/// `tests/packaging.rs` compiles this script alone with `rustc`, without its dependencies, to
/// check where it looks for `rules/`.
#[cfg(deploylint_build_paths_only)]
fn as_json(_: &[std::path::PathBuf]) -> String {
    String::from("[]")
}
