//! USR001: the deployed process runs as root. One rule, whatever the format says it with;
//! each format's check lives beside this file.

mod compose;
mod dockerfile;
mod gunicorn;
mod systemd;

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "USR001",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    match ctx.syntax {
        Syntax::Dockerfile { image, .. } => dockerfile::check(ctx, image, sink),
        Syntax::Systemd(unit) => systemd::check(ctx, unit, sink),
        Syntax::Compose(file) => compose::check(ctx, file, sink),
        Syntax::Gunicorn { config, .. } => gunicorn::check(config, sink),
        _ => {}
    }
}

/// Whether an account (`root`, `0`, `0:0`, `root:app`) is the superuser.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user.parse::<u64>() == Ok(0)
}
