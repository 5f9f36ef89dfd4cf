//! DBG003: the Werkzeug interactive debugger switched on (`run_simple(use_debugger=True)`,
//! `DebuggedApplication(app, evalex=True)`), which lets anyone who sees a traceback run code.

use crate::rules::{FileContext, Rule, Sink, View};
use crate::syntax::python::PyIndex;

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
    let View::Python(ix) = ctx.view else {
        return;
    };
    for &call in &ix.calls {
        let Some(callee) = PyIndex::callee(call) else {
            continue;
        };
        for (targets, keyword, position, message) in DEBUGGER_SWITCHES {
            // A bare `run_simple` that was not imported still means Werkzeug's in practice.
            let bare = targets[0].rsplit('.').next().unwrap_or("");
            let named = ix.refers_to(callee, targets)
                || (callee.kind() == "identifier"
                    && ix.text(callee) == bare
                    && ix.qualified_name(callee).as_deref() == Some(bare));
            if !named {
                continue;
            }
            if let Some(value) = ix.arg(call, keyword, Some(*position))
                && ix.literal(value).is_some_and(|v| v.is_true())
            {
                let span = ix
                    .keyword_argument(call, keyword)
                    .map_or(PyIndex::span(value), PyIndex::span);
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
