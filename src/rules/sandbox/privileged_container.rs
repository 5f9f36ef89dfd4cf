//! SBX101: a compose service runs `privileged: true`: every capability, every host device and
//! no seccomp or AppArmor confinement, so a compromise of the app is a compromise of the host.

use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "SBX101",
    check,
    prefilter: Some(|_, text| text.contains("privileged")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Compose(file) = ctx.view else {
        return;
    };
    for service in file.services.iter().filter(|s| !s.development) {
        if let Some(span) = service.privileged {
            sink.report(
                span,
                format!(
                    "service `{}` runs privileged: it has every capability and the host's devices",
                    service.name.value
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "SBX101",
            "compose.yaml",
            &[
                (
                    "services:\n  web:\n    image: app\n    privileged: true\n",
                    "true",
                ),
                ("web:\n  image: app\n  privileged: True\n", "True"),
                (
                    "x-base: &base\n  privileged: true\nservices:\n  web:\n    <<: *base\n    image: app\n",
                    "true",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX101",
            "compose.yaml",
            &[
                "services:\n  web:\n    image: app\n    privileged: false\n",
                "services:\n  web:\n    image: app\n    cap_add: [NET_BIND_SERVICE]\n",
                "services:\n  web:\n    image: app\n    privileged: \"true\"\n",
                "services:\n  web:\n    image: app\n    profiles: [debug]\n    privileged: true\n",
                "services:\n  web:\n    image: app\n    labels:\n      privileged: true\n",
            ],
        );
    }
}
