//! The Python semantic model: what a module's calls, assignments and imports mean, with
//! names resolved through the imports (`F(...)` after `from flask import Flask as F` is a
//! call of `flask.Flask`), literal values followed through simple assignments, and what the
//! web frameworks' objects are (an app, its config, the call that starts its development
//! server). Rules ask it questions; the parse tree it is built on stays inside this module
//! (its handles, `Call`, `Assignment` and `Expr`, are opaque).

use crate::source::Span;
pub use crate::syntax::python::Literal;
use crate::syntax::python::{self, PyIndex, PythonFile};
use tree_sitter::Node;

/// A call in the module (`app.run(debug=True)`).
#[derive(Clone, Copy)]
pub struct Call<'t>(Node<'t>);

/// An assignment in the module (`a = b`, `a.b = c`, `a[b] = c`).
#[derive(Clone, Copy)]
pub struct Assignment<'t>(Node<'t>);

/// An expression in the module: an argument, a value, a callee.
#[derive(Clone, Copy)]
pub struct Expr<'t>(Node<'t>);

/// What an assignment stores into.
pub enum Target<'t> {
    /// `name = …`
    Name(&'t str),
    /// `object.attribute = …`
    Attribute {
        object: Expr<'t>,
        attribute: &'t str,
    },
    /// `value[key] = …`
    Subscript { value: Expr<'t>, key: Expr<'t> },
}

/// A `name=value` argument of a call.
pub struct Keyword<'t> {
    pub name: &'t str,
    pub value: Expr<'t>,
    /// The whole `name=value`.
    pub span: Span,
}

impl Call<'_> {
    pub fn span(self) -> Span {
        PyIndex::span(self.0)
    }
}

impl Assignment<'_> {
    pub fn span(self) -> Span {
        PyIndex::span(self.0)
    }

    /// Whether it sits at module level (not inside a function, class or lambda).
    pub fn is_module_level(self) -> bool {
        PyIndex::is_module_level(self.0)
    }
}

impl Expr<'_> {
    pub fn span(self) -> Span {
        PyIndex::span(self.0)
    }

    /// A bare name (`host`), whose value is whatever it was last assigned.
    pub fn is_name(self) -> bool {
        self.0.kind() == "identifier"
    }

    pub fn is_call(self) -> bool {
        self.0.kind() == "call"
    }

    /// The edit that writes this literal `True` (or non-zero number) as off. A name or an
    /// expression gets none: where its value comes from is the author's decision.
    pub fn switch_off(self) -> Vec<crate::edit::Edit> {
        match self.0.kind() {
            "true" => vec![crate::edit::Edit::replace(self.span(), "False")],
            "integer" => vec![crate::edit::Edit::replace(self.span(), "0")],
            _ => Vec::new(),
        }
    }

    /// A literal written as `True`, a number or a name: the only forms whose truth a rule
    /// judges without evaluating anything else.
    pub fn may_be_truthy_literal(self) -> bool {
        matches!(self.0.kind(), "true" | "integer" | "identifier")
    }
}

/// A parsed module and its semantic model.
pub struct Semantic<'t> {
    ix: PyIndex<'t>,
}

/// Parses `text` (never executed) for `Semantic::new`.
pub fn parse(text: &str) -> PythonFile {
    python::parse(text)
}

impl<'t> Semantic<'t> {
    /// The model of a parsed module; None when there is no tree to read.
    pub fn new(file: &'t PythonFile, text: &'t str) -> Option<Semantic<'t>> {
        PyIndex::new(file, text).map(|ix| Semantic { ix })
    }

    /// The index the model is built on, for the model's own readers (a gunicorn config's
    /// settings).
    pub(crate) fn index(&self) -> &PyIndex<'t> {
        &self.ix
    }

    /// Every call, in source order.
    pub fn calls(&self) -> impl Iterator<Item = Call<'t>> + '_ {
        self.ix.calls.iter().map(|n| Call(*n))
    }

    /// Every assignment, in source order.
    pub fn assignments(&self) -> impl Iterator<Item = Assignment<'t>> + '_ {
        self.ix.assignments.iter().map(|n| Assignment(*n))
    }

    /// The simple `name = value` assignments to `name`, in source order.
    pub fn assignments_to(&self, name: &str) -> impl Iterator<Item = Assignment<'t>> + '_ {
        self.ix.assignments_to(name).iter().map(|n| Assignment(*n))
    }

    /// Whether any import names `module` or one of its submodules.
    pub fn imports_module(&self, module: &str) -> bool {
        self.ix.imports_module(module)
    }

    /// The source text of an expression, as written.
    pub fn text(&self, expr: Expr<'t>) -> &'t str {
        self.ix.text(expr.0)
    }

    /// The function a call calls.
    pub fn callee(&self, call: Call<'t>) -> Option<Expr<'t>> {
        PyIndex::callee(call.0).map(Expr)
    }

    /// Where findings about a call point when they name what is called: the callee, or the
    /// whole call.
    pub fn callee_span(&self, call: Call<'t>) -> Span {
        PyIndex::callee(call.0).map_or(call.span(), PyIndex::span)
    }

    /// The last part of the callee (`run` for `app.run(...)`).
    pub fn method(&self, call: Call<'t>) -> Option<&'t str> {
        self.ix.callee_attr(call.0)
    }

    /// The object a method is called on (`app` for `app.run(...)`).
    pub fn receiver(&self, call: Call<'t>) -> Option<Expr<'t>> {
        PyIndex::receiver(call.0).map(Expr)
    }

    /// The dotted name an expression resolves to through the imports (`flask.Flask`).
    pub fn qualified_name(&self, expr: Expr<'t>) -> Option<String> {
        self.ix.qualified_name(expr.0)
    }

    /// Whether the callee resolves to one of `targets` (a bare name counts when a
    /// `from module import *` of its module could have provided it).
    pub fn calls_any(&self, call: Call<'t>, targets: &[&str]) -> bool {
        PyIndex::callee(call.0).is_some_and(|c| self.ix.refers_to(c, targets))
    }

    /// The callee's resolved name (`werkzeug.serving.run_simple`).
    pub fn callee_name(&self, call: Call<'t>) -> Option<String> {
        PyIndex::callee(call.0).and_then(|c| self.ix.qualified_name(c))
    }

    /// An argument by keyword, or else by its position (before any `*args`).
    pub fn argument(
        &self,
        call: Call<'t>,
        keyword: &str,
        position: Option<usize>,
    ) -> Option<Expr<'t>> {
        self.ix.arg(call.0, keyword, position).map(Expr)
    }

    /// The whole `keyword=value` argument, to underline the pair.
    pub fn keyword_span(&self, call: Call<'t>, keyword: &str) -> Option<Span> {
        self.ix.keyword_argument(call.0, keyword).map(PyIndex::span)
    }

    /// The `keyword=<literal true>` argument of a call, if present.
    pub fn true_keyword(&self, call: Call<'t>, keyword: &str) -> Option<Span> {
        self.ix.true_keyword(call.0, keyword).map(PyIndex::span)
    }

    /// Every `name=value` argument of a call, in order.
    pub fn keywords(&self, call: Call<'t>) -> Vec<Keyword<'t>> {
        let Some(args) = call.0.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        args.named_children(&mut cursor)
            .filter(|a| a.kind() == "keyword_argument")
            .filter_map(|kw| {
                Some(Keyword {
                    name: self.ix.text(kw.child_by_field_name("name")?),
                    value: Expr(kw.child_by_field_name("value")?),
                    span: PyIndex::span(kw),
                })
            })
            .collect()
    }

    /// The value of a literal, following a bare name to its last assignment before use.
    pub fn literal(&self, expr: Expr<'t>) -> Option<Literal> {
        self.ix.literal(expr.0)
    }

    /// Whether an expression is a literal that Python holds true (`True`, a non-zero number).
    pub fn is_true(&self, expr: Expr<'t>) -> bool {
        self.ix.literal(expr.0).is_some_and(|v| v.is_true())
    }

    /// The value of a string literal without interpolation.
    pub fn string_value(&self, expr: Expr<'t>) -> Option<String> {
        self.ix.string_value(expr.0)
    }

    /// A name's value at its use: the right-hand side of its last simple assignment before.
    pub fn assigned_value(&self, name: Expr<'t>) -> Option<Expr<'t>> {
        self.ix.assigned_value(name.0).map(Expr)
    }

    /// The call an expression is, if it is one.
    pub fn as_call(&self, expr: Expr<'t>) -> Option<Call<'t>> {
        expr.is_call().then_some(Call(expr.0))
    }

    /// The first item of a tuple written inline (`("0.0.0.0", 8000)`), else the expression.
    pub fn first_item(&self, expr: Expr<'t>) -> Expr<'t> {
        if expr.0.kind() == "tuple" {
            expr.0.named_child(0).map_or(expr, Expr)
        } else {
            expr
        }
    }

    /// The `key: value` pairs of a dictionary written inline, with each pair's span.
    pub fn dict_items(&self, expr: Expr<'t>) -> Vec<(Expr<'t>, Expr<'t>, Span)> {
        if expr.0.kind() != "dictionary" {
            return Vec::new();
        }
        let mut cursor = expr.0.walk();
        expr.0
            .named_children(&mut cursor)
            .filter_map(|pair| {
                Some((
                    Expr(pair.child_by_field_name("key")?),
                    Expr(pair.child_by_field_name("value")?),
                    PyIndex::span(pair),
                ))
            })
            .collect()
    }

    /// What an assignment stores into.
    pub fn target(&self, assignment: Assignment<'t>) -> Option<Target<'t>> {
        let left = assignment.0.child_by_field_name("left")?;
        match left.kind() {
            "identifier" => Some(Target::Name(self.ix.text(left))),
            "attribute" => Some(Target::Attribute {
                object: Expr(left.child_by_field_name("object")?),
                attribute: self.ix.text(left.child_by_field_name("attribute")?),
            }),
            "subscript" => Some(Target::Subscript {
                value: Expr(left.child_by_field_name("value")?),
                key: Expr(left.child_by_field_name("subscript")?),
            }),
            _ => None,
        }
    }

    /// The value an assignment stores, looking through chains such as `A = B = True`.
    pub fn value(&self, assignment: Assignment<'t>) -> Option<Expr<'t>> {
        self.ix.assignment_value(assignment.0).map(Expr)
    }

    /// The class whose body holds an assignment directly (not inside one of its methods).
    pub fn enclosing_class(&self, assignment: Assignment<'t>) -> Option<&'t str> {
        let scope = PyIndex::enclosing(assignment.0, &["class_definition", "function_definition"])?;
        (scope.kind() == "class_definition")
            .then(|| scope.child_by_field_name("name"))
            .flatten()
            .map(|n| self.ix.text(n))
    }

    /// `<something>.config`: a framework app's configuration mapping.
    pub fn is_config(&self, expr: Expr<'t>) -> bool {
        expr.0.kind() == "attribute"
            && expr
                .0
                .child_by_field_name("attribute")
                .is_some_and(|a| self.ix.text(a) == "config")
    }

    /// A name bound to an app object: assigned from a known app constructor in this file, or
    /// conventionally named `app`/`application`.
    pub fn is_app(&self, object: Expr<'t>) -> bool {
        if !object.is_name() {
            return false;
        }
        if matches!(self.ix.text(object.0), "app" | "application") {
            return true;
        }
        self.ix
            .assigned_value(object.0)
            .filter(|v| v.kind() == "call")
            .and_then(|call| self.ix.qualified_name(PyIndex::callee(call)?))
            .is_some_and(|q| {
                let last = q.rsplit('.').next().unwrap_or(&q);
                APP_CONSTRUCTORS.contains(&last)
            })
    }

    /// `<x>.run(...)`/`<x>.run_server(...)` that is not asyncio's and friends, or bottle's
    /// `run()`.
    pub fn is_run_call(&self, call: Call<'t>) -> bool {
        let Some(callee) = PyIndex::callee(call.0) else {
            return false;
        };
        match PyIndex::receiver(call.0) {
            Some(receiver) => {
                matches!(self.ix.callee_attr(call.0), Some("run" | "run_server"))
                    && !self.ix.qualified_name(receiver).is_some_and(|q| {
                        NOT_WEB_RUNNERS
                            .iter()
                            .any(|m| q == *m || q.starts_with(&format!("{m}.")))
                    })
            }
            None => self.ix.refers_to(callee, &["bottle.run"]),
        }
    }

    /// Calls that start a framework's development server: `app.run()` on an app object or in
    /// a file that imports a framework with such a server. Each as its callee's span.
    pub fn dev_server_calls(&self) -> Vec<Span> {
        let imports_framework = DEV_SERVER_FRAMEWORKS
            .iter()
            .any(|m| self.ix.imports_module(m));
        self.calls()
            .filter(|call| self.is_run_call(*call))
            .filter(|call| {
                imports_framework || self.receiver(*call).is_some_and(|r| self.is_app(r))
            })
            .filter_map(|call| self.callee(call).map(Expr::span))
            .collect()
    }
}

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
