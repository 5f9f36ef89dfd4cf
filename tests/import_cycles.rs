//! The crate's top-level modules import each other without a cycle: the graph of
//! `crate::X` references between the modules of `src/` (test code left out) is acyclic.
//! A cycle is printed with the references that make it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Edges between top-level modules, each with the references that make it (file and path).
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// Whether an item is compiled only for tests (`#[cfg(test)]`).
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

/// Collects the crate paths one module refers to.
struct References<'g> {
    /// The module's path below the crate root (`["rules", "user"]`).
    module: Vec<String>,
    file: String,
    known: &'g BTreeSet<String>,
    graph: &'g mut Graph,
}

impl References<'_> {
    /// Records a path given as its segments, resolving `crate` and `super`.
    fn reference(&mut self, segments: &[String]) {
        let Some(top) = self.top_level_target(segments) else {
            return;
        };
        let from = &self.module[0];
        if top == *from || !self.known.contains(&top) {
            return;
        }
        self.graph
            .entry(from.clone())
            .or_default()
            .entry(top)
            .or_default()
            .insert(format!("{}: {}", self.file, segments.join("::")));
    }

    /// The top-level module a path lands in, when it leaves the crate root.
    fn top_level_target(&self, segments: &[String]) -> Option<String> {
        match segments.first().map(String::as_str) {
            Some("crate") => segments.get(1).cloned(),
            Some("super") => {
                let supers = segments.iter().take_while(|s| *s == "super").count();
                if supers >= self.module.len() {
                    segments.get(supers).cloned()
                } else {
                    // Still inside the same top-level module.
                    None
                }
            }
            _ => None,
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            // `use crate::kinds::{self, ...}` names the module itself.
            syn::UseTree::Name(n) if n.ident == "self" => self.reference(&prefix.clone()),
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.reference(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.reference(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.reference(&prefix.clone()),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    /// Macro arguments are tokens to syn: look for `crate :: name` in them.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let flat: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, token) in flat.iter().enumerate() {
            match token {
                proc_macro2::TokenTree::Group(group) => self.tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) if ident == "crate" => {
                    let colons = flat.get(i + 1..i + 3).is_some_and(|pair| {
                        pair.iter().all(
                            |t| matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ':'),
                        )
                    });
                    if let (true, Some(proc_macro2::TokenTree::Ident(name))) =
                        (colons, flat.get(i + 3))
                    {
                        self.reference(&["crate".to_string(), name.to_string()]);
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for References<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if !is_test_only(&item.attrs) {
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.reference(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    // Test-only items and inline modules are walked by `walk_items`.
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if let syn::Item::Mod(_) = item {
            return;
        }
        if item_attrs(item).is_some_and(is_test_only) {
            return;
        }
        syn::visit::visit_item(self, item);
    }
}

fn item_attrs(item: &syn::Item) -> Option<&[syn::Attribute]> {
    Some(match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => return None,
    })
}

/// Walks a module's items, descending into inline and file modules that are not test-only.
fn walk_items(
    items: &[syn::Item],
    module: &[String],
    dir: &Path,
    file: &Path,
    known: &BTreeSet<String>,
    graph: &mut Graph,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    for item in items {
        if item_attrs(item).is_some_and(is_test_only) {
            continue;
        }
        match item {
            syn::Item::Mod(m) => {
                let mut inner = module.to_vec();
                inner.push(m.ident.to_string());
                match &m.content {
                    Some((_, items)) => walk_items(
                        items,
                        &inner,
                        &dir.join(m.ident.to_string()),
                        file,
                        known,
                        graph,
                    ),
                    None => {
                        let (path, inner_dir) = module_file(dir, &m.ident.to_string());
                        walk_file(&path, &inner, &inner_dir, known, graph);
                    }
                }
            }
            item if !module.is_empty() => {
                References {
                    module: module.to_vec(),
                    file: shown.clone(),
                    known,
                    graph,
                }
                .visit_item(item);
            }
            // Items of the crate root itself belong to no top-level module.
            _ => {}
        }
    }
}

/// `dir/name.rs` (children in `dir/name/`) or `dir/name/mod.rs`.
fn module_file(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let flat = dir.join(format!("{name}.rs"));
    if flat.is_file() {
        (flat, dir.join(name))
    } else {
        (dir.join(name).join("mod.rs"), dir.join(name))
    }
}

fn walk_file(
    path: &Path,
    module: &[String],
    dir: &Path,
    known: &BTreeSet<String>,
    graph: &mut Graph,
) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file =
        syn::parse_file(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
    walk_items(&file.items, module, dir, path, known, graph);
}

/// The module import graph of the library crate.
fn import_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = syn::parse_file(&std::fs::read_to_string(src.join("lib.rs")).unwrap()).unwrap();
    let known: BTreeSet<String> = lib
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut graph = Graph::new();
    walk_items(
        &lib.items,
        &[],
        &src,
        &src.join("lib.rs"),
        &known,
        &mut graph,
    );
    graph
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn connect<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flat_map(|e| e.keys()) {
            if !s.index.contains_key(w.as_str()) {
                connect(s, w);
                let low = s.low[w.as_str()].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.index[w.as_str()].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            connect(&mut state, v);
        }
    }
    state.out
}

/// One concrete cycle through `start` inside `component` (breadth-first, so the shortest).
fn shortest_cycle(graph: &Graph, component: &[String], start: &str) -> Vec<String> {
    let inside = |m: &str| component.iter().any(|c| c == m);
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            if w == start {
                let mut path = vec![v.to_string()];
                let mut at = v;
                while at != start {
                    at = previous[at];
                    path.push(at.to_string());
                }
                path.reverse();
                path.push(start.to_string());
                return path;
            }
            if inside(w) && !previous.contains_key(w.as_str()) {
                previous.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    unreachable!("a strongly connected component has a cycle through each member")
}

/// Cycles known and owned by other work, each to be removed from this list by the change
/// that breaks it (the test fails when a listed cycle is gone, so the list cannot rot).
/// kinds ⇄ model: name detection uses systemd's unit types, and gunicorn placement detects
/// its neighbours by name; the per-format front-end table (issue 9) takes both apart.
const KNOWN_CYCLES: &[&[&str]] = &[];

#[test]
fn no_import_cycles_between_top_level_modules() {
    let graph = import_graph();
    let mut found = cycles(&graph);
    for known in KNOWN_CYCLES {
        let Some(at) = found.iter().position(|c| c == known) else {
            panic!("the known cycle {known:?} is gone: remove it from KNOWN_CYCLES");
        };
        found.remove(at);
    }
    let mut report = String::new();
    for component in &found {
        let cycle = shortest_cycle(&graph, component, &component[0]);
        report.push_str(&format!(
            "modules {{{}}} import each other, for example {}:\n",
            component.join(", "),
            cycle.join(" -> ")
        ));
        for pair in cycle.windows(2) {
            for reference in &graph[&pair[0]][&pair[1]] {
                report.push_str(&format!("  {} -> {}: {reference}\n", pair[0], pair[1]));
            }
        }
    }
    assert!(found.is_empty(), "import cycles:\n{report}");
}

/// The graph builder sees what it must: a test that cannot fail is a defect.
#[test]
fn import_graph_sees_known_references() {
    let graph = import_graph();
    let edge = |from: &str, to: &str| graph.get(from).is_some_and(|e| e.contains_key(to));
    // `use crate::diagnostic::...` in the engine, `crate::discover::` in an expression.
    assert!(edge("engine", "diagnostic"));
    assert!(edge("engine", "discover"));
    // Nothing the crate root itself holds counts, nor test-only code (rules/testing.rs uses
    // the engine under `#[cfg(test)]`).
    assert!(!graph.contains_key("lib"));
    assert!(!edge("rules", "engine"));

    let made_up: Graph = BTreeMap::from([
        ("a".into(), BTreeMap::from([("b".into(), BTreeSet::new())])),
        ("b".into(), BTreeMap::from([("c".into(), BTreeSet::new())])),
        ("c".into(), BTreeMap::from([("a".into(), BTreeSet::new())])),
    ]);
    let found = cycles(&made_up);
    assert_eq!(found, [["a", "b", "c"]]);
    assert_eq!(
        shortest_cycle(&made_up, &found[0], "a"),
        ["a", "b", "c", "a"]
    );
}
