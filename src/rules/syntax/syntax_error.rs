//! SYN001: the file does not parse as its format, so the tool that reads it will reject it
//! (and other rules may miss what follows).

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "SYN001",
    check,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let Syntax::Dockerfile { file, .. } = ctx.syntax {
        for error in &file.errors {
            sink.report(error.span, error.message.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lines;

    #[test]
    fn vectors() {
        assert_eq!(
            lines("SYN001", "Dockerfile", "FROM alpine\nENV NAME\n"),
            [2]
        );
        assert!(lines("SYN001", "Dockerfile", "FROM alpine\nENV NAME=1\n").is_empty());
    }
}
