//! DBG001: a web framework's debug mode switched on in code (Flask, Dash, Bottle, Sanic,
//! Flask-SocketIO `run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`,
//! FastAPI/Starlette `debug=True`, a production config class with `DEBUG = True`).

use crate::model::python_app::{is_app, is_run_call};
use crate::rules::{FileContext, Rule, Sink, View, contains_ignore_case};
use crate::syntax::python::PyIndex;
use tree_sitter::Node;

/// Constructors whose result `is_app` recognises, for the prefilter.
const APP_NAMES: &[&str] = &[
    "Flask",
    "Quart",
    "Sanic",
    "Dash",
    "Bottle",
    "SocketIO",
    "create_app",
];

pub const RULE: Rule = Rule {
    code: "DBG001",
    check,
    // `app.run(host, port, True)` passes debug by position, on an app object only.
    prefilter: Some(|_, text| {
        contains_ignore_case(text, "debug")
            || text.contains(".run(")
                && (text.contains("app.run(")
                    || text.contains("application.run(")
                    || APP_NAMES.iter().any(|n| text.contains(n)))
    }),
};

/// Constructors whose `debug=True` turns on tracebacks in responses.
const DEBUG_APPS: &[&str] = &[
    "fastapi.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
    "FastAPI",
    "Starlette",
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Python(ix) = ctx.view else {
        return;
    };
    for &call in &ix.calls {
        check_call(ix, call, sink);
    }
    for &assignment in &ix.assignments {
        check_assignment(ix, assignment, sink);
    }
}

fn check_call<'t>(ix: &PyIndex<'t>, call: Node<'t>, sink: &mut Sink<'_>) {
    let Some(callee) = PyIndex::callee(call) else {
        return;
    };
    let attr = ix.callee_attr(call).unwrap_or("");
    if is_run_call(ix, call) {
        // Flask.run(host, port, debug): debug is the third positional argument, but other
        // `run` methods (`contextvars.Context.run(func, *args)`) take anything there.
        let flask_signature = PyIndex::receiver(call).is_some_and(|r| is_app(ix, r));
        if let Some(value) = ix.arg(call, "debug", flask_signature.then_some(2))
            && ix.literal(value).is_some_and(|v| v.is_true())
        {
            let span = ix
                .keyword_argument(call, "debug")
                .map_or(PyIndex::span(value), PyIndex::span);
            sink.report(
                span,
                "the app's development server is started with debug mode on",
            )
            .label(PyIndex::span(callee), "started here");
        }
        return;
    }
    let qualified = ix.qualified_name(callee).unwrap_or_default();
    if DEBUG_APPS.contains(&qualified.as_str()) || ix.refers_to(callee, DEBUG_APPS) {
        if let Some(kw) = ix.true_keyword(call, "debug") {
            sink.report(
                PyIndex::span(kw),
                format!("`{}` is created with debug=True", ix.text(callee)),
            );
        }
        return;
    }
    // app.config.update(DEBUG=True), app.config.from_mapping(DEBUG=True) or with a dict.
    if matches!(attr, "update" | "from_mapping")
        && PyIndex::receiver(call).is_some_and(|r| is_config(ix, r))
    {
        if let Some(kw) = ix.true_keyword(call, "DEBUG") {
            sink.report(PyIndex::span(kw), "the app config sets DEBUG to true");
        }
        if let Some(dict) = ix
            .arg(call, "", Some(0))
            .filter(|n| n.kind() == "dictionary")
        {
            let mut cursor = dict.walk();
            for pair in dict.named_children(&mut cursor) {
                let key = pair
                    .child_by_field_name("key")
                    .and_then(|k| ix.string_value(k));
                let value = pair
                    .child_by_field_name("value")
                    .and_then(|v| ix.literal(v));
                if key.as_deref() == Some("DEBUG") && value.is_some_and(|v| v.is_true()) {
                    sink.report(PyIndex::span(pair), "the app config sets DEBUG to true");
                }
            }
        }
    }
}

/// `<something>.config`
fn is_config(ix: &PyIndex<'_>, node: Node<'_>) -> bool {
    node.kind() == "attribute"
        && node
            .child_by_field_name("attribute")
            .is_some_and(|a| ix.text(a) == "config")
}

fn check_assignment<'t>(ix: &PyIndex<'t>, assignment: Node<'t>, sink: &mut Sink<'_>) {
    let (Some(left), Some(right)) = (
        assignment.child_by_field_name("left"),
        ix.assignment_value(assignment),
    ) else {
        return;
    };
    // Only `True` and numbers are truthy literals here; skip evaluating anything else.
    if !matches!(right.kind(), "true" | "integer" | "identifier")
        || !ix.literal(right).is_some_and(|v| v.is_true())
    {
        return;
    }
    match left.kind() {
        // app.debug = True
        "attribute" => {
            let (Some(object), Some(attr)) = (
                left.child_by_field_name("object"),
                left.child_by_field_name("attribute"),
            ) else {
                return;
            };
            if ix.text(attr) == "debug" && is_app(ix, object) {
                sink.report(
                    PyIndex::span(assignment),
                    "debug mode is switched on for the app",
                );
            }
        }
        // app.config["DEBUG"] = True
        "subscript" => {
            let (Some(value), Some(key)) = (
                left.child_by_field_name("value"),
                left.child_by_field_name("subscript"),
            ) else {
                return;
            };
            if is_config(ix, value) && ix.string_value(key).as_deref() == Some("DEBUG") {
                sink.report(
                    PyIndex::span(assignment),
                    "the app config sets DEBUG to true",
                );
            }
        }
        // class ProductionConfig: DEBUG = True
        "identifier" if ix.text(left) == "DEBUG" => {
            let class =
                PyIndex::enclosing(assignment, &["class_definition", "function_definition"])
                    .filter(|n| n.kind() == "class_definition");
            let Some(class) = class else {
                return;
            };
            let name = class
                .child_by_field_name("name")
                .map(|n| ix.text(n).to_ascii_lowercase())
                .unwrap_or_default();
            if name.contains("prod") {
                sink.report(
                    PyIndex::span(assignment),
                    format!(
                        "production config class `{}` sets DEBUG to true",
                        class.child_by_field_name("name").map_or("", |n| ix.text(n))
                    ),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "DBG001",
            "app.py",
            &[
                ("app.run(debug=True)", "debug=True"),
                ("app.run('127.0.0.1', 5000, True)", "True"),
                ("app.run(debug=1)", "debug=1"),
                ("DEBUG_ON = True\napp.run(debug=DEBUG_ON)", "debug=DEBUG_ON"),
                ("socketio.run(app, debug=True)", "debug=True"),
                ("app.run_server(debug=True)", "debug=True"),
                (
                    "from bottle import run\nrun(host='localhost', debug=True)",
                    "debug=True",
                ),
                (
                    "app = Flask(__name__)\napp.debug = True",
                    "app.debug = True",
                ),
                (
                    "srv = Flask(__name__)\nsrv.debug = True",
                    "srv.debug = True",
                ),
                ("app.config['DEBUG'] = True", "app.config['DEBUG'] = True"),
                ("app.config.update(DEBUG=True)", "DEBUG=True"),
                ("app.config.update({'DEBUG': True})", "'DEBUG': True"),
                (
                    "from fastapi import FastAPI\napi = FastAPI(debug=True)",
                    "debug=True",
                ),
                (
                    "import starlette.applications as s\ns.Starlette(debug=True)",
                    "debug=True",
                ),
                ("class ProductionConfig:\n    DEBUG = True", "DEBUG = True"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "DBG001",
            "app.py",
            &[
                "app.run(debug=False)",
                "app.run()",
                "app.run(debug=os.environ.get('FLASK_DEBUG') == '1')",
                "app.run(debug=settings.DEBUG)",
                "# app.run(debug=True)",
                "'''app.run(debug=True)'''",
                "asyncio.run(main(), debug=True)",
                "import asyncio as aio\naio.run(main(), debug=True)",
                "self.debug = True",
                "parser.debug = True",
                "app.config['DEBUG'] = False",
                "app.config['TESTING'] = True",
                "app.config.update(DEBUG=False)",
                "FastAPI(debug=False)",
                "class DevelopmentConfig:\n    DEBUG = True",
                "app.run(debug='False')",
                "ctx.run(func, 1, 2)",
            ],
        );
    }
}
