//! `deploylint server`: a language server over stdio. Open documents are linted from the
//! editor's buffer (not the file on disk) with the configuration, rule packs and suppressions
//! the CLI would use for that path, and their findings published as LSP diagnostics, with code
//! actions (the rule's fix, a suppression comment) and hover (the rule's explanation).
//!
//! A document whose buffer is its file on disk is linted together with the other open files of
//! its tree, as `deploylint check FILE...` would, so findings that need two files (a Dockerfile
//! whose CMD runs `app.py`) appear and follow saves; a modified buffer is linted alone (the
//! engine reads other files only from disk).
//!
//! Each lint runs on its own thread, so a slow document never holds up another; a document
//! has at most one lint running, and edits that arrive meanwhile are coalesced into one more
//! run of the newest text (a result for an older text is never published): the debounce costs
//! no latency when edits are slower than lints. A panic in a lint or a handler is caught and
//! logged; the server lives on.

mod convert;
mod document;
mod transport;

use crate::catalog::{Catalog, RuleEntry};
use crate::engine::{self, Outcome, Overrides, Resolver};
use document::{Document, Published};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, MessageType, PublishDiagnosticsParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkspaceEdit,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use transport::Incoming;

/// Renders a rule's explanation (the text of `deploylint explain`), for hover.
pub type Explain = fn(&RuleEntry, &Catalog) -> String;

/// Lints one buffer as the file at `path`.
type Lint = fn(&Path, String, &Resolver) -> Outcome;

fn lint_buffer(path: &Path, text: String, resolver: &Resolver) -> Outcome {
    engine::run_text(path, text, resolver, false)
}

/// Serves one client over stdin/stdout until it exits; returns the exit status (0 after a
/// `shutdown` request, 1 when the client exits or hangs up without one, as LSP says).
pub fn run(explain: Explain) -> i32 {
    let (events_tx, events_rx) = mpsc::channel::<Event>();
    let (out_tx, out_rx) = mpsc::channel::<String>();
    let writer = std::thread::spawn(move || {
        let stdout = io::stdout();
        transport::write_messages(&mut stdout.lock(), out_rx)
    });
    let reader_events = events_tx.clone();
    std::thread::spawn(move || {
        let stdin = io::stdin();
        transport::read_messages(
            &mut stdin.lock(),
            &reader_events,
            transport::MAX_MESSAGE_BYTES,
        )
    });
    let mut server = Server::new(out_tx, events_tx, explain, lint_buffer);
    let code = server.serve(&events_rx);
    drop(server);
    let _ = writer.join();
    code
}

enum Event {
    Incoming(Incoming),
    Linted {
        uri: Uri,
        generation: u64,
        result: Result<Published, String>,
    },
}

impl From<Incoming> for Event {
    fn from(incoming: Incoming) -> Event {
        Event::Incoming(incoming)
    }
}

struct Server {
    out: Sender<String>,
    events: Sender<Event>,
    explain: Explain,
    lint: Lint,
    initialized: bool,
    shut_down: bool,
    watch_dynamically: bool,
    folders: Vec<PathBuf>,
    /// One resolver per tree (a workspace folder, or a lone file's directory): it caches the
    /// configuration of each directory, and is dropped when a configuration file changes.
    resolvers: HashMap<PathBuf, Arc<Resolver>>,
    documents: HashMap<Uri, Document>,
    /// Configuration errors already shown, so each is shown once.
    shown_errors: HashSet<String>,
    tree_runs: Arc<document::TreeRuns>,
    /// Counts configuration changes.
    epoch: u64,
}

impl Server {
    fn new(out: Sender<String>, events: Sender<Event>, explain: Explain, lint: Lint) -> Server {
        Server {
            out,
            events,
            explain,
            lint,
            initialized: false,
            shut_down: false,
            watch_dynamically: false,
            folders: Vec::new(),
            resolvers: HashMap::new(),
            documents: HashMap::new(),
            shown_errors: HashSet::new(),
            tree_runs: Arc::default(),
            epoch: 0,
        }
    }

    fn serve(&mut self, events: &Receiver<Event>) -> i32 {
        let exit_code = |shut_down: bool| if shut_down { 0 } else { 1 };
        for event in events {
            match event {
                Event::Incoming(Incoming::Message(Message::Request(request))) => {
                    let (id, method) = (request.id.clone(), request.method.clone());
                    if let Err(panic) = self.guarded(|server| server.request(request)) {
                        let why = format!("handling `{method}` failed (a deploylint bug): {panic}");
                        self.log(MessageType::ERROR, why.clone());
                        self.reply(id, Err((ErrorCode::InternalError, why)));
                    }
                }
                Event::Incoming(Incoming::Message(Message::Notification(n))) => {
                    if n.method == "exit" {
                        return exit_code(self.shut_down);
                    }
                    let method = n.method.clone();
                    if let Err(panic) = self.guarded(|server| server.notification(n)) {
                        self.log(
                            MessageType::ERROR,
                            format!("handling `{method}` failed (a deploylint bug): {panic}"),
                        );
                    }
                }
                // Answers to our own requests (capability registration): nothing to do.
                Event::Incoming(Incoming::Message(Message::Response(_))) => {}
                Event::Incoming(Incoming::Malformed { reply, why }) => {
                    if let Some(reply) = reply {
                        self.send_raw(reply);
                    }
                    self.log(MessageType::ERROR, format!("ignored a message: {why}"));
                }
                Event::Incoming(Incoming::Closed) => return exit_code(self.shut_down),
                Event::Linted {
                    uri,
                    generation,
                    result,
                } => self.linted(uri, generation, result),
            }
        }
        exit_code(self.shut_down)
    }

    /// Runs a handler; a panic in it becomes its message, and the server carries on.
    fn guarded(&mut self, handler: impl FnOnce(&mut Server)) -> Result<(), String> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(self)))
            .map_err(|panic| panic_message(&*panic))
    }

    // ---- output

    fn send_raw(&self, body: String) {
        let _ = self.out.send(body);
    }

    fn send(&self, message: Message) {
        self.send_raw(transport::encode(&message));
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let params = serde_json::to_value(params).unwrap_or(Value::Null);
        self.send(Notification::new(method.into(), params).into());
    }

    fn log(&self, kind: MessageType, message: String) {
        self.notify(
            "window/logMessage",
            lsp_types::LogMessageParams {
                typ: kind,
                message: format!("deploylint: {message}"),
            },
        );
    }

    fn reply(&self, id: RequestId, result: Result<Value, (ErrorCode, String)>) {
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response.into());
    }

    // ---- requests

    fn request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        if method == "initialize" {
            let result = if self.initialized {
                Err((ErrorCode::InvalidRequest, "already initialized".into()))
            } else {
                self.initialize(params)
            };
            return self.reply(id, result);
        }
        if !self.initialized {
            return self.reply(
                id,
                Err((ErrorCode::ServerNotInitialized, "not initialized".into())),
            );
        }
        if self.shut_down {
            return self.reply(
                id,
                Err((ErrorCode::InvalidRequest, "the server is shut down".into())),
            );
        }
        let result = match method.as_str() {
            "shutdown" => {
                self.shut_down = true;
                Ok(Value::Null)
            }
            "textDocument/codeAction" => parse(params).map(|p| self.code_actions(p)),
            "textDocument/hover" => parse(params).map(|p| self.hover(p)),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("deploylint does not handle `{method}`"),
            )),
        };
        self.reply(id, result);
    }

    fn initialize(&mut self, params: Value) -> Result<Value, (ErrorCode, String)> {
        let params: InitializeParams = parse(params)?;
        self.initialized = true;
        #[allow(deprecated)] // root_uri: for clients that send no workspace folders.
        let folders: Vec<PathBuf> = match &params.workspace_folders {
            Some(folders) => folders
                .iter()
                .filter_map(|f| convert::uri_path(&f.uri))
                .collect(),
            None => params
                .root_uri
                .as_ref()
                .and_then(convert::uri_path)
                .into_iter()
                .collect(),
        };
        self.folders = folders;
        self.watch_dynamically = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(
                lsp_types::CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..lsp_types::CodeActionOptions::default()
                },
            )),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp_types::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        };
        let result = lsp_types::InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "deploylint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        Ok(serde_json::to_value(result).unwrap_or(Value::Null))
    }

    /// The finding(s) under the cursor, with the explanation of their rules.
    fn hover(&self, params: HoverParams) -> Value {
        let at = &params.text_document_position_params;
        let Some(published) = self.current(&at.text_document.uri) else {
            return Value::Null;
        };
        let mut shown = HashSet::new();
        let mut parts = Vec::new();
        let mut range = None;
        for finding in published.findings.iter() {
            if !convert::contains(&finding.lsp.range, at.position)
                || !shown.insert(&finding.engine.code)
            {
                continue;
            }
            range.get_or_insert(finding.lsp.range);
            let code = &finding.engine.code;
            let mut part = format!(
                "**{code}** {}\n\n{}",
                finding.engine.name, finding.engine.message
            );
            if let Some(entry) = published.catalog.get(code) {
                let explanation = (self.explain)(entry, &published.catalog);
                part.push_str(&format!("\n\n```text\n{}\n```", explanation.trim_end()));
            }
            parts.push(part);
        }
        if parts.is_empty() {
            return Value::Null;
        }
        let hover = Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range,
        };
        serde_json::to_value(hover).unwrap_or(Value::Null)
    }

    /// For each finding in the range: its rule's fix, when it has one, and a suppression
    /// comment placed where the format reads it.
    fn code_actions(&self, params: CodeActionParams) -> Value {
        let uri = &params.text_document.uri;
        let Some(published) = self.current(uri) else {
            return json!([]);
        };
        let wants = |kind: &CodeActionKind| {
            params
                .context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
        };
        let mut actions = Vec::new();
        let mut suppressed = HashSet::new();
        for finding in published
            .findings
            .iter()
            .filter(|f| convert::overlaps(&f.lsp.range, &params.range))
        {
            let d = &finding.engine;
            let edit = |edits: Vec<lsp_types::TextEdit>| WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            };
            if let (Some(fix), Some(edits)) = (&d.fix, crate::fix::lsp_edits(&published.source, d))
                && wants(&CodeActionKind::QUICKFIX)
            {
                let edits = edits
                    .into_iter()
                    .map(|e| {
                        let at = |p: crate::fix::LspPosition| {
                            lsp_types::Position::new(p.line as u32, p.character as u32)
                        };
                        lsp_types::TextEdit::new(
                            lsp_types::Range::new(at(e.start), at(e.end)),
                            e.new_text,
                        )
                    })
                    .collect();
                let safe = fix.applicability == crate::fix::Applicability::Safe;
                actions.push(CodeAction {
                    title: format!(
                        "Fix {}: {}{}",
                        d.code,
                        fix.title.trim().trim_end_matches('.'),
                        if safe { "" } else { " (unsafe: review it)" }
                    ),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![finding.lsp.clone()]),
                    edit: Some(edit(edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                });
            }
            let Some(format) = published.format else {
                continue;
            };
            let line = finding.lsp.range.start.line;
            if !wants(&CodeActionKind::QUICKFIX) || !suppressed.insert((line, d.code.clone())) {
                continue;
            }
            let placed = crate::fix::suppressions::place_all(
                &published.source,
                format,
                &published.catalog,
                &[d],
            );
            if placed.edits.is_empty() {
                continue;
            }
            actions.push(CodeAction {
                title: format!("Suppress {} on line {}", d.code, line + 1),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![finding.lsp.clone()]),
                edit: Some(edit(convert::text_edits(&published.source, &placed.edits))),
                is_preferred: Some(false),
                ..CodeAction::default()
            });
        }
        let actions: Vec<CodeActionOrCommand> = actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect();
        serde_json::to_value(actions).unwrap_or_else(|_| json!([]))
    }

    /// The findings published for the document's current text (none while it is re-linted:
    /// their offsets would not fit the buffer).
    fn current(&self, uri: &Uri) -> Option<&Published> {
        let doc = self.documents.get(uri)?;
        doc.published
            .as_ref()
            .filter(|p| p.generation == doc.generation)
    }

    // ---- notifications

    fn notification(&mut self, n: Notification) {
        if !self.initialized {
            return;
        }
        let Notification { method, params } = n;
        let outcome = match method.as_str() {
            "initialized" => {
                self.register_watchers();
                Ok(())
            }
            "textDocument/didOpen" => parse(params).map(|p| self.did_open(p)),
            "textDocument/didChange" => parse(params).map(|p| self.did_change(p)),
            "textDocument/didSave" => parse(params).map(|p| self.did_save(p)),
            "textDocument/didClose" => parse(params).map(|p| self.did_close(p)),
            "workspace/didChangeWatchedFiles" => {
                parse(params).map(|p: DidChangeWatchedFilesParams| {
                    if p.changes
                        .iter()
                        .any(|c| is_config(&c.uri) || self.is_rule_pack(&c.uri))
                    {
                        self.configuration_changed();
                    }
                })
            }
            "workspace/didChangeWorkspaceFolders" => parse(params).map(|p| self.folders_changed(p)),
            // Unknown notifications (`$/cancelRequest`, `$/setTrace`, ...) are ignored, as
            // the protocol asks.
            _ => Ok(()),
        };
        if let Err((_, why)) = outcome {
            self.log(MessageType::ERROR, format!("ignored `{method}`: {why}"));
        }
    }

    fn register_watchers(&self) {
        if !self.watch_dynamically {
            return;
        }
        let watchers: Vec<Value> = crate::config::CONFIG_FILES
            .iter()
            .map(|name| json!({"globPattern": format!("**/{name}")}))
            .collect();
        let params = json!({"registrations": [{
            "id": "deploylint-configuration",
            "method": "workspace/didChangeWatchedFiles",
            "registerOptions": {"watchers": watchers},
        }]});
        self.send(
            Request::new(
                RequestId::from("deploylint-watch".to_string()),
                "client/registerCapability".into(),
                params,
            )
            .into(),
        );
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let item = p.text_document;
        let doc = Document::new(
            item.uri.clone(),
            &item.language_id,
            item.version,
            item.text,
            &self.folders,
        );
        let root = doc.root.clone();
        self.documents.insert(item.uri.clone(), doc);
        self.schedule(&item.uri);
        // The others of its tree are now linted with it.
        self.schedule_tree(&root, Some(&item.uri));
    }

    /// Re-lints the open documents of the tree `root` (but `except`).
    fn schedule_tree(&mut self, root: &Path, except: Option<&Uri>) {
        let uris: Vec<Uri> = self
            .documents
            .values()
            .filter(|d| d.root == root && Some(&d.uri) != except)
            .map(|d| d.uri.clone())
            .collect();
        for uri in uris {
            self.schedule(&uri);
        }
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let Some(doc) = self.documents.get_mut(&uri) else {
            return;
        };
        for change in p.content_changes {
            doc.apply(change);
        }
        doc.version = p.text_document.version;
        doc.generation += 1;
        self.schedule(&uri);
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        let uri = p.text_document.uri;
        if is_config(&uri) || self.is_rule_pack(&uri) {
            return self.configuration_changed();
        }
        if let (Some(text), Some(doc)) = (p.text, self.documents.get_mut(&uri)) {
            doc.replace(text);
        }
        let Some(root) = self.documents.get(&uri).map(|d| d.root.clone()) else {
            return;
        };
        // Other documents may read this one from disk (a compose file's build context, a
        // Dockerfile's CMD running it): re-lint the whole tree, this one included (its text
        // is now the one on disk, which lets it be linted with the others).
        self.schedule_tree(&root, None);
    }

    /// Whether the URI names a rule pack a configuration in use loaded.
    fn is_rule_pack(&self, uri: &Uri) -> bool {
        let Some(path) = convert::uri_path(uri) else {
            return false;
        };
        let same = |pack: &Path| {
            pack == path
                || std::fs::canonicalize(pack)
                    .is_ok_and(|p| std::fs::canonicalize(&path).is_ok_and(|q| p == q))
        };
        self.resolvers.values().any(|resolver| {
            resolver
                .catalog()
                .with_origin()
                .any(|(_, pack)| pack.is_some_and(same))
        })
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        if let Some(closed) = self.documents.remove(&uri) {
            self.notify(
                "textDocument/publishDiagnostics",
                PublishDiagnosticsParams::new(uri, Vec::new(), None),
            );
            self.schedule_tree(&closed.root, None);
        }
    }

    fn folders_changed(&mut self, p: DidChangeWorkspaceFoldersParams) {
        let removed: Vec<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| convert::uri_path(&f.uri))
            .collect();
        self.folders.retain(|f| !removed.contains(f));
        self.folders.extend(
            p.event
                .added
                .iter()
                .filter_map(|f| convert::uri_path(&f.uri)),
        );
        for doc in self.documents.values_mut() {
            doc.root = document::root_for(&doc.path, &self.folders);
        }
        self.configuration_changed();
    }

    /// A configuration file changed: read configurations afresh and re-lint every document.
    fn configuration_changed(&mut self) {
        self.resolvers.clear();
        self.shown_errors.clear();
        self.epoch += 1;
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in uris {
            self.schedule(&uri);
        }
    }

    // ---- linting

    fn resolver(&mut self, root: &Path) -> Arc<Resolver> {
        self.resolvers
            .entry(root.to_path_buf())
            .or_insert_with(|| Arc::new(Resolver::new(&[root.to_path_buf()], Overrides::default())))
            .clone()
    }

    /// Lints the document's newest text now, or once the run in progress ends.
    fn schedule(&mut self, uri: &Uri) {
        let Some(root) = self.documents.get(uri).map(|d| d.root.clone()) else {
            return;
        };
        let resolver = self.resolver(&root);
        let companions: Vec<PathBuf> = self
            .documents
            .values()
            .filter(|d| d.root == root && d.uri != *uri && d.on_disk)
            .map(|d| d.path.clone())
            .collect();
        let Some(doc) = self.documents.get_mut(uri) else {
            return;
        };
        if doc.running {
            doc.rerun = true;
            return;
        }
        doc.running = true;
        doc.rerun = false;
        let job = document::Job {
            uri: uri.clone(),
            path: doc.path.clone(),
            text: doc.text.clone(),
            generation: doc.generation,
            companions: if doc.on_disk { companions } else { Vec::new() },
            runs: self.tree_runs.clone(),
            epoch: self.epoch,
        };
        let events = self.events.clone();
        let lint = self.lint;
        let spawned = std::thread::Builder::new()
            .name("deploylint-lint".into())
            .spawn(move || {
                let (uri, generation) = (job.uri.clone(), job.generation);
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    document::lint(job, &resolver, lint)
                }))
                .map_err(|panic| panic_message(&*panic));
                let _ = events.send(Event::Linted {
                    uri,
                    generation,
                    result,
                });
            });
        if let Err(e) = spawned {
            doc.running = false;
            self.log(MessageType::ERROR, format!("cannot start a lint: {e}"));
        }
    }

    fn linted(&mut self, uri: Uri, generation: u64, result: Result<Published, String>) {
        let Some(doc) = self.documents.get_mut(&uri) else {
            // Closed meanwhile.
            return;
        };
        doc.running = false;
        if generation != doc.generation {
            // The text changed meanwhile: this result is stale; lint the newest text.
            return self.schedule(&uri);
        }
        if doc.rerun {
            // Something it reads changed on disk meanwhile.
            self.schedule(&uri);
        }
        let Some(doc) = self.documents.get_mut(&uri) else {
            return;
        };
        let published = match result {
            Ok(published) => published,
            Err(panic) => {
                // The last findings' positions may no longer fit the text: clear them.
                let (path, version) = (doc.path.display().to_string(), doc.version);
                doc.published = None;
                self.notify(
                    "textDocument/publishDiagnostics",
                    PublishDiagnosticsParams::new(uri, Vec::new(), Some(version)),
                );
                return self.log(
                    MessageType::ERROR,
                    format!("linting {path} failed (a deploylint bug; please report it): {panic}"),
                );
            }
        };
        let version = doc.version;
        let diagnostics: Vec<lsp_types::Diagnostic> =
            published.findings.iter().map(|f| f.lsp.clone()).collect();
        let skipped = published.skipped.clone();
        let changed_skip = doc.skipped != skipped;
        doc.skipped = skipped.clone();
        let errors = published.config_errors.clone();
        doc.published = Some(published);
        self.notify(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams::new(uri, diagnostics, Some(version)),
        );
        if let (true, Some(why)) = (changed_skip, skipped) {
            self.log(MessageType::INFO, why);
        }
        for error in errors {
            let text = format!(
                "invalid configuration {}: {}",
                error.path.display(),
                error.message
            );
            if self.shown_errors.insert(text.clone()) {
                self.log(MessageType::ERROR, text.clone());
                self.notify(
                    "window/showMessage",
                    lsp_types::ShowMessageParams {
                        typ: MessageType::ERROR,
                        message: format!("deploylint: {text}"),
                    },
                );
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

/// Whether the URI names a file deploylint reads its configuration from.
fn is_config(uri: &Uri) -> bool {
    convert::uri_path(uri)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .is_some_and(|name| crate::config::CONFIG_FILES.contains(&name.as_str()))
}

#[cfg(test)]
mod tests;
