//! SBX113: a container explicitly allows privilege escalation (`allowPrivilegeEscalation:
//! true`): setuid binaries and file capabilities work inside it again, so a foothold as the
//! app's account can become root in the container.

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SBX113",
    check,
    prefilter: Some(|_, text| text.contains("allowPrivilegeEscalation")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        let privileges = &service.privileges;
        // A privileged container escalates anyway; SBX101 reports it.
        if privileges.privileged.is_some() {
            continue;
        }
        if let Some(grant) = &privileges.escalation {
            sink.report(
                grant.at,
                format!(
                    "{} sets {}: setuid programs can make its processes root again",
                    service.subject, grant.value
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    const POD: &str = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: shop\n    securityContext:\n";

    #[test]
    fn fail() {
        fires_once(
            "SBX113",
            "deployment.yaml",
            &[(
                &format!("{POD}      allowPrivilegeEscalation: true\n"),
                "true",
            )],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "SBX113",
            "deployment.yaml",
            &[
                &format!("{POD}      allowPrivilegeEscalation: false\n"),
                // Unset: the default is not reported (it is what nearly every manifest has).
                &format!("{POD}      runAsNonRoot: true\n"),
                &format!("{POD}      privileged: true\n      allowPrivilegeEscalation: true\n"),
            ],
        );
    }
}
