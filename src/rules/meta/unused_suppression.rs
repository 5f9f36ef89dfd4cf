//! SUP001: a `# deploylint: ignore[…]` comment that suppresses nothing (the problem was fixed,
//! the code is misspelt, or the comment is on the wrong line). The engine applies suppressions
//! after every rule has run, so it reports this itself (`crate::suppress`); the registry entry
//! makes the rule selectable and documented like any other.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: crate::suppress::UNUSED_CODE,
    check,
    prefilter: Some(|_, _| false),
};

fn check(_: &FileContext<'_>, _: &mut Sink<'_>) {}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, lines};

    #[test]
    fn vectors() {
        // Used: the finding on the next line is suppressed, nothing is reported.
        assert!(
            findings(
                "SUP001",
                "app.py",
                "# deploylint: ignore[DBG001]\napp.run(debug=True)\n"
            )
            .is_empty()
        );
        assert_eq!(
            lines(
                "SUP001",
                "app.py",
                "# deploylint: ignore[DBG001]\napp.run()\n"
            ),
            [1]
        );
        assert_eq!(
            lines("SUP001", "app.py", "x = 1  # deploylint: ignore[NOPE9]\n"),
            [1]
        );
        assert_eq!(
            lines("SUP001", "app.py", "x = 1  # deploylint: ignore\n"),
            [1]
        );
    }

    #[test]
    fn fix_removes_what_suppresses_nothing() {
        use crate::rules::testing::fixed;
        let fix = |name: &str, src: &str| fixed("SUP001", name, src);
        // A whole comment line, with its line break.
        assert_eq!(
            fix(
                "app.py",
                "x = 1\r\n# deploylint: ignore[DBG001]\r\napp.run()\r\n"
            ),
            "x = 1\r\napp.run()\r\n"
        );
        // A trailing comment, with the space before it.
        assert_eq!(
            fix("app.py", "x = 1  # deploylint: ignore[NOPE9]\n"),
            "x = 1\n"
        );
        assert_eq!(fix("app.py", "x = 1  # deploylint: ignore"), "x = 1");
        // One unused code of several; the used one stays.
        assert_eq!(
            fix(
                "app.py",
                "app.run(debug=True)  # deploylint: ignore[NET001, DBG001, NOPE]\n"
            ),
            "app.run(debug=True)  # deploylint: ignore[DBG001]\n"
        );
        // A reason after the directive stays a comment.
        assert_eq!(
            fix(
                "Dockerfile",
                "FROM a\nUSER app\n# deploylint: ignore[USR001] legacy image\nCMD [\"x\"]\n"
            ),
            "FROM a\nUSER app\n# legacy image\nCMD [\"x\"]\n"
        );
        // Inside a string it is text, and text is not edited.
        let in_string = "x = '  # deploylint: ignore[DBG001]'\n";
        assert_eq!(fix("app.py", in_string), in_string);
    }
}
