//! USR001 for Dockerfiles: the final stage never sets `USER` (and its base is not known to
//! drop root), or its last `USER` is root.

use super::is_root_user;
use crate::model::container::{Image, UserSource};
use crate::rules::{FileContext, Sink};

/// Base images published to run as an unprivileged user by default: `:nonroot` tags and the
/// configured image prefixes.
pub(super) fn base_runs_unprivileged(image: &str, known: &[String]) -> bool {
    let image = image.to_ascii_lowercase();
    if known
        .iter()
        .any(|prefix| image.starts_with(&prefix.to_ascii_lowercase()))
    {
        return true;
    }
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (image.as_str(), ""),
    };
    tag.contains("nonroot") || name.starts_with("cgr.dev/chainguard/") || name.ends_with("/nonroot")
}

pub fn check(ctx: &FileContext<'_>, image: &Image<'_>, sink: &mut Sink<'_>) {
    let Some(last) = image.final_stage() else {
        return;
    };
    match image.effective_user(last) {
        UserSource::Instruction {
            word,
            value: Some(value),
            ..
        } if is_root_user(&value) => {
            let shown = if value == word.as_str() {
                value.clone()
            } else {
                format!("{} (= {value})", word.as_str())
            };
            sink.report(
                word.span(),
                format!("the image runs as root: the last USER is {shown}"),
            );
        }
        UserSource::Instruction { .. } => {}
        UserSource::BaseImage => {
            // Follow the FROM chain to the external image whose default user applies.
            let mut stage = last;
            while let Some(parent) = image.parents[stage].filter(|p| *p < stage) {
                stage = parent;
            }
            let base = &image.stages[stage];
            let reference = image
                .global_expand(base.image.as_str())
                .unwrap_or_else(|| base.image.as_str().to_string());
            if base_runs_unprivileged(&reference, &ctx.options.nonroot_images) {
                return;
            }
            let final_from = image.stages[last].image.span();
            sink.report(
                final_from,
                "the image runs as root: the final stage never sets USER",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::is_root_user;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn root_values() {
        for v in ["root", "0", "0:0", "root:root", "00", "0:1000"] {
            assert!(is_root_user(v), "{v}");
        }
        for v in ["app", "1000", "1000:0", "nobody", "rooter", "ROOT2"] {
            assert!(!is_root_user(v), "{v}");
        }
    }

    #[test]
    fn fail() {
        fires_once(
            "USR001",
            "Dockerfile",
            &[
                ("FROM python:3.12\nCMD gunicorn app:app\n", "python:3.12"),
                ("FROM python\nUSER root\n", "root"),
                ("FROM python\nUSER 0\n", "0"),
                ("FROM python\nUSER 0:0\n", "0:0"),
                ("FROM python\nUSER app\nRUN x\nUSER root\n", "root"),
                (
                    "FROM python AS build\nUSER app\nFROM debian\nCOPY --from=build /a /a\n",
                    "debian",
                ),
                ("FROM python\nARG RUN_AS=root\nUSER $RUN_AS\n", "$RUN_AS"),
                ("from python\nuser ROOT\nUSER 0\n", "0"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "USR001",
            "Dockerfile",
            &[
                "FROM python\nUSER app\n",
                "FROM python\nUSER 1000:1000\n",
                "FROM python\nUSER root\nRUN apt-get update\nUSER app\n",
                // A builder stage may run as root.
                "FROM python AS build\nRUN make\nFROM python\nUSER app\n",
                // The final stage inherits USER from the stage it is built on.
                "FROM python AS base\nUSER app\nFROM base\nCMD gunicorn app:app\n",
                "FROM python\nARG UID=1000\nUSER $UID\n",
                // A value the Dockerfile does not give is not guessed.
                "FROM python\nUSER $APP_USER\n",
                "FROM gcr.io/distroless/python3-debian12:nonroot\nCMD [\"app.py\"]\n",
                "FROM cgr.dev/chainguard/python:latest\n",
                "FROM python\nUSER app\nHEALTHCHECK CMD curl -f http://localhost/\n",
            ],
        );
    }
}
