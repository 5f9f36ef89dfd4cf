//! The Python semantic model: what a module's calls, assignments and imports mean, with
//! names resolved through the imports (`F(...)` after `from flask import Flask as F` is a
//! call of `flask.Flask`), literal values followed through simple assignments, and what the
//! web frameworks' objects are (an app, its config, the call that starts its development
//! server). Rules ask it questions; the parse tree it is built on stays inside this module
//! (its handles, `Call`, `Assignment` and `Expr`, are opaque).

mod effects;
pub use effects::{FixedWrite, ListenHost, ModeChange, SocketListen, UmaskSet, listening_names};

use crate::source::Span;
pub use crate::syntax::python::Literal;
use crate::syntax::python::{self, FIELD, PyIndex, PythonFile, kind, parenthesized};
use std::cell::RefCell;
use std::collections::HashMap;
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
        kind(self.0) == "identifier"
    }

    pub fn is_call(self) -> bool {
        kind(self.0) == "call"
    }

    /// The edit that writes this literal `True` (or non-zero number) as off. A name or an
    /// expression gets none: where its value comes from is the author's decision.
    pub fn switch_off(self) -> Vec<crate::edit::Edit> {
        match kind(self.0) {
            "true" => vec![crate::edit::Edit::replace(self.span(), "False")],
            "integer" => vec![crate::edit::Edit::replace(self.span(), "0")],
            _ => Vec::new(),
        }
    }

    /// A literal written as `True`, a number or a name: the only forms whose truth a rule
    /// judges without evaluating anything else.
    pub fn may_be_truthy_literal(self) -> bool {
        matches!(kind(self.0), "true" | "integer" | "identifier")
    }
}

/// A parsed module and its semantic model.
pub struct Semantic<'t> {
    ix: PyIndex<'t>,
    /// Tells what a name imported from another module of the project is (see `with_modules`).
    modules: Option<ModuleResolver<'t>>,
    /// Its answers so far, by qualified name.
    resolved: RefCell<HashMap<String, ObjectKind>>,
}

type ModuleResolver<'t> = Box<dyn Fn(&str) -> ObjectKind + 't>;

/// Parses `text` (never executed) for `Semantic::new`.
pub fn parse(text: &str) -> PythonFile {
    python::parse(text)
}

impl<'t> Semantic<'t> {
    /// The model of a parsed module; None when there is no tree to read.
    pub fn new(file: &'t PythonFile, text: &'t str) -> Option<Semantic<'t>> {
        PyIndex::new(file, text).map(|ix| Semantic {
            ix,
            modules: None,
            resolved: RefCell::new(HashMap::new()),
        })
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

    /// The source text at `span`, as written.
    pub fn text_at(&self, span: Span) -> &'t str {
        self.ix.slice(span)
    }

    /// The function a call calls.
    pub fn callee(&self, call: Call<'t>) -> Option<Expr<'t>> {
        PyIndex::callee(call.0).map(Expr)
    }

    /// The last part of the name the callee resolves to (`run` for `app.run(...)` and for an
    /// imported `run` renamed): a call whose last part no target has can be none of them.
    pub fn callee_last_name(&self, call: Call<'t>) -> Option<&str> {
        self.ix.resolved_callee_attr(call.0)
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
        let Some(args) = call.0.child_by_field_id(FIELD.arguments) else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        args.named_children(&mut cursor)
            .filter(|a| kind(*a) == "keyword_argument")
            .filter_map(|kw| {
                Some(Keyword {
                    name: self.ix.text(kw.child_by_field_id(FIELD.name)?),
                    value: Expr(kw.child_by_field_id(FIELD.value)?),
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
        if kind(expr.0) == "tuple" {
            expr.0.named_child(0).map_or(expr, Expr)
        } else {
            expr
        }
    }

    /// The `key: value` pairs of a dictionary written inline, with each pair's span.
    pub fn dict_items(&self, expr: Expr<'t>) -> Vec<(Expr<'t>, Expr<'t>, Span)> {
        if kind(expr.0) != "dictionary" {
            return Vec::new();
        }
        let mut cursor = expr.0.walk();
        expr.0
            .named_children(&mut cursor)
            .filter_map(|pair| {
                Some((
                    Expr(pair.child_by_field_id(FIELD.key)?),
                    Expr(pair.child_by_field_id(FIELD.value)?),
                    PyIndex::span(pair),
                ))
            })
            .collect()
    }

    /// What an assignment stores into.
    pub fn target(&self, assignment: Assignment<'t>) -> Option<Target<'t>> {
        let left = assignment.0.child_by_field_id(FIELD.left)?;
        match kind(left) {
            "identifier" => Some(Target::Name(self.ix.text(left))),
            "attribute" => Some(Target::Attribute {
                object: Expr(left.child_by_field_id(FIELD.object)?),
                attribute: self.ix.text(left.child_by_field_id(FIELD.attribute)?),
            }),
            "subscript" => Some(Target::Subscript {
                value: Expr(left.child_by_field_id(FIELD.value)?),
                key: Expr(left.child_by_field_id(FIELD.subscript)?),
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
        (kind(scope) == "class_definition")
            .then(|| scope.child_by_field_id(FIELD.name))
            .flatten()
            .map(|n| self.ix.text(n))
    }

    /// `<something>.config`: a framework app's configuration mapping.
    pub fn is_config(&self, expr: Expr<'t>) -> bool {
        kind(expr.0) == "attribute"
            && expr
                .0
                .child_by_field_id(FIELD.attribute)
                .is_some_and(|a| self.ix.text(a) == "config")
    }

    /// What an expression is, as far as the imports, assignments and factory functions of this
    /// module (and, through the module resolver, of the project's other modules) tell.
    pub fn object_kind(&self, expr: Expr<'t>) -> ObjectKind {
        self.kind_of(expr.0, 0)
    }

    /// The framework of an app object: resolved through `object_kind`, or, when that cannot
    /// tell, a name that is conventional for a framework the module imports (`app` beside
    /// `from flask import …`, `socketio` beside `from flask_socketio import …`). A name known
    /// to be something else (a Celery or Typer app) is none.
    pub fn app_framework(&self, object: Expr<'t>) -> Option<Framework> {
        match self.object_kind(object) {
            ObjectKind::App(framework) => Some(framework),
            ObjectKind::Other => None,
            ObjectKind::Unknown => {
                if !object.is_name() {
                    return None;
                }
                let name = self.ix.text(object.0);
                // `app` that nothing in the module binds (a snippet pasted into a file, or a
                // star import that cannot be read) is taken for the Flask app it names by
                // convention; a parameter or an assignment from an unknown call is not.
                if matches!(name, "app" | "application") && self.is_free(object.0) {
                    return Some(Framework::Flask);
                }
                // Beside the framework's import, a conventional name imported from a module
                // that cannot be read counts; one this module assigns from a call it cannot
                // follow, or a parameter, does not.
                if !self.ix.assignments_to(name).is_empty() || self.is_parameter(object.0) {
                    return None;
                }
                CONVENTIONAL_NAMES
                    .iter()
                    .find(|(names, module, _)| {
                        names.contains(&name) && self.ix.imports_module(module)
                    })
                    .map(|(_, _, framework)| *framework)
            }
        }
    }

    /// An app object of any web framework (`x.debug = True` is then about the app).
    pub fn is_app(&self, object: Expr<'t>) -> bool {
        self.app_framework(object).is_some()
    }

    /// `<app>.run(...)` (or Dash's `run_server`) on an object that resolves to a framework app
    /// with such a method; its framework. `subprocess.run`, Fabric's `c.run`, the Docker SDK's
    /// `containers.run` and any receiver that cannot be resolved are none.
    pub fn app_run(&self, call: Call<'t>) -> Option<Framework> {
        let method = self.ix.callee_attr(call.0)?;
        if !matches!(method, "run" | "run_server") {
            return None;
        }
        let receiver = Expr(PyIndex::receiver(call.0)?);
        self.app_framework(receiver).filter(|framework| {
            framework.has_run() && (method == "run" || *framework == Framework::Dash)
        })
    }

    /// Calls that start a development server: `run()` on a Flask, Quart, Dash or Bottle app,
    /// Flask-SocketIO's `run(app, allow_unsafe_werkzeug=True)` (the Werkzeug server), Bottle's
    /// `run()`, Werkzeug's `run_simple` and Django's `call_command("runserver")`. Each as its
    /// callee's span.
    pub fn dev_server_calls(&self) -> Vec<Span> {
        self.calls()
            .filter(|call| self.starts_dev_server(*call))
            .filter_map(|call| self.callee(call).map(Expr::span))
            .collect()
    }

    /// Whether a call starts a development server (see `dev_server_calls`).
    pub fn starts_dev_server(&self, call: Call<'t>) -> bool {
        if let Some(framework) = self.app_run(call) {
            return match framework {
                Framework::SocketIo => self
                    .argument(call, "allow_unsafe_werkzeug", None)
                    .is_some_and(|v| self.is_true(v)),
                other => other.run_is_dev_server(),
            };
        }
        if PyIndex::receiver(call.0).is_none() && self.calls_any(call, &["bottle.run"]) {
            return true;
        }
        if self.calls_any(call, DEV_SERVER_FUNCTIONS) {
            return true;
        }
        self.calls_any(call, CALL_COMMAND)
            && self
                .argument(call, "", Some(0))
                .and_then(|name| self.string_value(name))
                .is_some_and(|name| name == "runserver")
    }

    /// Answers questions about names imported from the project's other modules
    /// (`from app import create_app`): `resolve` gets the qualified name and tells what it is.
    /// Answers are cached, so each imported name is looked up at most once.
    pub fn with_modules(mut self, resolve: impl Fn(&str) -> ObjectKind + 't) -> Self {
        self.modules = Some(Box::new(resolve));
        self
    }

    /// What a module-level name of this module is (`app`, or `create_app`'s result), for the
    /// module resolver of a module that imports it.
    pub fn exported_kind(&self, name: &str) -> ObjectKind {
        if let Some(function) = self.ix.function(name)
            && PyIndex::is_module_level(function)
        {
            return self.returns_kind(function, 0);
        }
        if let Some(last) = self
            .ix
            .assignments_to(name)
            .iter()
            .rev()
            .find(|a| PyIndex::is_module_level(**a))
            && let Some(value) = self.ix.assignment_value(*last)
        {
            return self.kind_of(value, 0);
        }
        match self.ix.imported(name) {
            Some(qualified) => self.kind_of_qualified(qualified),
            None => ObjectKind::Unknown,
        }
    }

    fn kind_of(&self, node: Node<'t>, depth: u8) -> ObjectKind {
        if depth > MAX_RESOLVE_DEPTH {
            return ObjectKind::Unknown;
        }
        match kind(node) {
            "parenthesized_expression" => parenthesized(node)
                .map_or(ObjectKind::Unknown, |inner| self.kind_of(inner, depth + 1)),
            "identifier" => {
                if let Some(value) = self.binding(node) {
                    return self.kind_of(value, depth + 1);
                }
                let name = self.ix.text(node);
                if let Some(qualified) = self.ix.imported(name) {
                    return self.kind_of_qualified(qualified);
                }
                // `from myapp import *` may have provided it.
                self.ix
                    .star_imports()
                    .iter()
                    .map(|module| {
                        let joined = if module.ends_with('.') {
                            format!("{module}{name}")
                        } else {
                            format!("{module}.{name}")
                        };
                        self.kind_of_qualified(&joined)
                    })
                    .find(|kind| *kind != ObjectKind::Unknown)
                    .unwrap_or(ObjectKind::Unknown)
            }
            "attribute" => {
                // `mypkg.app`, `flask.current_app`: a module's attribute …
                if let Some(head) = leftmost_name(node)
                    && self.ix.imported(self.ix.text(head)).is_some()
                    && let Some(qualified) = self.ix.qualified_name(node)
                {
                    return self.kind_of_qualified(&qualified);
                }
                // … or an object's: `client.containers` is the Docker SDK's when `client` is.
                match node.child_by_field_id(FIELD.object) {
                    Some(object) if self.kind_of(object, depth + 1) == ObjectKind::Other => {
                        ObjectKind::Other
                    }
                    _ => ObjectKind::Unknown,
                }
            }
            "call" => self.call_kind(node, depth),
            _ => ObjectKind::Unknown,
        }
    }

    /// What a call returns: an app from its framework's constructor, something else from a
    /// known non-web library, a factory's result from its `return`s.
    fn call_kind(&self, call: Node<'t>, depth: u8) -> ObjectKind {
        let Some(callee) = PyIndex::callee(call) else {
            return ObjectKind::Unknown;
        };
        if let Some(framework) = self.constructed_framework(callee) {
            return ObjectKind::App(framework);
        }
        if kind(callee) == "identifier"
            && self.ix.imported(self.ix.text(callee)).is_none()
            && let Some(function) = self.ix.function(self.ix.text(callee))
        {
            return self.returns_kind(function, depth + 1);
        }
        match kind(callee) {
            "identifier" => match self.ix.imported(self.ix.text(callee)) {
                Some(qualified) => self.kind_of_qualified(qualified),
                None => ObjectKind::Unknown,
            },
            "attribute" => {
                if let Some(head) = leftmost_name(callee)
                    && self.ix.imported(self.ix.text(head)).is_some()
                    && let Some(qualified) = self.ix.qualified_name(callee)
                {
                    return self.kind_of_qualified(&qualified);
                }
                // A method of a known non-web object returns another (`docker.from_env()`).
                match callee.child_by_field_id(FIELD.object) {
                    Some(object) if self.kind_of(object, depth + 1) == ObjectKind::Other => {
                        ObjectKind::Other
                    }
                    _ => ObjectKind::Unknown,
                }
            }
            _ => ObjectKind::Unknown,
        }
    }

    /// The framework whose app class (or app factory) `callee` names: `flask.Flask` through
    /// the imports, or a bare `Flask` that nothing in the module defines.
    fn constructed_framework(&self, callee: Node<'t>) -> Option<Framework> {
        let qualified = self.ix.qualified_name(callee)?;
        let bare = !qualified.contains('.')
            && self.ix.function(&qualified).is_none()
            && self.ix.assignments_to(&qualified).is_empty();
        APP_CLASSES.iter().find_map(|(names, framework)| {
            names
                .iter()
                .any(|n| {
                    *n == qualified
                        || self.ix.refers_to(callee, &[n])
                        || bare && n.rsplit('.').next() == Some(qualified.as_str())
                })
                .then_some(*framework)
        })
    }

    /// What a name imported as `qualified` is: something from a known non-web library, nothing
    /// known from a framework module (`flask.current_app`), else what the project's module
    /// defining it says.
    fn kind_of_qualified(&self, qualified: &str) -> ObjectKind {
        let top = qualified.split('.').next().unwrap_or(qualified);
        if !qualified.starts_with('.') {
            if NOT_WEB_MODULES.contains(&top) {
                return ObjectKind::Other;
            }
            if KNOWN_WEB_MODULES.contains(&top) {
                return ObjectKind::Unknown;
            }
        }
        let Some(resolve) = &self.modules else {
            return ObjectKind::Unknown;
        };
        if let Some(known) = self.resolved.borrow().get(qualified) {
            return *known;
        }
        let kind = resolve(qualified);
        self.resolved
            .borrow_mut()
            .insert(qualified.to_string(), kind);
        kind
    }

    /// What a function returns: an app if any `return` gives one, else something else if one
    /// is known to, else unknown.
    fn returns_kind(&self, function: Node<'t>, depth: u8) -> ObjectKind {
        let kinds: Vec<ObjectKind> = self
            .ix
            .returned_values(function)
            .into_iter()
            .map(|value| self.kind_of(value, depth + 1))
            .collect();
        kinds
            .iter()
            .find(|k| matches!(k, ObjectKind::App(_)))
            .or_else(|| kinds.iter().find(|k| **k == ObjectKind::Other))
            .copied()
            .unwrap_or(ObjectKind::Unknown)
    }

    /// The value a name holds where it is used: its last simple assignment before, or, for a
    /// use inside a function (which runs later), its last module-level assignment.
    fn binding(&self, name: Node<'t>) -> Option<Node<'t>> {
        if let Some(value) = self.ix.assigned_value(name) {
            return Some(value);
        }
        if PyIndex::is_module_level(name) {
            return None;
        }
        let last = self
            .ix
            .assignments_to(self.ix.text(name))
            .iter()
            .rev()
            .find(|a| PyIndex::is_module_level(**a))?;
        self.ix.assignment_value(*last)
    }
}

/// The function a call runs, when it can be told.
pub enum CalledFunction {
    /// `main()` for a `def main()` in the same module.
    Local(String),
    /// `main()` after `from pkg import main`, or `pkg.main()` after `import pkg`: the
    /// qualified name (`pkg.main`).
    Imported(String),
}

impl<'t> Semantic<'t> {
    /// The calls that run when the module is executed as a script: those outside any function
    /// or class body (including the `if __name__ == "__main__":` block).
    pub fn top_level_calls(&self) -> Vec<Call<'t>> {
        self.calls()
            .filter(|c| {
                PyIndex::enclosing(c.0, &["function_definition", "class_definition", "lambda"])
                    .is_none()
            })
            .collect()
    }

    /// The calls inside the body of the module-level function `name` (none when there is no
    /// such function).
    pub fn calls_in_function(&self, name: &str) -> Vec<Call<'t>> {
        let Some(function) = self.ix.function(name) else {
            return Vec::new();
        };
        let range = function.byte_range();
        self.calls()
            .filter(|c| range.contains(&c.0.start_byte()))
            .collect()
    }

    /// Whether the module defines a function `name`.
    pub fn defines_function(&self, name: &str) -> bool {
        self.ix.function(name).is_some()
    }

    /// The qualified name a local name was imported as (`main` → `pkg.cli.main`).
    pub fn imported_as(&self, name: &str) -> Option<&str> {
        self.ix.imported(name)
    }

    /// The function a call runs: a function of this module or a name imported from another.
    pub fn called_function(&self, call: Call<'t>) -> Option<CalledFunction> {
        let callee = PyIndex::callee(call.0)?;
        match kind(callee) {
            "identifier" => {
                let name = self.ix.text(callee);
                if let Some(qualified) = self.ix.imported(name) {
                    return Some(CalledFunction::Imported(qualified.to_string()));
                }
                self.ix
                    .function(name)
                    .map(|_| CalledFunction::Local(name.to_string()))
            }
            "attribute" => {
                let head = leftmost_name(callee)?;
                self.ix.imported(self.ix.text(head))?;
                self.ix.qualified_name(callee).map(CalledFunction::Imported)
            }
            _ => None,
        }
    }

    /// Whether nothing in the module binds a name where it is used: no assignment, no import,
    /// no function definition, no parameter of an enclosing function, no star import.
    fn is_free(&self, name: Node<'t>) -> bool {
        let text = self.ix.text(name);
        self.ix.assignments_to(text).is_empty()
            && self.ix.imported(text).is_none()
            && self.ix.function(text).is_none()
            && self.ix.star_imports().is_empty()
            && !self.is_parameter(name)
    }

    /// Whether a name is a parameter of a function (or lambda) it is used in.
    fn is_parameter(&self, name: Node<'t>) -> bool {
        let text = self.ix.text(name);
        let mut scope = PyIndex::enclosing(name, &["function_definition", "lambda"]);
        while let Some(function) = scope {
            if let Some(parameters) = function.child_by_field_id(FIELD.parameters) {
                let mut cursor = parameters.walk();
                let named = parameters.named_children(&mut cursor).any(|p| {
                    let id = if kind(p) == "identifier" {
                        Some(p)
                    } else {
                        p.child_by_field_id(FIELD.name).or_else(|| p.named_child(0))
                    };
                    id.is_some_and(|id| kind(id) == "identifier" && self.ix.text(id) == text)
                });
                if named {
                    return true;
                }
            }
            scope = PyIndex::enclosing(function, &["function_definition", "lambda"]);
        }
        false
    }
}

/// The leftmost name of `a.b.c`.
fn leftmost_name(mut node: Node<'_>) -> Option<Node<'_>> {
    loop {
        match kind(node) {
            "identifier" => return Some(node),
            "attribute" => node = node.child_by_field_id(FIELD.object)?,
            _ => return None,
        }
    }
}

/// How far a name is followed through assignments, factories and modules.
const MAX_RESOLVE_DEPTH: u8 = 12;

/// What an object is, as far as the code tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A web framework's app (or Flask-SocketIO's server object).
    App(Framework),
    /// Known to be something else: a Celery or Typer app, a subprocess, a Fabric connection,
    /// a Docker client, an event loop.
    Other,
    /// Nothing in the code tells.
    Unknown,
}

/// The web frameworks whose app objects the model recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Flask,
    Quart,
    Dash,
    Bottle,
    Sanic,
    /// Flask-SocketIO's `SocketIO(app)`: `run(app)` starts eventlet or gevent when installed,
    /// else refuses Werkzeug's development server unless `allow_unsafe_werkzeug=True`.
    SocketIo,
    FastApi,
    Starlette,
    Aiohttp,
    Tornado,
}

impl Framework {
    /// Whether its app has a `run()` that starts a server.
    pub fn has_run(self) -> bool {
        matches!(
            self,
            Framework::Flask
                | Framework::Quart
                | Framework::Dash
                | Framework::Bottle
                | Framework::Sanic
                | Framework::SocketIo
        )
    }

    /// Whether that `run()` is a development server (Sanic's is its production server).
    pub fn run_is_dev_server(self) -> bool {
        matches!(
            self,
            Framework::Flask | Framework::Quart | Framework::Dash | Framework::Bottle
        )
    }

    /// Where `run()` takes `debug` by position: Flask's and Quart's `run(host, port, debug)`.
    pub fn debug_position(self) -> Option<usize> {
        matches!(self, Framework::Flask | Framework::Quart).then_some(2)
    }

    /// Where `run()` takes the host by position (Flask-SocketIO's `run(app, host, port)`).
    pub fn host_position(self) -> usize {
        if self == Framework::SocketIo { 1 } else { 0 }
    }
}

/// App classes and factories, by qualified name.
const APP_CLASSES: &[(&[&str], Framework)] = &[
    (&["flask.Flask", "flask.app.Flask"], Framework::Flask),
    (&["quart.Quart", "quart.app.Quart"], Framework::Quart),
    (&["dash.Dash", "dash.dash.Dash"], Framework::Dash),
    (
        &["bottle.Bottle", "bottle.default_app", "bottle.app"],
        Framework::Bottle,
    ),
    (&["sanic.Sanic", "sanic.app.Sanic"], Framework::Sanic),
    (&["flask_socketio.SocketIO"], Framework::SocketIo),
    (
        &["fastapi.FastAPI", "fastapi.applications.FastAPI"],
        Framework::FastApi,
    ),
    (
        &["starlette.applications.Starlette", "starlette.Starlette"],
        Framework::Starlette,
    ),
    (&["aiohttp.web.Application"], Framework::Aiohttp),
    (&["tornado.web.Application"], Framework::Tornado),
];

/// Names conventional for a framework's app, trusted only beside an import of the framework
/// when nothing else tells what the object is.
const CONVENTIONAL_NAMES: &[(&[&str], &str, Framework)] = &[
    (&["socketio", "sio"], "flask_socketio", Framework::SocketIo),
    (&["app", "application"], "flask", Framework::Flask),
    (&["app", "application"], "quart", Framework::Quart),
    (&["app", "application"], "dash", Framework::Dash),
    (&["app", "application"], "bottle", Framework::Bottle),
    (&["app", "application"], "sanic", Framework::Sanic),
];

/// Libraries whose objects have `run` methods (with `debug` or an address) that are not web
/// servers: task queues, CLIs, processes, remote execution, containers, event loops, tests.
const NOT_WEB_MODULES: &[&str] = &[
    "subprocess",
    "asyncio",
    "trio",
    "anyio",
    "uvloop",
    "unittest",
    "contextvars",
    "multiprocessing",
    "threading",
    "concurrent",
    "sched",
    "runpy",
    "doctest",
    "pytest",
    "os",
    "sys",
    "shutil",
    "celery",
    "dramatiq",
    "rq",
    "huey",
    "typer",
    "click",
    "fire",
    "fabric",
    "invoke",
    "paramiko",
    "plumbum",
    "sh",
    "docker",
    "podman",
    "ansible_runner",
    "prefect",
    "luigi",
    "apscheduler",
    "schedule",
];

/// Framework and server modules: a name imported from one is not a project module to look up.
const KNOWN_WEB_MODULES: &[&str] = &[
    "flask",
    "quart",
    "dash",
    "bottle",
    "sanic",
    "flask_socketio",
    "fastapi",
    "starlette",
    "aiohttp",
    "tornado",
    "django",
    "werkzeug",
    "uvicorn",
    "hypercorn",
    "granian",
    "waitress",
    "bjoern",
    "cheroot",
    "gunicorn",
];

/// Functions that start a development server whatever their receiver.
const DEV_SERVER_FUNCTIONS: &[&str] = &["werkzeug.serving.run_simple", "werkzeug.run_simple"];

/// Django's `call_command`, which `call_command("runserver")` makes the development server.
/// The string values of a Python text (each literal's and each concatenation's, as a parse
/// would give them), found by a scan without a parse: for triggers that must not miss one.
pub fn string_values(text: &str, each: &mut impl FnMut(&str)) {
    crate::syntax::python_tokens::string_values(text, each);
}

pub const CALL_COMMAND: &[&str] = &[
    "django.core.management.call_command",
    "django.core.management.base.call_command",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind of each `.run()` receiver in `src`, in order, with `modules` answering for
    /// imported project names.
    fn run_receivers(src: &str, modules: &[(&str, ObjectKind)]) -> Vec<Option<Framework>> {
        let file = parse(src);
        let modules: Vec<(String, ObjectKind)> =
            modules.iter().map(|(q, k)| (q.to_string(), *k)).collect();
        let semantic = Semantic::new(&file, src).unwrap().with_modules(move |q| {
            modules
                .iter()
                .find(|(name, _)| name == q)
                .map_or(ObjectKind::Unknown, |(_, kind)| *kind)
        });
        semantic
            .calls()
            .filter(|c| semantic.method(*c) == Some("run"))
            .map(|c| semantic.app_run(c))
            .collect()
    }

    #[test]
    fn receivers_resolve_through_imports_assignments_and_factories() {
        let src = "\
from flask import Flask as F
import quart
from pkg import create_app, socketio, worker
import subprocess as sp

a = F(__name__)
a.run()
b = quart.Quart(__name__)
b.run()
c = create_app()
c.run()
socketio.run(c)
worker.run()
sp.run('x')
unknown.run()
def local_factory():
    app = F(__name__)
    def nested():
        return Celery()
    return app
local_factory().run()
";
        let flask = ObjectKind::App(Framework::Flask);
        assert_eq!(
            run_receivers(
                src,
                &[
                    ("pkg.create_app", flask),
                    ("pkg.socketio", ObjectKind::App(Framework::SocketIo)),
                    ("pkg.worker", ObjectKind::Other),
                ]
            ),
            [
                Some(Framework::Flask),
                Some(Framework::Quart),
                Some(Framework::Flask),
                Some(Framework::SocketIo),
                None,
                None,
                None,
                Some(Framework::Flask),
            ]
        );
    }

    #[test]
    fn non_web_objects_and_parameters_stay_quiet() {
        let src = "\
import flask
from celery import Celery
import docker
app = Celery('tasks')
app.run()
client = docker.from_env()
client.containers.run('img')
def task(application):
    application.run()
";
        assert_eq!(run_receivers(src, &[]), [None, None, None]);
    }

    #[test]
    fn exported_kind_follows_functions_assignments_and_re_exports() {
        let src = "\
from flask import Flask
from .factory import make
def create_app(config=None):
    if config:
        return None
    app = Flask(__name__)
    return app
app = create_app()
";
        let file = parse(src);
        let semantic = Semantic::new(&file, src).unwrap().with_modules(|q| {
            if q == ".factory.make" {
                ObjectKind::App(Framework::Sanic)
            } else {
                ObjectKind::Unknown
            }
        });
        let flask = ObjectKind::App(Framework::Flask);
        assert_eq!(semantic.exported_kind("create_app"), flask);
        assert_eq!(semantic.exported_kind("app"), flask);
        assert_eq!(
            semantic.exported_kind("make"),
            ObjectKind::App(Framework::Sanic)
        );
        assert_eq!(semantic.exported_kind("missing"), ObjectKind::Unknown);
    }

    #[test]
    fn dev_servers_are_the_development_ones() {
        let src = "\
from flask import Flask
from flask_socketio import SocketIO
from sanic import Sanic
from werkzeug.serving import run_simple
from django.core.management import call_command
app = Flask(__name__)
sio = SocketIO(app)
fast = Sanic('x')
app.run()
sio.run(app)
sio.run(app, allow_unsafe_werkzeug=True)
fast.run()
run_simple('localhost', 5000, app)
call_command('runserver')
call_command('migrate')
";
        let file = parse(src);
        let semantic = Semantic::new(&file, src).unwrap();
        let lines: Vec<&str> = semantic
            .dev_server_calls()
            .into_iter()
            .map(|span| &src[span.start..span.end])
            .collect();
        assert_eq!(lines, ["app.run", "sio.run", "run_simple", "call_command"]);
    }

    /// The receivers and calls issue 11 names beside Flask: Tornado apps (through a factory),
    /// Sanic (aliased, through a factory), Flask-SocketIO with the Werkzeug server allowed by a
    /// name, Django's `call_command` imported as a module or an alias, and look-alikes that are
    /// not servers.
    #[test]
    fn framework_receivers_beyond_flask() {
        let src = "\
import tornado.web
from sanic import Sanic as S
from flask import Flask
from flask_socketio import SocketIO
from django.core import management
from django.core.management import call_command as cc
from granian import Granian
def make_app():
    return tornado.web.Application([])
def create_app():
    return S('svc')
tornado_app = make_app()
sanic_app = create_app()
sanic_app.run()
flask_app = Flask(__name__)
sio = SocketIO(flask_app)
UNSAFE = True
sio.run(flask_app, allow_unsafe_werkzeug=UNSAFE)
management.call_command('runserver')
cc('runserver', '8000')
Granian('main:app').serve()
def call_command(name):
    pass
call_command('runserver')
";
        let file = parse(src);
        let semantic = Semantic::new(&file, src).unwrap();
        let kinds: Vec<ObjectKind> = ["tornado_app", "sanic_app"]
            .iter()
            .map(|name| semantic.exported_kind(name))
            .collect();
        assert_eq!(
            kinds,
            [
                ObjectKind::App(Framework::Tornado),
                ObjectKind::App(Framework::Sanic)
            ]
        );
        let runs: Vec<Option<Framework>> = semantic
            .calls()
            .filter(|c| semantic.method(*c) == Some("run"))
            .map(|c| semantic.app_run(c))
            .collect();
        assert_eq!(runs, [Some(Framework::Sanic), Some(Framework::SocketIo)]);
        let dev: Vec<&str> = semantic
            .dev_server_calls()
            .into_iter()
            .map(|span| &src[span.start..span.end])
            .collect();
        // Sanic's `run` is its production server; Granian is not a development server; the
        // module's own `call_command` is not Django's.
        assert_eq!(dev, ["sio.run", "management.call_command", "cc"]);
    }
}
