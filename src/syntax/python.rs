//! Python front end: a tree-sitter parse (error-tolerant, so half-written files still lint) and
//! an index of the calls, assignments and imports that rules ask about.

use crate::source::Span;
use crate::syntax::python_tokens;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;
use tree_sitter::{Language, Node, Parser, Tree};

/// The grammar, made once: `Language::new` copies nothing, but every caller would otherwise
/// repeat the version check `set_language` does.
fn language() -> &'static Language {
    static LANGUAGE: LazyLock<Language> =
        LazyLock::new(|| Language::new(tree_sitter_python::LANGUAGE));
    &LANGUAGE
}

/// The grammar's field ids, resolved once: `child_by_field_name` looks the name up (a linear
/// `strncmp` over every field) on each call, and the model asks for fields on every node.
pub struct Fields {
    pub alias: u16,
    pub arguments: u16,
    pub attribute: u16,
    pub body: u16,
    pub condition: u16,
    pub consequence: u16,
    pub definition: u16,
    pub function: u16,
    pub key: u16,
    pub left: u16,
    pub module_name: u16,
    pub name: u16,
    pub object: u16,
    pub operator: u16,
    pub parameters: u16,
    pub right: u16,
    pub subscript: u16,
    pub superclasses: u16,
    pub value: u16,
}

pub static FIELD: LazyLock<Fields> = LazyLock::new(|| {
    let id = |name: &str| language().field_id_for_name(name).map_or(0, |id| id.get());
    Fields {
        alias: id("alias"),
        arguments: id("arguments"),
        attribute: id("attribute"),
        body: id("body"),
        condition: id("condition"),
        consequence: id("consequence"),
        definition: id("definition"),
        function: id("function"),
        key: id("key"),
        left: id("left"),
        module_name: id("module_name"),
        name: id("name"),
        object: id("object"),
        operator: id("operator"),
        parameters: id("parameters"),
        right: id("right"),
        subscript: id("subscript"),
        superclasses: id("superclasses"),
        value: id("value"),
    }
});

/// A node's kind name, as `Node::kind` gives it, from a table made once: `Node::kind` measures
/// and checks the C string as UTF-8 on every call.
pub fn kind<'t>(node: Node<'t>) -> &'t str {
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let language = language();
        (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect()
    });
    NAMES
        .get(usize::from(node.kind_id()))
        .copied()
        .unwrap_or_else(|| node.kind())
}

pub struct PythonFile {
    tree: Option<Tree>,
}

impl std::fmt::Debug for PythonFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonFile").finish_non_exhaustive()
    }
}

pub fn parse(text: &str) -> PythonFile {
    thread_local! {
        // One parser per thread, its language set once: a parser keeps its stacks and lexer
        // buffers between files. Each parse starts afresh (no old tree is passed).
        static PARSER: RefCell<Option<Parser>> = RefCell::new({
            let mut parser = Parser::new();
            // The grammar is compiled in; a failure here would be a build defect, and
            // tree-sitter returns None only on cancellation, so both degrade to "nothing to
            // lint".
            parser.set_language(language()).ok().map(|()| parser)
        });
    }
    let tree = PARSER.with(|parser| {
        // A parse that re-enters (never today) gets a parser of its own.
        match parser.try_borrow_mut() {
            Ok(mut parser) => parser.as_mut()?.parse(text, None),
            Err(_) => {
                let mut parser = Parser::new();
                parser.set_language(language()).ok()?;
                parser.parse(text, None)
            }
        }
    });
    PythonFile { tree }
}

impl PythonFile {
    /// The module-level `if __name__ == "__main__":` blocks (either operand order, any
    /// quotes): code that runs only when the file is executed, never when it is imported.
    pub fn main_blocks(&self, src: &str) -> Vec<Span> {
        let Some(tree) = &self.tree else {
            return Vec::new();
        };
        let root = tree.root_node();
        let mut cursor = root.walk();
        root.named_children(&mut cursor)
            .filter(|n| kind(*n) == "if_statement")
            .filter(|n| {
                n.child_by_field_id(FIELD.condition).is_some_and(|c| {
                    let text: String = c
                        .utf8_text(src.as_bytes())
                        .unwrap_or("")
                        .chars()
                        .filter(|ch| !ch.is_whitespace() && !matches!(ch, '\'' | '"' | '(' | ')'))
                        .collect();
                    text == "__name__==__main__" || text == "__main__==__name__"
                })
            })
            // Only the guarded body: an `else:` branch runs on import.
            .map(|n| {
                let end = n
                    .child_by_field_id(FIELD.consequence)
                    .map_or(n.end_byte(), |c| c.end_byte());
                Span::new(n.start_byte(), end)
            })
            .collect()
    }

    /// Nodes tree-sitter could not parse (`ERROR`) or had to invent (`MISSING`): a fix must
    /// not add any.
    pub fn error_count(&self) -> usize {
        self.count_nodes(|n| n.is_error() || n.is_missing())
    }

    /// The spans of every string literal, as the parser sees them (`python_tokens` finds
    /// them without a parse; this is what it is checked against).
    #[cfg(test)]
    pub fn string_spans_all(&self) -> Vec<Span> {
        let mut out = Vec::new();
        self.count_nodes(|n| {
            if kind(n) == "string" {
                out.push(PyIndex::span(n));
            }
            false
        });
        out
    }

    /// Walks every node without recursion, counting those `pick` accepts.
    fn count_nodes(&self, mut pick: impl FnMut(Node<'_>) -> bool) -> usize {
        let Some(tree) = &self.tree else {
            return 0;
        };
        let mut count = 0;
        let mut cursor = tree.walk();
        loop {
            if pick(cursor.node()) {
                count += 1;
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return count;
                }
            }
        }
    }
}

/// A literal value as far as it can be known without running the code.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i128),
    Str(String),
    None,
    Tuple(Vec<Option<Literal>>),
}

impl Literal {
    /// Python truthiness of a literal boolean or number. Strings are not judged here: a
    /// `debug="false"` keyword is truthy to Python but is not what the author meant.
    pub fn is_true(&self) -> bool {
        match self {
            Literal::Bool(b) => *b,
            Literal::Int(i) => *i != 0,
            _ => false,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// What rules read from a parsed module. Built once per file.
pub struct PyIndex<'t> {
    src: &'t str,
    /// Every `call` node, in source order.
    pub calls: Vec<Node<'t>>,
    /// Every `assignment` node (`a = b`, `a.b = c`, `a[b] = c`), in source order.
    pub assignments: Vec<Node<'t>>,
    /// Simple `name = value` assignments by name, in source order, so following a name to its
    /// value does not scan the whole file.
    by_name: HashMap<&'t str, Vec<Node<'t>>>,
    /// Local name → fully qualified name it was imported as (`F` → `flask.Flask`).
    imports: HashMap<String, String>,
    /// Modules imported with `from m import *`.
    star_imports: Vec<String>,
    /// Function definitions by name, in source order (a factory such as `create_app`).
    functions: HashMap<&'t str, Vec<Node<'t>>>,
    /// The last module-level class of each name (subclasses of a server class are looked up
    /// for every call of a bare name).
    classes: HashMap<&'t str, Node<'t>>,
}

impl<'t> PyIndex<'t> {
    pub fn new(file: &'t PythonFile, src: &'t str) -> Option<Self> {
        let tree = file.tree.as_ref()?;
        let mut index = PyIndex {
            src,
            calls: Vec::new(),
            assignments: Vec::new(),
            by_name: HashMap::new(),
            imports: HashMap::new(),
            star_imports: Vec::new(),
            functions: HashMap::new(),
            classes: HashMap::new(),
        };
        let root = tree.root_node();
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            let definition = if kind(statement) == "decorated_definition" {
                statement
                    .child_by_field_id(FIELD.definition)
                    .unwrap_or(statement)
            } else {
                statement
            };
            if kind(definition) == "class_definition"
                && let Some(name) = definition.child_by_field_id(FIELD.name)
            {
                index.classes.insert(index.text(name), definition);
            }
        }
        let mut cursor = tree.walk();
        // Iterative pre-order walk: deeply nested expressions must not overflow the stack.
        'walk: loop {
            let node = cursor.node();
            match kind(node) {
                "call" => index.calls.push(node),
                "assignment" => {
                    if let Some(left) = node.child_by_field_id(FIELD.left)
                        && kind(left) == "identifier"
                    {
                        let name = index.text(left);
                        index.by_name.entry(name).or_default().push(node);
                    }
                    index.assignments.push(node);
                }
                "function_definition" => {
                    if let Some(name) = node.child_by_field_id(FIELD.name) {
                        let name = index.text(name);
                        index.functions.entry(name).or_default().push(node);
                    }
                }
                "import_statement" => index.record_import(node),
                "import_from_statement" => index.record_import_from(node),
                _ => {}
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        Some(index)
    }

    pub fn text(&self, node: Node<'t>) -> &'t str {
        node.utf8_text(self.src.as_bytes()).unwrap_or("")
    }

    /// The source text at `span` (empty when it is not a span of this file).
    pub fn slice(&self, span: Span) -> &'t str {
        self.src.get(span.range()).unwrap_or("")
    }

    pub fn span(node: Node<'_>) -> Span {
        Span::new(node.start_byte(), node.end_byte())
    }

    fn record_import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            match kind(name) {
                // `import a.b` binds `a`, and `a.b.c` then resolves to itself.
                "dotted_name" => {
                    let full = self.text(name);
                    let first = full.split('.').next().unwrap_or(full);
                    self.imports.insert(first.to_string(), first.to_string());
                }
                "aliased_import" => {
                    if let (Some(n), Some(alias)) = (
                        name.child_by_field_id(FIELD.name),
                        name.child_by_field_id(FIELD.alias),
                    ) {
                        self.imports
                            .insert(self.text(alias).to_string(), self.text(n).to_string());
                    }
                }
                _ => {}
            }
        }
    }

    fn record_import_from(&mut self, node: Node<'t>) {
        let Some(module) = node.child_by_field_id(FIELD.module_name) else {
            return;
        };
        let module = self.text(module).to_string();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if kind(child) == "wildcard_import" {
                self.star_imports.push(module.clone());
            }
        }
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (imported, local) = match kind(name) {
                "dotted_name" => (self.text(name), self.text(name)),
                "aliased_import" => match (
                    name.child_by_field_id(FIELD.name),
                    name.child_by_field_id(FIELD.alias),
                ) {
                    (Some(n), Some(a)) => (self.text(n), self.text(a)),
                    _ => continue,
                },
                _ => continue,
            };
            // `from . import x` names `.x`, not `..x`.
            let qualified = if module.ends_with('.') {
                format!("{module}{imported}")
            } else {
                format!("{module}.{imported}")
            };
            self.imports.insert(local.to_string(), qualified);
        }
    }

    /// The fully qualified name a local name was imported as (`F` → `flask.Flask`).
    pub fn imported(&self, local: &str) -> Option<&str> {
        self.imports.get(local).map(String::as_str)
    }

    /// The modules star-imported (`from m import *`), in source order.
    pub fn star_imports(&self) -> &[String] {
        &self.star_imports
    }

    /// The last definition of function `name` outside any class (a method of the same name
    /// is not what a bare `name()` calls).
    pub fn function(&self, name: &str) -> Option<Node<'t>> {
        self.functions
            .get(name)?
            .iter()
            .rev()
            .find(|f| Self::enclosing(**f, &["class_definition"]).is_none())
            .copied()
    }

    /// The values a function's `return` statements give, outside nested functions and lambdas.
    pub fn returned_values(&self, function: Node<'t>) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let Some(body) = function.child_by_field_id(FIELD.body) else {
            return out;
        };
        let mut cursor = body.walk();
        'walk: loop {
            let node = cursor.node();
            let nested = node != body
                && matches!(
                    kind(node),
                    "function_definition" | "lambda" | "class_definition"
                );
            if kind(node) == "return_statement"
                && let Some(value) = node.named_child(0)
            {
                out.push(value);
            }
            if !nested && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node() == body {
                    break 'walk;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        out
    }

    /// Whether any import names `module` or one of its submodules.
    pub fn imports_module(&self, module: &str) -> bool {
        let within =
            |q: &str| q == module || q.starts_with(module) && q[module.len()..].starts_with('.');
        self.imports.values().any(|q| within(q)) || self.star_imports.iter().any(|m| within(m))
    }

    /// The dotted name of an expression such as `a.b.c`, with its first part resolved through
    /// the imports. A name that was not imported is returned as written, or, when a star import
    /// could have provided it, qualified by that module if `star_candidates` lists it.
    pub fn qualified_name(&self, node: Node<'t>) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = node;
        loop {
            match kind(cur) {
                "identifier" => {
                    parts.push(self.text(cur));
                    break;
                }
                "attribute" => {
                    parts.push(self.text(cur.child_by_field_id(FIELD.attribute)?));
                    cur = cur.child_by_field_id(FIELD.object)?;
                }
                _ => return None,
            }
        }
        parts.reverse();
        let head = parts[0];
        let qualified_head = self
            .imports
            .get(head)
            .cloned()
            .unwrap_or_else(|| head.to_string());
        let mut out = qualified_head;
        for part in &parts[1..] {
            out.push('.');
            out.push_str(part);
        }
        Some(out)
    }

    /// Like `qualified_name`, but also true for a bare name that a `from m import *` of one of
    /// `modules` could have provided.
    pub fn refers_to(&self, node: Node<'t>, targets: &[&str]) -> bool {
        // Compared part by part from the right, without building the qualified name: this is
        // asked of every call, for several lists of targets.
        if kind(node) == "identifier" {
            let head = self.text(node);
            let q = self.imports.get(head).map_or(head, String::as_str);
            return targets.iter().any(|t| {
                q == *t
                    || (!q.contains('.')
                        && t.rsplit_once('.').is_some_and(|(module, name)| {
                            name == q && self.star_imports.iter().any(|m| m == module)
                        }))
            });
        }
        targets.iter().any(|t| self.is_qualified(node, t))
    }

    /// Whether `qualified_name(node)` is `target`.
    fn is_qualified(&self, node: Node<'t>, target: &str) -> bool {
        let mut rest = target;
        let mut cur = node;
        loop {
            match kind(cur) {
                "identifier" => {
                    let head = self.text(cur);
                    return rest == self.imports.get(head).map_or(head, String::as_str);
                }
                "attribute" => {
                    let (Some(attribute), Some(object)) = (
                        cur.child_by_field_id(FIELD.attribute),
                        cur.child_by_field_id(FIELD.object),
                    ) else {
                        return false;
                    };
                    let Some(before) = rest
                        .strip_suffix(self.text(attribute))
                        .and_then(|r| r.strip_suffix('.'))
                    else {
                        return false;
                    };
                    rest = before;
                    cur = object;
                }
                _ => return false,
            }
        }
    }

    /// The last module-level class named `name` (a decorated one included).
    pub fn module_class(&self, name: &str) -> Option<Node<'t>> {
        self.classes.get(name).copied()
    }

    /// The function being called.
    pub fn callee(call: Node<'t>) -> Option<Node<'t>> {
        call.child_by_field_id(FIELD.function)
    }

    /// Last segment of the callee (`run` for `app.run(...)`).
    pub fn callee_attr(&self, call: Node<'t>) -> Option<&'t str> {
        let f = Self::callee(call)?;
        match kind(f) {
            "attribute" => Some(self.text(f.child_by_field_id(FIELD.attribute)?)),
            "identifier" => Some(self.text(f)),
            _ => None,
        }
    }

    /// The last part of the name a callee resolves to through the imports: `run` for
    /// `app.run(...)`, and for `go(...)` after `from uvicorn import run as go`.
    pub fn resolved_callee_attr(&self, call: Node<'t>) -> Option<&str> {
        let f = Self::callee(call)?;
        match kind(f) {
            "attribute" => Some(self.text(f.child_by_field_id(FIELD.attribute)?)),
            "identifier" => {
                let head = self.text(f);
                Some(self.imports.get(head).map_or(head, |q| {
                    q.rsplit_once('.').map_or(q.as_str(), |(_, last)| last)
                }))
            }
            _ => None,
        }
    }

    /// The receiver of a method call (`app` for `app.run(...)`).
    pub fn receiver(call: Node<'t>) -> Option<Node<'t>> {
        let f = Self::callee(call)?;
        (kind(f) == "attribute").then(|| f.child_by_field_id(FIELD.object))?
    }

    /// An argument by keyword, or else by position (positional arguments before any `*args`).
    /// Returns the keyword_argument's value or the positional expression.
    pub fn argument(
        call: Node<'t>,
        keyword: &str,
        position: Option<usize>,
        src: &str,
    ) -> Option<Node<'t>> {
        let args = call.child_by_field_id(FIELD.arguments)?;
        let mut cursor = args.walk();
        let mut positional = 0;
        let mut positional_hit = None;
        let mut seen_splat = false;
        for arg in args.named_children(&mut cursor) {
            match kind(arg) {
                "keyword_argument" => {
                    let name = arg.child_by_field_id(FIELD.name)?;
                    if name.utf8_text(src.as_bytes()).ok()? == keyword {
                        return arg.child_by_field_id(FIELD.value);
                    }
                }
                "list_splat" | "dictionary_splat" => seen_splat = true,
                "comment" => {}
                _ => {
                    if !seen_splat && Some(positional) == position {
                        positional_hit = Some(arg);
                    }
                    positional += 1;
                }
            }
        }
        positional_hit
    }

    pub fn arg(&self, call: Node<'t>, keyword: &str, position: Option<usize>) -> Option<Node<'t>> {
        Self::argument(call, keyword, position, self.src)
    }

    /// The keyword_argument node (`debug=True`) for a keyword, to underline the whole pair.
    pub fn keyword_argument(&self, call: Node<'t>, keyword: &str) -> Option<Node<'t>> {
        let args = call.child_by_field_id(FIELD.arguments)?;
        let mut cursor = args.walk();
        args.named_children(&mut cursor).find(|arg| {
            kind(*arg) == "keyword_argument"
                && arg
                    .child_by_field_id(FIELD.name)
                    .is_some_and(|n| self.text(n) == keyword)
        })
    }

    /// The keyword_argument `keyword=<literal true>` of a call, if present.
    pub fn true_keyword(&self, call: Node<'t>, keyword: &str) -> Option<Node<'t>> {
        self.keyword_argument(call, keyword).filter(|kw| {
            kw.child_by_field_id(FIELD.value)
                .and_then(|v| self.literal(v))
                .is_some_and(|v| v.is_true())
        })
    }

    /// Evaluates a literal; a bare name is followed to its last plain assignment before use.
    pub fn literal(&self, node: Node<'t>) -> Option<Literal> {
        self.literal_depth(node, 0)
    }

    fn literal_depth(&self, node: Node<'t>, depth: usize) -> Option<Literal> {
        if depth > 8 {
            return None;
        }
        match kind(node) {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            "none" => Some(Literal::None),
            "integer" => parse_int(self.text(node)).map(Literal::Int),
            "string" | "concatenated_string" => self.string_value(node).map(Literal::Str),
            "parenthesized_expression" => self.literal_depth(parenthesized(node)?, depth + 1),
            "tuple" => {
                let mut cursor = node.walk();
                let items = node
                    .named_children(&mut cursor)
                    .filter(|n| kind(*n) != "comment")
                    .map(|n| self.literal_depth(n, depth + 1))
                    .collect();
                Some(Literal::Tuple(items))
            }
            "identifier" => {
                let value = self.assigned_value(node)?;
                self.literal_depth(value, depth + 1)
            }
            _ => None,
        }
    }

    /// The simple `name = value` assignments to `name`, in source order.
    pub fn assignments_to(&self, name: &str) -> &[Node<'t>] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The value an assignment stores, looking through chains such as `A = B = True`.
    pub fn assignment_value(&self, assignment: Node<'t>) -> Option<Node<'t>> {
        let mut right = assignment.child_by_field_id(FIELD.right)?;
        while kind(right) == "assignment" {
            right = right.child_by_field_id(FIELD.right)?;
        }
        Some(right)
    }

    /// The right-hand side of the last simple `name = value` before `name_node`.
    pub fn assigned_value(&self, name_node: Node<'t>) -> Option<Node<'t>> {
        let assignments = self.by_name.get(self.text(name_node))?;
        let before = assignments.partition_point(|a| a.start_byte() < name_node.start_byte());
        self.assignment_value(*assignments[..before].last()?)
    }

    /// The value of a string literal without interpolation (f-strings with `{}` and byte
    /// strings give None).
    pub fn string_value(&self, node: Node<'t>) -> Option<String> {
        if kind(node) == "concatenated_string" {
            let mut cursor = node.walk();
            let mut out = String::new();
            for part in node.named_children(&mut cursor) {
                if kind(part) == "string" {
                    out.push_str(&self.string_value(part)?);
                }
            }
            return Some(out);
        }
        if kind(node) != "string" {
            return None;
        }
        // The text between the quotes, read from the bytes: the grammar drops the content
        // node of some literals (`r'\\'`), and marks no escapes in raw strings.
        let mut prefix = "";
        let mut body_start = node.start_byte();
        let mut body_end = node.end_byte();
        let mut cursor = node.walk();
        for part in node.children(&mut cursor) {
            match kind(part) {
                "string_start" => {
                    prefix = self.text(part);
                    body_start = part.end_byte();
                }
                // The grammar may count escaped backslashes before the quote into the end.
                "string_end" => body_end = part.end_byte().saturating_sub(quote_length(prefix)),
                "interpolation" => return None,
                "string_content" => {
                    let mut inner = part.walk();
                    if part
                        .children(&mut inner)
                        .any(|c| kind(c) == "interpolation")
                    {
                        return None;
                    }
                }
                _ => {}
            }
        }
        let quotes = prefix.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let prefix = &prefix[..prefix.len() - quotes.len()];
        python_tokens::decode(prefix, self.src.get(body_start..body_end)?).map(Cow::into_owned)
    }

    /// The innermost enclosing node of one of `kinds`.
    pub fn enclosing(node: Node<'t>, kinds: &[&str]) -> Option<Node<'t>> {
        let mut cur = node.parent();
        while let Some(n) = cur {
            if kinds.contains(&kind(n)) {
                return Some(n);
            }
            cur = n.parent();
        }
        None
    }

    /// Whether an assignment sits at module level (not inside a function or class).
    pub fn is_module_level(node: Node<'t>) -> bool {
        Self::enclosing(node, &["function_definition", "class_definition", "lambda"]).is_none()
    }
}

/// The expression inside parentheses, past any comment before it (`(  # why\n "x")`).
pub fn parenthesized(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|n| kind(*n) != "comment")
}

/// The length of a literal's quotes (1 or 3) from its `string_start` (`rb"""`).
fn quote_length(start: &str) -> usize {
    start
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .len()
}

fn parse_int(text: &str) -> Option<i128> {
    let t = text.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = lower.strip_prefix("0o") {
        i128::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()
    } else {
        lower.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_index<R>(src: &str, f: impl FnOnce(&PyIndex<'_>) -> R) -> R {
        let file = parse(src);
        let index = PyIndex::new(&file, src).expect("tree");
        f(&index)
    }

    /// The string literals and values `python_tokens` finds without a parse, compared with
    /// the parser's on a text: the same spans, and the same values (each literal's and each
    /// concatenation's). Texts the parser cannot read whole are not compared.
    fn tokens_agree_with_parser(src: &str) -> Result<(), String> {
        let file = parse(src);
        if file.error_count() > 0 {
            return Ok(());
        }
        let Some(index) = PyIndex::new(&file, src) else {
            return Ok(());
        };
        let spans = crate::syntax::python_tokens::string_spans(src);
        let mut parsed_spans = file.string_spans_all();
        parsed_spans.sort_by_key(|s| s.start);
        // The grammar reads Python 2's `repr` backticks as a string; Python 3 has none.
        if parsed_spans.iter().any(|s| src[s.start..].starts_with('`')) {
            return Ok(());
        }
        if spans != parsed_spans {
            let first = spans
                .iter()
                .zip(&parsed_spans)
                .find(|(a, b)| a != b)
                .map(|(a, b)| {
                    (
                        src[a.start..a.end].to_string(),
                        src[b.start..b.end].to_string(),
                    )
                });
            return Err(format!("spans differ, first: {first:?}"));
        }
        let mut parsed = Vec::new();
        let mut cursor = file.tree.as_ref().expect("a tree").walk();
        'walk: loop {
            let n = cursor.node();
            if matches!(kind(n), "string" | "concatenated_string")
                && let Some(v) = index.string_value(n)
            {
                parsed.push(v);
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        let mut scanned = Vec::new();
        crate::syntax::python_tokens::string_values(src, &mut |v| scanned.push(v.to_string()));
        // A concatenation's parts are counted once each; a run of one literal is the literal.
        parsed.sort();
        scanned.sort();
        if parsed != scanned {
            let missing: Vec<_> = parsed
                .iter()
                .filter(|v| !scanned.contains(v))
                .take(3)
                .collect();
            let extra: Vec<_> = scanned
                .iter()
                .filter(|v| !parsed.contains(v))
                .take(3)
                .collect();
            return Err(format!(
                "values differ: parser only {missing:?}, scan only {extra:?}"
            ));
        }
        Ok(())
    }

    #[test]
    fn tokens_agree_with_parser_on_tricky_literals() {
        let src = concat!(
            r#"a = r'\n' + u"\n" + '\'' + "\x41" + """x"y""" + Rb"c" + r'\\' + '\\'"#,
            "\n",
            r#"b = ('0.0.' # c"#,
            "\n",
            r#"  "0.0") + f'{x!r:>{w}}' f"{{y}}" + F'z' 'w' + f"\{6*7}" + f'{a["b"]}'"#,
            "\n",
            r#"c = f"{d['k']}" + '#' # 'no'"#,
            "\n",
            r#"def f():
    """Doc 'quoted' \"""" 
    return '' \
        "" f"a" f"{b}" "c"
"#,
        );
        assert_eq!(parse(src).error_count(), 0, "the sample must parse whole");
        tokens_agree_with_parser(src).unwrap();
    }

    /// Every Python file of the fixtures, and of `DEPLOYLINT_TOKENS_TREE` when set (a
    /// standard library, say), scans as it parses.
    #[test]
    fn tokens_agree_with_parser_on_files() {
        let mut roots = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        roots.extend(std::env::var_os("DEPLOYLINT_TOKENS_TREE").map(Into::into));
        let mut compared = 0;
        let mut failures = Vec::new();
        for root in roots {
            for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "py") {
                    continue;
                }
                let Ok(src) = std::fs::read_to_string(path) else {
                    continue;
                };
                compared += 1;
                if let Err(why) = tokens_agree_with_parser(&src) {
                    failures.push(format!("{}: {why}", path.display()));
                }
            }
        }
        assert!(compared > 100, "only {compared} files compared");
        assert!(
            failures.is_empty(),
            "{} files differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// A raw string's backslashes are text; the grammar's tree for `r'\\'` has no content
    /// node, which once made its value empty.
    #[test]
    fn raw_strings_keep_their_backslashes() {
        for (literal, value) in [
            (r"r'\n'", r"\n"),
            (r"r'\\'", r"\\"),
            (r"R'a\\b'", r"a\\b"),
            (r"'\\'", r"\"),
            (r"'a\nb'", "a\nb"),
            (r"'\x41'", r"\x41"),
        ] {
            let src = format!("key = {literal}\n");
            with_index(&src, |ix| {
                let right = ix.assignments[0].child_by_field_id(FIELD.right).unwrap();
                assert_eq!(ix.string_value(right).as_deref(), Some(value), "{literal}");
            });
        }
    }

    /// DBG001's prefilter (`may_set_debug`) looks for the word `DEBUG` because no escape
    /// decodes to a letter here; decoding `\x44` or a line continuation must widen it first.
    #[test]
    fn escapes_spell_no_letter() {
        for key in ["'\\x44EBUG'", "'\\u0044EBUG'", "'\\104EBUG'", "'DEB\\\nUG'"] {
            let src = format!("key = {key}\n");
            with_index(&src, |ix| {
                let right = ix.assignments[0].child_by_field_id(FIELD.right).unwrap();
                assert_eq!(kind(right), "string", "{key}");
                assert_ne!(ix.string_value(right).as_deref(), Some("DEBUG"), "{key}");
            });
        }
    }

    #[test]
    fn resolves_imports_and_literals() {
        let src = "from http.server import HTTPServer as S\nimport socketserver\naddr = ('0.0.0.0', 80)\nS(addr, H)\nsocketserver.TCPServer(('', 1), H)\n";
        with_index(src, |ix| {
            let names: Vec<_> = ix
                .calls
                .iter()
                .filter_map(|c| ix.qualified_name(PyIndex::callee(*c)?))
                .collect();
            assert_eq!(names, ["http.server.HTTPServer", "socketserver.TCPServer"]);
            let first = ix.arg(ix.calls[0], "server_address", Some(0)).unwrap();
            assert_eq!(
                ix.literal(first),
                Some(Literal::Tuple(vec![
                    Some(Literal::Str("0.0.0.0".into())),
                    Some(Literal::Int(80))
                ]))
            );
        });
    }

    #[test]
    fn strings_with_prefixes_and_interpolation() {
        with_index(
            "a = r'/tmp/x'\nb = f'/tmp/{x}'\nc = '/tmp/' 'y'\nd = b'x'\n",
            |ix| {
                let values: Vec<_> = ix
                    .assignments
                    .iter()
                    .map(|a| ix.literal(a.child_by_field_id(FIELD.right).unwrap()))
                    .collect();
                assert_eq!(values[0], Some(Literal::Str("/tmp/x".into())));
                assert_eq!(values[1], None);
                assert_eq!(values[2], Some(Literal::Str("/tmp/y".into())));
                assert_eq!(values[3], None);
            },
        );
    }

    #[test]
    fn tolerates_half_written_code() {
        with_index("app.run(debug=True)\ndef broken(:\n    x = [1, 2\n", |ix| {
            assert!(!ix.calls.is_empty());
        });
    }

    #[test]
    fn ids_resolved_once_agree_with_the_names() {
        let fields = &*FIELD;
        for (name, id) in [
            ("alias", fields.alias),
            ("arguments", fields.arguments),
            ("attribute", fields.attribute),
            ("body", fields.body),
            ("condition", fields.condition),
            ("consequence", fields.consequence),
            ("definition", fields.definition),
            ("function", fields.function),
            ("key", fields.key),
            ("left", fields.left),
            ("module_name", fields.module_name),
            ("name", fields.name),
            ("object", fields.object),
            ("operator", fields.operator),
            ("parameters", fields.parameters),
            ("right", fields.right),
            ("subscript", fields.subscript),
            ("superclasses", fields.superclasses),
            ("value", fields.value),
        ] {
            assert_ne!(id, 0, "{name} is no field of the grammar");
            assert_eq!(language().field_name_for_id(id), Some(name));
        }
        // Every node, named or not (keywords share names with nodes: `lambda`, `print`).
        let src = "import a.b as c\nfrom . import *\n@d\nclass K(B):\n    def f(self, x=1, *a, **k):\n        return lambda y: (y, f'{x!r}', b'\\n', None, True)\nprint(not 1 if 2 else 3 // 4)\nwith open(p) as f: exec('x')\n";
        let file = parse(src);
        let tree = file.tree.as_ref().expect("tree");
        let mut cursor = tree.walk();
        let mut seen = 0;
        'walk: loop {
            let node = cursor.node();
            assert_eq!(kind(node), node.kind());
            seen += 1;
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        assert!(seen > 100, "{seen}");
    }

    #[test]
    fn refers_to_agrees_with_the_qualified_name() {
        let src = "import http.server\nimport socketserver as ss\nfrom a.b import C as D\nfrom m import *\nfrom . import e\nhttp.server.HTTPServer()\nss.TCPServer()\nD()\nD.x.y()\nrun()\ne.f()\nf()[0]()\nx.socketserver.TCPServer()\nclass K(D): pass\n@dec\nclass K(ss.TCPServer): pass\n";
        let targets = [
            "http.server.HTTPServer",
            "socketserver.TCPServer",
            "a.b.C",
            "a.b.C.x.y",
            "m.run",
            "n.run",
            ".e.f",
            "e.f",
            "C",
            "D",
            "server.HTTPServer",
            "x.socketserver.TCPServer",
        ];
        with_index(src, |ix| {
            let mut hits = 0;
            for call in &ix.calls {
                let callee = PyIndex::callee(*call).expect("callee");
                for target in targets {
                    let by_name = ix.qualified_name(callee).is_some_and(|q| {
                        q == target
                            || (!q.contains('.')
                                && target.rsplit_once('.').is_some_and(|(module, name)| {
                                    name == q && ix.star_imports().iter().any(|m| m == module)
                                }))
                    });
                    assert_eq!(ix.refers_to(callee, &[target]), by_name, "{target}");
                    hits += usize::from(by_name);
                }
            }
            assert_eq!(hits, 7);
            let last = ix.module_class("K").expect("class K");
            assert!(ix.text(last).contains("TCPServer"));
        });
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
        let file = parse(&src);
        let _ = PyIndex::new(&file, &src);
    }
}
