//! USR001 for compose files: a service's `user:` is root, or it sets no `user:` and is built
//! from a Dockerfile whose stage runs as root.

use super::dockerfile::base_runs_unprivileged;
use super::is_root_user;
use crate::model::compose::{BuiltUser, ComposeFile, literal};
use crate::rules::{FileContext, Sink};

pub fn check(ctx: &FileContext<'_>, file: &ComposeFile, sink: &mut Sink<'_>) {
    for service in file.services.iter().filter(|s| !s.development) {
        let name = &service.name.value;
        if let Some(user) = &service.user {
            if let Some(value) = literal(&user.value)
                && is_root_user(&value)
            {
                sink.report(
                    user.span,
                    format!("service `{name}` runs as root (user: {value})"),
                );
            }
            continue;
        }
        // An image pulled by name runs as whatever user it was published with: not guessed.
        let Some(build) = &service.build else {
            continue;
        };
        let Some(image) = &build.dockerfile else {
            continue;
        };
        match &image.user {
            BuiltUser::Set {
                value: Some(value),
                span,
            } if is_root_user(value) => {
                sink.report(
                    build.key,
                    format!("service `{name}` runs as root: it sets no user: and its Dockerfile's last USER is {value}"),
                )
                .label_in(image.path.clone(), *span, "the image switches to root here");
            }
            BuiltUser::Set { .. } => {}
            BuiltUser::Unset => {
                if base_runs_unprivileged(&image.base, &ctx.options.nonroot_images) {
                    continue;
                }
                sink.report(
                    build.key,
                    format!("service `{name}` runs as root: it sets no user: and its Dockerfile never sets USER"),
                )
                .label_in(
                    image.path.clone(),
                    image.from_span,
                    "built from this base image, whose default user is root",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "USR001",
            "compose.yaml",
            &[
                (
                    "services:\n  web:\n    image: app\n    user: root\n",
                    "root",
                ),
                (
                    "services:\n  web:\n    image: app\n    user: \"0\"\n",
                    "\"0\"",
                ),
                ("services:\n  web:\n    image: app\n    user: 0:0\n", "0:0"),
                ("web:\n  image: app\n  user: root:root\n", "root:root"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "USR001",
            "compose.yaml",
            &[
                "services:\n  web:\n    image: app\n    user: \"1000:1000\"\n",
                "services:\n  web:\n    image: app\n",
                "services:\n  web:\n    image: app\n    user: ${APP_UID}\n",
                "services:\n  web:\n    image: app\n    user: ${UID:-0}\n",
                // Without the linted tree, the Dockerfile cannot be read: nothing is guessed.
                "services:\n  web:\n    build: .\n",
                "services:\n  web:\n    image: app\n    user: root\n    profiles: [debug]\n",
            ],
        );
        quiet(
            "USR001",
            "docker-compose.dev.yml",
            &["services:\n  web:\n    image: app\n    user: root\n"],
        );
    }
}
