//! USR001: the deployed process runs as root. One rule, whatever the format says it with;
//! each format's check lives beside this file.

mod dockerfile;

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "USR001",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    // One arm per format (a match once there is more than one).
    if let Syntax::Dockerfile { image, .. } = ctx.syntax {
        dockerfile::check(ctx, image, sink);
    }
}

/// Whether an account (`root`, `0`, `0:0`, `root:app`) is the superuser.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user.parse::<u64>() == Ok(0)
}
