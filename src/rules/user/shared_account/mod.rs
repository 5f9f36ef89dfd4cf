//! USR002: the app's process runs as an account shared with other services (the Apache
//! account, `nobody`, `daemon`; see `RuleOptions::shared_accounts`), so a bug in it reaches
//! whatever those services can. One rule, whatever the format says it with; each format's
//! check lives beside this file.

mod apache;
mod systemd;

use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "USR002",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_launchers(ctx, sink);
    match ctx.view {
        View::Systemd(unit) => systemd::check(ctx, unit, sink),
        View::Apache(config) => apache::check(ctx, config, sink),
        _ => {}
    }
}

/// Whether `account` (a user or group name) is one of the configured shared accounts.
pub fn is_shared_account(account: &str, shared: &[String]) -> bool {
    let account = account.trim();
    shared.iter().any(|s| s == account)
}

/// `mod_wsgi-express start-server --user www-data`, from any launcher.
fn check_launchers(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for process in &ctx.deployment.processes {
        if process.launch.program != Program::ModWsgiExpress {
            continue;
        }
        if let Some(user) = process.launch.option(&["--user"])
            && is_shared_account(user.as_str(), &ctx.options.shared_accounts)
        {
            sink.report(
                user.span(),
                format!(
                    "{} runs mod_wsgi-express as {}, an account shared with other services",
                    process.origin,
                    user.as_str()
                ),
            );
        }
    }
}
