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
}
