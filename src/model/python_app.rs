//! What a Python file says about the web app in it: app objects, and the calls that start a
//! framework's built-in development server.

use crate::source::Span;
use crate::syntax::python::PyIndex;
use tree_sitter::Node;

/// `run` methods that take a `debug` flag but are not web servers.
const NOT_WEB_RUNNERS: &[&str] = &[
    "asyncio",
    "trio",
    "anyio",
    "uvloop",
    "unittest",
    "subprocess",
];

/// Constructors of app objects, so `x.debug = True` is known to be about an app.
const APP_CONSTRUCTORS: &[&str] = &[
    "Flask",
    "Quart",
    "Sanic",
    "Dash",
    "Bottle",
    "FastAPI",
    "Starlette",
    "SocketIO",
    "create_app",
];

/// Frameworks whose `app.run()` starts a development server.
const DEV_SERVER_FRAMEWORKS: &[&str] = &[
    "flask",
    "dash",
    "bottle",
    "sanic",
    "quart",
    "flask_socketio",
];

/// A name bound to an app object: assigned from a known app constructor in this file, or
/// conventionally named `app`/`application`.
pub fn is_app(ix: &PyIndex<'_>, object: Node<'_>) -> bool {
    if object.kind() != "identifier" {
        return false;
    }
    if matches!(ix.text(object), "app" | "application") {
        return true;
    }
    ix.assigned_value(object)
        .filter(|v| v.kind() == "call")
        .and_then(|call| ix.qualified_name(PyIndex::callee(call)?))
        .is_some_and(|q| {
            let last = q.rsplit('.').next().unwrap_or(&q);
            APP_CONSTRUCTORS.contains(&last)
        })
}

/// `<x>.run(...)`/`<x>.run_server(...)` that is not asyncio's and friends, or bottle's `run()`.
pub fn is_run_call<'t>(ix: &PyIndex<'t>, call: Node<'t>) -> bool {
    let Some(callee) = PyIndex::callee(call) else {
        return false;
    };
    match PyIndex::receiver(call) {
        Some(receiver) => {
            matches!(ix.callee_attr(call), Some("run" | "run_server"))
                && !ix.qualified_name(receiver).is_some_and(|q| {
                    NOT_WEB_RUNNERS
                        .iter()
                        .any(|m| q == *m || q.starts_with(&format!("{m}.")))
                })
        }
        None => ix.refers_to(callee, &["bottle.run"]),
    }
}

/// Calls that start a framework's development server: `app.run()` on an app object or in a
/// file that imports a framework with such a server.
pub fn dev_server_calls(ix: &PyIndex<'_>) -> Vec<Span> {
    let imports_framework = DEV_SERVER_FRAMEWORKS.iter().any(|m| ix.imports_module(m));
    ix.calls
        .iter()
        .filter(|call| is_run_call(ix, **call))
        .filter(|call| {
            imports_framework || PyIndex::receiver(**call).is_some_and(|r| is_app(ix, r))
        })
        .filter_map(|call| PyIndex::callee(*call).map(PyIndex::span))
        .collect()
}
