//! DBG004: an environment variable that switches on a debug mode (`FLASK_DEBUG=1`,
//! `FLASK_ENV=development`, …) baked into the image by `ENV`, `ARG` or the start command.

use crate::model::env::debug_setting;
use crate::rules::{FileContext, Rule, Sink, Syntax};
use crate::source::MappedText;

pub const RULE: Rule = Rule {
    code: "DBG004",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Syntax::Dockerfile { file, image } = ctx.syntax else {
        return;
    };
    if image.production_stage().is_none() {
        return;
    }
    for stage in image.shipped_stages() {
        let env_keys: Vec<String> = image.stages[stage]
            .body
            .iter()
            .filter(|i| i.keyword == "ENV")
            .flat_map(|i| i.key_values(file.escape))
            .map(|kv| kv.key.as_str().to_string())
            .collect();
        image.walk_stage(stage, |instr, scope| {
            let is_env = instr.keyword == "ENV";
            // A build argument re-exported by ENV is reported once, at the ENV.
            if !is_env && instr.keyword != "ARG" {
                return;
            }
            for kv in instr.key_values(file.escape) {
                let Some(value) = &kv.value else { continue };
                if !is_env && env_keys.iter().any(|k| k == kv.key.as_str()) {
                    continue;
                }
                let Some(expanded) = scope.expand(value.as_str(), file.escape) else {
                    continue;
                };
                report(
                    sink,
                    &kv.key,
                    value,
                    &expanded,
                    if is_env { "ENV" } else { "ARG" },
                );
            }
        });
        for launch in image.launches(stage) {
            for (name, value) in &launch.launch.env {
                report(sink, name, value, value.as_str(), "the start command");
            }
        }
    }
}

fn report(sink: &mut Sink<'_>, key: &MappedText, value: &MappedText, expanded: &str, origin: &str) {
    if let Some(why) = debug_setting(key.as_str(), expanded) {
        sink.report(
            key.span().cover(value.span()),
            format!("{origin} sets {}={expanded}, which {why}", key.as_str()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, lines, quiet};

    #[test]
    fn fail() {
        for (src, line) in [
            ("FROM python\nENV FLASK_DEBUG=1\n", 2),
            ("FROM python\nENV FLASK_DEBUG 1\n", 2),
            ("FROM python\nENV A=b \\\n    FLASK_ENV=development\n", 3),
            ("FROM python\nARG FLASK_DEBUG=true\n", 2),
            ("FROM python\nARG D=1\nENV FLASK_DEBUG=$D\n", 3),
            (
                "FROM python AS base\nENV FLASK_DEBUG=1\nFROM base\nCMD gunicorn app:app\n",
                2,
            ),
            ("FROM python\nCMD FLASK_DEBUG=1 gunicorn app:app\n", 2),
            ("FROM python\nENV DJANGO_DEBUG=True\n", 2),
        ] {
            assert_eq!(lines("DBG004", "Dockerfile", src), [line], "{src}");
        }
        let found = findings(
            "DBG004",
            "Dockerfile",
            "FROM python\nENV X=1 FLASK_DEBUG=\"1\"\n",
        );
        assert_eq!(found[0].1, "FLASK_DEBUG=\"1\"");
    }

    #[test]
    fn pass() {
        quiet(
            "DBG004",
            "Dockerfile",
            &[
                "FROM python\nENV FLASK_DEBUG=0\n",
                "FROM python\nENV FLASK_DEBUG=false\n",
                "FROM python\nENV FLASK_ENV=production\n",
                "FROM python\nENV FLASK_DEBUG=${FLASK_DEBUG:-0}\n",
                "FROM python\nENV FLASK_DEBUG=$FLASK_DEBUG\n",
                "FROM python\nARG FLASK_DEBUG\n",
                "FROM python\n# ENV FLASK_DEBUG=1\n",
                "FROM python\nRUN echo FLASK_DEBUG=1\n",
                "FROM python AS test\nENV FLASK_DEBUG=1\nFROM python\nCMD gunicorn app:app\n",
                "ARG FLASK_DEBUG=1\nFROM python\n",
                "FROM python AS development\nENV FLASK_DEBUG=1\n",
            ],
        );
    }
}
