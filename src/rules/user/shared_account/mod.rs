//! USR002: the deployed app runs as an account shared with other services (`www-data`,
//! `nobody`, …, from `options.shared_accounts`). One rule, whatever the format says it with;
//! each format's check lives beside this file.

mod systemd;

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "USR002",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let Syntax::Systemd(unit) = ctx.syntax {
        systemd::check(ctx, unit, sink);
    }
}

/// Whether `account` (a user or group name) is one of the configured shared accounts.
pub fn is_shared_account(account: &str, shared: &[String]) -> bool {
    let account = account.trim();
    shared.iter().any(|s| s == account)
}
