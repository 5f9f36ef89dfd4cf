//! DIS001: `ServerTokens` other than `Prod`: the `Server:` header (and error pages) tell every
//! client the Apache version, its modules and the operating system.

use crate::rules::wsgi::{apache_of, mentions, replace_arg};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DIS001",
    check,
    prefilter: Some(|f, t| mentions(f, t, "servertokens")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    // A server-wide setting: the last one read is the one in force.
    let Some(last) = apache.named("servertokens").last() else {
        return;
    };
    let value = apache.entries[last].args.first().map_or("", String::as_str);
    let prod = ["prod", "productonly"]
        .iter()
        .any(|p| value.eq_ignore_ascii_case(p));
    if apache.is_local(last) && !prod {
        let documented = ["Full", "OS", "Minimal", "Min", "Minor", "Major"];
        let fix = sink.fix(
            replace_arg(ctx, apache, last, 0, "Prod", &documented)
                .into_iter()
                .collect(),
        );
        sink.report(
            apache.arg_span(last, 0),
            format!("ServerTokens {value} tells every client more than the product name (version, modules or OS)"),
        )
        .set_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn fix_sets_prod_in_the_file_s_case_and_quotes() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("DIS001", SITE, src);
        assert_eq!(fix("ServerTokens OS\n"), "ServerTokens Prod\n");
        assert_eq!(fix("servertokens full\n"), "servertokens prod\n");
        assert_eq!(fix("SERVERTOKENS FULL\n"), "SERVERTOKENS PROD\n");
        assert_eq!(
            fix("ServerTokens \"Minor\"\r\n"),
            "ServerTokens \"Prod\"\r\n"
        );
        // Only the one in force is changed.
        assert_eq!(
            fix("ServerTokens Full\n<IfModule x>\n  ServerTokens Major\n</IfModule>\n"),
            "ServerTokens Full\n<IfModule x>\n  ServerTokens Prod\n</IfModule>\n"
        );
        // A value from a variable may be meant elsewhere too: no fix.
        let defined = "Define TOKENS OS\nServerTokens ${TOKENS}\n";
        assert_eq!(fix(defined), defined);
    }

    #[test]
    fn vectors() {
        fires_once(
            "DIS001",
            SITE,
            &[
                ("ServerTokens OS\n", "OS"),
                (
                    "ServerTokens Prod\n<IfModule x>\nservertokens Full\n</IfModule>\n",
                    "Full",
                ),
            ],
        );
        quiet(
            "DIS001",
            SITE,
            &[
                "ServerTokens Prod\n",
                "ServerTokens OS\nServerTokens ProductOnly\n",
                "# ServerTokens Full\n",
            ],
        );
    }
}
