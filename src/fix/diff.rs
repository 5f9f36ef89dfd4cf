//! Unified diffs of fixed files, for `--diff` (what `patch -p0` and reviewers read).

/// The changes from `old` to `new` as a unified diff with three lines of context, headed by
/// the file's path; empty when nothing changed.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_headers_hunks_and_end_of_file_notes() {
        assert_eq!(unified("a", "x\n", "x\n"), "");
        let d = unified(
            "site.conf",
            "A\nServerTokens OS\nB",
            "A\nServerTokens Prod\nB",
        );
        assert_eq!(
            d,
            "--- site.conf\n+++ site.conf\n@@ -1,3 +1,3 @@\n A\n-ServerTokens OS\n+ServerTokens Prod\n B\n\\ No newline at end of file\n"
        );
    }
}
