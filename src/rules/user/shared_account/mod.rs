//! USR002: the app's process runs as an account shared with other services (the Apache
//! account, `nobody`, `daemon`; see `RuleOptions::shared_accounts`), so a bug in it reaches
//! whatever those services can. One rule, whatever the format says it with; each format's
//! check lives beside this file.

mod apache;
mod systemd;

use crate::catalog::Format;
use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "USR002",
    check,
    prefilter: None,
};

/// The fix in each format's terms (the catalog's `fix:` covers units and daemons together).
const HELP: &[(Format, &str)] = &[
    (
        Format::Systemd,
        "Create an account for this application (`useradd --system --home /srv/app \
         example-app`) and run as it: `User=example-app`, or `DynamicUser=yes`.",
    ),
    (
        Format::Apache,
        "Create an account for this application (`useradd --system --home /srv/app \
         example-app`) and run the daemon as it: `user=example-app group=example-app` on its \
         `WSGIDaemonProcess`.",
    ),
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    sink.help_by_format(ctx.format, HELP);
    check_launchers(ctx, sink);
    match ctx.syntax {
        Syntax::Systemd(unit) => systemd::check(ctx, unit, sink),
        Syntax::Apache(config) => apache::check(ctx, config, sink),
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
            )
            .help(
                "Create an account for this application and pass it to `--user` and `--group` \
                 (`--user example-app --group example-app`).",
            );
        }
    }
}
