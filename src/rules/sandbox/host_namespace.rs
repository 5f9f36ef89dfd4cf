//! SBX105: a compose service joins the host's process or IPC namespace (`pid: host`,
//! `ipc: host`): it sees every process of the host (and, as root, can signal, trace or
//! enter them) or shares the host's System V and POSIX shared memory.

use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "SBX105",
    check,
    prefilter: Some(|_, text| text.contains("host")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Compose(file) = ctx.view else {
        return;
    };
    for service in file.services.iter().filter(|s| !s.development) {
        for (key, span) in &service.host_namespaces {
            let what = if key == "pid" {
                "sees and can signal every process on the host"
            } else {
                "shares the host's shared memory and semaphores"
            };
            sink.report(
                *span,
                format!(
                    "service `{}` uses the host's {} namespace (`{key}: host`): it {what}",
                    service.name.value,
                    key.to_ascii_uppercase()
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
            "SBX105",
            "compose.yaml",
            &[
                ("services:\n  web:\n    image: app\n    pid: host\n", "host"),
                (
                    "services:\n  web:\n    image: app\n    ipc: \"host\"  # shm\n",
                    "\"host\"",
                ),
                ("web:\n  image: app\n  pid: host\n", "host"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX105",
            "compose.yaml",
            &[
                // Sharing with another service of the project stays inside the project.
                "services:\n  web:\n    image: app\n    pid: \"service:db\"\n    ipc: shareable\n",
                "services:\n  web:\n    image: app\n    ipc: private\n",
                "services:\n  web:\n    image: app\n    network_mode: host\n",
                "services:\n  web:\n    image: app\n    labels:\n      pid: host\n",
                "services:\n  top:\n    image: app\n    profiles: [debug]\n    pid: host\n",
            ],
        );
    }
}
