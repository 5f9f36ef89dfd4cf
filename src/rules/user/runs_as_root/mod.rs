//! USR001: the deployed process runs as root. One rule, whatever the format says it with;
//! each format's check lives beside this file.

mod apache;
mod compose;
mod dockerfile;
mod gunicorn;
mod systemd;

use crate::catalog::Format;
use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "USR001",
    check,
    prefilter: None,
};

/// The fix in each format's terms (the catalog's `fix:` covers images and units together).
const HELP: &[(Format, &str)] = &[
    (
        Format::Dockerfile,
        "Create an account and switch to it at the end of the final stage: \
         `RUN useradd --system --uid 10001 app` then `USER app` (or `USER 10001:10001`).",
    ),
    (
        Format::Systemd,
        "Run the service as an account created for this app: `User=app` (after \
         `useradd --system app`), or let systemd allocate one with `DynamicUser=yes`.",
    ),
    (
        Format::Compose,
        "Give the service an unprivileged account: `user: \"10001:10001\"` (or `user: app`), \
         or end the Dockerfile it is built from with `USER app`.",
    ),
    (
        Format::Gunicorn,
        "Set `user` (and `group`) to an account created for this app (`user = \"app\"`), or \
         start gunicorn as that account in the first place.",
    ),
    (
        Format::Apache,
        "Set `user=` and `group=` on the `WSGIDaemonProcess` to an account created for this \
         app (`user=example-app group=example-app`).",
    ),
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    sink.help_by_format(ctx.format, HELP);
    check_launchers(ctx, sink);
    match ctx.syntax {
        Syntax::Dockerfile { image, .. } => dockerfile::check(ctx, image, sink),
        Syntax::Apache(config) => apache::check(config, sink),
        Syntax::Systemd(unit) => systemd::check(ctx, unit, sink),
        Syntax::Compose(file) => compose::check(ctx, file, sink),
        Syntax::Gunicorn { config, .. } => gunicorn::check(config, sink),
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
            )
            .help(
                "Pass `--user` and `--group` an account created for this app \
                 (`--user example-app --group example-app`).",
            );
        }
    }
}

/// Whether an account (`root`, `0`, `0:0`, `root:app`) is the superuser.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user.parse::<u64>() == Ok(0)
}
