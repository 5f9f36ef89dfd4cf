//! USR001: the deployed process runs as root. One rule, whatever the format says it with;
//! each format's check lives beside this file.

mod apache;
mod compose;
mod dockerfile;
mod gunicorn;
mod systemd;

use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "USR001",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_launchers(ctx, sink);
    match ctx.view {
        View::Dockerfile { image, .. } => dockerfile::check(ctx, image, sink),
        View::Apache(config) => apache::check(config, sink),
        View::Systemd(unit) => systemd::check(ctx, unit, sink),
        View::Compose(file) => compose::check(ctx, file, sink),
        View::Gunicorn { config, .. } => gunicorn::check(config, sink),
        _ => {}
    }
}

/// Launcher options that make a server drop privileges to root: `mod_wsgi-express
/// start-server --user root`, from any launcher format.
fn check_launchers(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for process in &ctx.deployment.processes {
        if process.launch.program != Program::ModWsgiExpress {
            continue;
        }
        if let Some(user) = process.launch.option(&["--user"])
            && is_root_user(user.as_str())
        {
            sink.report(
                user.span(),
                format!("{} runs mod_wsgi-express as root", process.origin),
            );
        }
    }
}

/// Whether an account (`root`, `0`, `0:0`, `root:app`) is the superuser.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user.parse::<u64>() == Ok(0)
}
