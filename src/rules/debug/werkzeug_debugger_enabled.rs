//! DBG003: the Werkzeug interactive debugger switched on (`run_simple(use_debugger=True)`,
//! `DebuggedApplication(app, evalex=True)`), which lets anyone who sees a traceback run code.

use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "DBG003",
    check,
    prefilter: Some(|_, text| text.contains("run_simple") || text.contains("DebuggedApplication")),
};

/// (callee, keyword, its position in the signature, message)
const DEBUGGER_SWITCHES: &[(&[&str], &str, usize, &str)] = &[
    (
        &["werkzeug.serving.run_simple", "werkzeug.run_simple"],
        "use_debugger",
        4,
        "run_simple starts the Werkzeug debugger",
    ),
    (
        &[
            "werkzeug.debug.DebuggedApplication",
            "werkzeug.DebuggedApplication",
        ],
        "evalex",
        1,
        "DebuggedApplication lets clients evaluate Python in tracebacks",
    ),
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Python(python) = ctx.view else {
        return;
    };
    for call in python.calls() {
        let Some(callee) = python.callee(call) else {
            continue;
        };
        for (targets, keyword, position, message) in DEBUGGER_SWITCHES {
            // A bare `run_simple` that was not imported still means Werkzeug's in practice.
            let bare = targets[0].rsplit('.').next().unwrap_or("");
            let named = python.calls_any(call, targets)
                || (callee.is_name()
                    && python.text(callee) == bare
                    && python.qualified_name(callee).as_deref() == Some(bare));
            if !named {
                continue;
            }
            if let Some(value) = python.argument(call, keyword, Some(*position))
                && python.is_true(value)
            {
                let span = python
                    .keyword_span(call, keyword)
                    .unwrap_or_else(|| value.span());
                sink.report(span, *message);
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
            "DBG003",
            "app.py",
            &[
                (
                    "from werkzeug.serving import run_simple\nrun_simple('localhost', 5000, app, use_debugger=True)",
                    "use_debugger=True",
                ),
                (
                    "import werkzeug.serving\nwerkzeug.serving.run_simple('h', 1, app, False, True)",
                    "True",
                ),
                (
                    "from werkzeug.debug import DebuggedApplication\napp = DebuggedApplication(app, evalex=True)",
                    "evalex=True",
                ),
                (
                    "from werkzeug.debug import DebuggedApplication as D\napp = D(app, True)",
                    "True",
                ),
                (
                    "run_simple('localhost', 5000, app, use_debugger=True)",
                    "use_debugger=True",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "DBG003",
            "app.py",
            &[
                "from werkzeug.serving import run_simple\nrun_simple('localhost', 5000, app)",
                "from werkzeug.serving import run_simple\nrun_simple('localhost', 5000, app, use_debugger=False)",
                "from werkzeug.serving import run_simple\nrun_simple('localhost', 5000, app, use_debugger=DEBUG)",
                "from werkzeug.debug import DebuggedApplication\napp = DebuggedApplication(app)",
                "from werkzeug.debug import DebuggedApplication\napp = DebuggedApplication(app, evalex=False)",
                "from mylib import run_simple\nrun_simple('h', 1, app, use_debugger=True)",
                "# run_simple('h', 1, app, use_debugger=True)",
            ],
        );
    }
}
