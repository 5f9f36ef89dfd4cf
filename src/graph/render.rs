//! `deploylint graph`'s output: each launcher with what it runs, as whom, where it listens,
//! its environment, its findings and its class with the evidence; the reverse proxies with the
//! launchers they reach and the directories web servers serve as files; as text, JSON, Mermaid
//! or Graphviz dot.

use super::{Class, Graph, Launcher};
use crate::diagnostic::Diagnostic;
use crate::model::listen::Endpoint;
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

/// A launcher as `graph` shows it.
#[derive(Serialize)]
struct Node<'a> {
    id: String,
    file: String,
    line: usize,
    command: &'a str,
    started_by: &'a str,
    program: &'a str,
    service: Option<&'a str>,
    runs: Option<Runs>,
    user: Option<&'a str>,
    listen: &'a [String],
    environment: &'a [String],
    class: Class,
    evidence: &'a [String],
    findings: Vec<String>,
}

#[derive(Serialize)]
struct Runs {
    entry: String,
    as_main: bool,
    object: Option<String>,
    file: Option<String>,
}

impl Runs {
    /// The picture's edge: the node it points at (the file, else the entry as written) and
    /// how the launcher reaches it.
    fn edge(&self) -> (String, &'static str) {
        let target = self.file.clone().unwrap_or_else(|| self.entry.clone());
        let how = if self.as_main {
            "runs as __main__"
        } else {
            "imports"
        };
        (target, how)
    }
}

#[derive(Serialize)]
struct FileNode<'a> {
    path: String,
    class: Class,
    evidence: &'a [String],
}

/// A reverse proxy's backend as `graph` shows it, with the launchers listening there.
#[derive(Serialize)]
struct ProxyNode<'a> {
    id: String,
    file: String,
    line: usize,
    directive: &'a str,
    upstream: Option<&'a str>,
    backend: String,
    reaches: Vec<Reach>,
}

#[derive(Serialize)]
struct Reach {
    launcher: String,
    via: &'static str,
}

/// A directory a web server serves as files.
#[derive(Serialize)]
struct ServedNode<'a> {
    id: String,
    file: String,
    line: usize,
    uri: &'a str,
    dir: &'a str,
    holds_app: Option<&'a str>,
}

#[derive(Serialize)]
struct Document<'a> {
    launchers: Vec<Node<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    proxies: Vec<ProxyNode<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    served: Vec<ServedNode<'a>>,
    files: Vec<FileNode<'a>>,
}

fn served_nodes(graph: &Graph) -> Vec<ServedNode<'_>> {
    graph
        .proxies
        .served
        .iter()
        .enumerate()
        .map(|(i, s)| ServedNode {
            id: format!("S{}", i + 1),
            file: slash(&s.path),
            line: s.line,
            uri: &s.uri,
            dir: &s.dir,
            holds_app: s.holds_app.as_deref(),
        })
        .collect()
}

fn proxy_nodes(graph: &Graph) -> Vec<ProxyNode<'_>> {
    graph
        .proxies
        .list
        .iter()
        .enumerate()
        .map(|(i, p)| ProxyNode {
            id: format!("P{}", i + 1),
            file: slash(&p.path),
            line: p.line,
            directive: &p.directive,
            upstream: p.upstream.as_deref(),
            backend: match &p.endpoint {
                Endpoint::Tcp { host, port } => match port {
                    Some(port) if host.contains(':') => format!("[{host}]:{port}"),
                    Some(port) => format!("{host}:{port}"),
                    None => host.clone(),
                },
                Endpoint::Unix(path) => format!("unix:{path}"),
            },
            reaches: graph
                .proxies
                .edges_from(i)
                .map(|e| Reach {
                    launcher: format!("L{}", e.launcher + 1),
                    via: e.via.as_str(),
                })
                .collect(),
        })
        .collect()
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn nodes<'a>(graph: &'a Graph, findings: &[Diagnostic]) -> Vec<Node<'a>> {
    graph
        .launchers
        .iter()
        .enumerate()
        .map(|(i, l): (usize, &Launcher)| {
            let entry_file = l.entry_file.as_deref();
            let findings = findings
                .iter()
                .filter(|d| {
                    (d.path == l.file
                        && l.fact.span.start <= d.span.start
                        && d.span.end <= l.fact.span.end)
                        || entry_file == Some(d.path.as_path())
                })
                .map(|d| format!("{} {}: {}", d.code, slash(&d.path), d.message))
                .collect();
            Node {
                id: format!("L{}", i + 1),
                file: slash(&l.file),
                line: l.fact.line,
                command: &l.fact.command,
                started_by: &l.fact.origin,
                program: &l.fact.program,
                service: l.fact.service.as_deref(),
                runs: l.fact.runs.as_ref().map(|r| Runs {
                    entry: r.entry.as_str().to_string(),
                    as_main: r.as_main,
                    object: r.object.clone(),
                    file: entry_file.map(slash),
                }),
                user: l.fact.user.as_deref(),
                listen: &l.fact.listen,
                environment: &l.fact.env,
                class: l.class,
                evidence: &l.evidence,
                findings,
            }
        })
        .collect()
}

fn file_nodes(graph: &Graph) -> Vec<FileNode<'_>> {
    let mut files: Vec<FileNode<'_>> = graph
        .files()
        .filter(|(_, class, _)| *class != Class::Unknown)
        .map(|(path, class, evidence)| FileNode {
            path: slash(path),
            class,
            evidence,
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Text,
    Json,
    Mermaid,
    Dot,
}

/// Writes the graph in `format`; `findings` are the run's findings (each listed under the
/// launcher whose command or entry file it is in).
pub fn render(
    graph: &Graph,
    findings: &[Diagnostic],
    format: GraphFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    let nodes = nodes(graph, findings);
    let proxies = proxy_nodes(graph);
    let served = served_nodes(graph);
    match format {
        GraphFormat::Json => {
            let doc = Document {
                launchers: nodes,
                proxies,
                served,
                files: file_nodes(graph),
            };
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
            writeln!(out)
        }
        GraphFormat::Text => text(&nodes, &proxies, &served, out),
        GraphFormat::Mermaid => mermaid(&nodes, &proxies, &served, out),
        GraphFormat::Dot => dot(&nodes, &proxies, &served, out),
    }
}

fn text(
    nodes: &[Node<'_>],
    proxies: &[ProxyNode<'_>],
    served: &[ServedNode<'_>],
    out: &mut dyn Write,
) -> io::Result<()> {
    if nodes.is_empty() {
        writeln!(out, "no launchers found")?;
    }
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{}:{}: {} [{}]",
            n.file,
            n.line,
            n.command,
            n.class.as_str()
        )?;
        writeln!(out, "  started by: {}", n.started_by)?;
        if let Some(service) = n.service {
            writeln!(out, "  service:    {service}")?;
        }
        match &n.runs {
            Some(r) => writeln!(
                out,
                "  runs:       {}{}{} -> {}",
                r.entry,
                r.object
                    .as_deref()
                    .map(|o| format!(":{o}"))
                    .unwrap_or_default(),
                if r.as_main {
                    " (as __main__)"
                } else {
                    " (imported)"
                },
                r.file.as_deref().unwrap_or("not found in the project"),
            )?,
            None => writeln!(out, "  runs:       {}", n.program)?,
        }
        writeln!(out, "  user:       {}", n.user.unwrap_or("not set"))?;
        if !n.listen.is_empty() {
            writeln!(out, "  listens:    {}", n.listen.join(", "))?;
        }
        if !n.environment.is_empty() {
            writeln!(out, "  env:        {}", n.environment.join(" "))?;
        }
        for e in n.evidence {
            writeln!(out, "  because:    {e}")?;
        }
        for f in &n.findings {
            writeln!(out, "  finding:    {f}")?;
        }
    }
    for p in proxies {
        writeln!(out)?;
        writeln!(out, "{}:{}: {} [proxy]", p.file, p.line, p.directive)?;
        if let Some(upstream) = p.upstream {
            writeln!(out, "  upstream:   {upstream}")?;
        }
        writeln!(out, "  backend:    {}", p.backend)?;
        for r in &p.reaches {
            let n = nodes.iter().find(|n| n.id == r.launcher);
            if let Some(n) = n {
                writeln!(
                    out,
                    "  proxies to: {}:{}: {} ({})",
                    n.file, n.line, n.command, r.via
                )?;
            }
        }
        if p.reaches.is_empty() {
            writeln!(
                out,
                "  proxies to: no launcher of the project listens there"
            )?;
        }
    }
    for s in served {
        writeln!(out)?;
        writeln!(
            out,
            "{}:{}: serves {} as files [files]",
            s.file, s.line, s.uri
        )?;
        writeln!(out, "  from:       {}", s.dir)?;
        if let Some(app) = s.holds_app {
            writeln!(out, "  app code:   {app}")?;
        }
    }
    Ok(())
}

/// Text safe inside a Mermaid or dot label (quotes and brackets would end it).
fn label(text: &str) -> String {
    text.replace('"', "'")
        .replace(['[', ']', '{', '}', '<', '>', '|'], " ")
}

fn entry_id(file: &str, ids: &mut Vec<String>) -> String {
    match ids.iter().position(|f| f == file) {
        Some(i) => format!("F{}", i + 1),
        None => {
            ids.push(file.to_string());
            format!("F{}", ids.len())
        }
    }
}

fn mermaid(
    nodes: &[Node<'_>],
    proxies: &[ProxyNode<'_>],
    served: &[ServedNode<'_>],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    let mut files = Vec::new();
    for n in nodes {
        let user = n
            .user
            .map(|u| format!("<br/>user: {}", label(u)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}[\"{}:{}<br/>{}{}<br/>{}\"]:::{}",
            n.id,
            label(&n.file),
            n.line,
            label(n.command),
            user,
            n.class.as_str(),
            n.class.as_str()
        )?;
        if let Some(r) = &n.runs {
            let (target, how) = r.edge();
            let id = entry_id(&target, &mut files);
            let object = r
                .object
                .as_deref()
                .map(|o| format!(" {o}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} -->|{}{}| {}[\"{}\"]",
                n.id,
                how,
                label(&object),
                id,
                label(&target)
            )?;
        }
    }
    for p in proxies {
        writeln!(
            out,
            "  {}[\"{}:{}<br/>{}\"]:::proxy",
            p.id,
            label(&p.file),
            p.line,
            label(p.directive)
        )?;
        for r in &p.reaches {
            writeln!(out, "  {} -->|proxies to, {}| {}", p.id, r.via, r.launcher)?;
        }
    }
    for s in served {
        writeln!(
            out,
            "  {}[(\"{}:{}<br/>{} from {}\")]:::{}",
            s.id,
            label(&s.file),
            s.line,
            label(s.uri),
            label(s.dir),
            if s.holds_app.is_some() {
                "app"
            } else {
                "files"
            }
        )?;
    }
    if !proxies.is_empty() {
        writeln!(out, "  classDef proxy fill:#ecfccb,stroke:#4d7c0f")?;
    }
    if !served.is_empty() {
        writeln!(out, "  classDef files fill:#fef9c3,stroke:#a16207")?;
        writeln!(out, "  classDef app fill:#fde2e2,stroke:#b91c1c")?;
    }
    writeln!(out, "  classDef production fill:#fde2e2,stroke:#b91c1c")?;
    writeln!(out, "  classDef development fill:#e0f2fe,stroke:#0369a1")?;
    writeln!(out, "  classDef unknown fill:#f3f4f6,stroke:#6b7280")
}

fn dot(
    nodes: &[Node<'_>],
    proxies: &[ProxyNode<'_>],
    served: &[ServedNode<'_>],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "digraph deployment {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [shape=box, fontname=\"monospace\"];")?;
    let mut files = Vec::new();
    for n in nodes {
        let color = match n.class {
            Class::Production => "#b91c1c",
            Class::Development => "#0369a1",
            Class::Unknown => "#6b7280",
        };
        let user = n
            .user
            .map(|u| format!("\\nuser: {}", label(u)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} [label=\"{}:{}\\n{}{}\\n{}\", color=\"{color}\"];",
            n.id,
            label(&n.file),
            n.line,
            label(n.command),
            user,
            n.class.as_str()
        )?;
        if let Some(r) = &n.runs {
            let (target, how) = r.edge();
            let id = entry_id(&target, &mut files);
            writeln!(
                out,
                "  {id} [label=\"{}\", shape=note];\n  {} -> {id} [label=\"{how}\"];",
                label(&target),
                n.id
            )?;
        }
    }
    for p in proxies {
        writeln!(
            out,
            "  {} [label=\"{}:{}\\n{}\", shape=hexagon, color=\"#4d7c0f\"];",
            p.id,
            label(&p.file),
            p.line,
            label(p.directive)
        )?;
        for r in &p.reaches {
            writeln!(
                out,
                "  {} -> {} [label=\"proxies to, {}\"];",
                p.id, r.launcher, r.via
            )?;
        }
    }
    for s in served {
        writeln!(
            out,
            "  {} [label=\"{}:{}\\n{} from {}\", shape=folder, color=\"{}\"];",
            s.id,
            label(&s.file),
            s.line,
            label(s.uri),
            label(s.dir),
            if s.holds_app.is_some() {
                "#b91c1c"
            } else {
                "#a16207"
            }
        )?;
    }
    writeln!(out, "}}")
}
