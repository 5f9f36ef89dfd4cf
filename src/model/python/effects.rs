//! What a module's code does to the host it runs on: the sockets it listens on, the file
//! modes and the umask it sets, the files it writes at fixed paths. Only literal values (and
//! names assigned literals) are read; anything computed at run time is not guessed, and a
//! method is judged only when its receiver resolves to the object the API belongs to (a
//! `bind` on a socket, a `listen` on a Tornado app, a `chmod` on a `pathlib.Path`).

use super::{Call, Expr, Framework, ObjectKind, Semantic};
use crate::syntax::python::{FIELD, Literal, PyIndex, kind, parenthesized};
use std::sync::LazyLock;
use tree_sitter::Node;

/// Where a listening socket's host comes from.
pub enum ListenHost<'t> {
    /// A literal host: `"0.0.0.0"`, `""`, and `None` (read as `""`) where the API takes
    /// None for every interface. `at` is the expression that gives it.
    Literal { host: String, at: Expr<'t> },
    /// The call names no host, and the API's default is every interface (Tornado's
    /// `listen(port)`, `asyncio.start_server(cb, port=…)`).
    Default,
}

/// A call that opens a listening socket.
pub struct SocketListen<'t> {
    pub call: Call<'t>,
    /// What listens, for messages (`socket.bind`, `asyncio.start_server`).
    pub what: &'static str,
    pub host: ListenHost<'t>,
}

/// A mode set on an existing file (`os.chmod(p, 0o777)`).
pub struct ModeChange<'t> {
    pub call: Call<'t>,
    /// The mode bits the call certainly sets (`st.st_mode | stat.S_IWOTH` sets at least
    /// `S_IWOTH`).
    pub bits: u32,
    pub mode: Expr<'t>,
}

/// A process umask set by code (`os.umask(0)`).
pub struct UmaskSet<'t> {
    pub call: Call<'t>,
    pub mask: u32,
    pub value: Expr<'t>,
}

/// A file written (or a directory made) at a fixed path.
pub struct FixedWrite<'t> {
    pub call: Call<'t>,
    /// What the call does with the path, for messages (`writes`, `makes the directory`).
    pub how: &'static str,
    /// The path as far as the code fixes it: a literal, or its literal start followed by `…`.
    pub path: String,
    /// Whether `path` is the whole path (not only a literal start of it).
    pub complete: bool,
    /// The expression that gives the path.
    pub at: Expr<'t>,
}

/// Socket classes and factories whose objects listen once bound.
const SOCKET_CONSTRUCTORS: &[&str] = &["socket.socket", "socket.SocketType"];

/// The standard library's socket servers, which bind the `(host, port)` they are given
/// (`HTTPServer(("", 8000), Handler)`); a class of the module derived from one counts too.
const STDLIB_SOCKET_SERVERS: &[&str] = &[
    "http.server.HTTPServer",
    "http.server.ThreadingHTTPServer",
    "socketserver.TCPServer",
    "socketserver.UDPServer",
    "socketserver.ThreadingTCPServer",
    "socketserver.ThreadingUDPServer",
    "socketserver.ForkingTCPServer",
    "socketserver.ForkingUDPServer",
    "SocketServer.TCPServer",
    "SocketServer.ThreadingTCPServer",
    "BaseHTTPServer.HTTPServer",
    "xmlrpc.server.SimpleXMLRPCServer",
    "xmlrpc.server.DocXMLRPCServer",
    "wsgiref.simple_server.WSGIServer",
];

/// Event loops, whose `create_server(factory, host, port)` listens.
const EVENT_LOOP_FACTORIES: &[&str] = &[
    "asyncio.get_event_loop",
    "asyncio.get_running_loop",
    "asyncio.new_event_loop",
    "asyncio.events.get_event_loop",
    "uvloop.new_event_loop",
];

/// Tornado's servers (`HTTPServer(app).listen(8888)`).
const TORNADO_SERVERS: &[&str] = &[
    "tornado.httpserver.HTTPServer",
    "tornado.tcpserver.TCPServer",
];

const SOCKET_CREATE_SERVER: &[&str] = &["socket.create_server"];
const WSGIREF_MAKE_SERVER: &[&str] = &["wsgiref.simple_server.make_server"];
const ASYNCIO_START_SERVER: &[&str] = &["asyncio.start_server", "asyncio.streams.start_server"];
const TORNADO_BIND_SOCKETS: &[&str] = &["tornado.netutil.bind_sockets"];
const TORNADO_APPLICATIONS: &[&str] = &["tornado.web.Application"];

/// The calls `listening_sockets` finds by their callee (the others are `LISTENING_METHODS` on
/// a socket, an event loop or a Tornado server), for triggers that must not miss one.
const LISTENING_CALLS: &[&[&str]] = &[
    STDLIB_SOCKET_SERVERS,
    SOCKET_CREATE_SERVER,
    WSGIREF_MAKE_SERVER,
    ASYNCIO_START_SERVER,
    TORNADO_BIND_SOCKETS,
];

/// The methods `listening_sockets` reads (`sock.bind`, `loop.create_server`, Tornado's
/// `app.listen`); their receivers may come from another module.
const LISTENING_METHODS: &[&str] = &[
    "bind",
    "listen",
    "create_server",
    "create_datagram_endpoint",
];

/// The last parts of `LISTENING_CALLS` and the `LISTENING_METHODS`, sorted: a call whose
/// resolved name ends otherwise is none of them (and a module names one of them however it
/// renames it on import).
pub fn listening_names() -> &'static [&'static str] {
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let mut names: Vec<&str> = LISTENING_CALLS
            .iter()
            .flat_map(|list| list.iter())
            .map(|callee| callee.rsplit('.').next().unwrap_or(callee))
            .chain(LISTENING_METHODS.iter().copied())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    });
    &NAMES
}

/// Calls that change an existing file's mode, with the position of the mode.
const CHMOD_FUNCTIONS: &[&str] = &["os.chmod", "os.fchmod", "os.lchmod", "posix.chmod"];

/// pathlib's path classes.
const PATH_CLASSES: &[&str] = &[
    "pathlib.Path",
    "pathlib.PosixPath",
    "pathlib.PurePath",
    "pathlib.PurePosixPath",
];

/// Path methods that return another path of the same file system.
const PATH_METHODS: &[&str] = &[
    "joinpath",
    "with_name",
    "with_suffix",
    "with_stem",
    "resolve",
    "absolute",
    "expanduser",
];

/// The `stat` module's mode constants.
const STAT_BITS: &[(&str, u32)] = &[
    ("S_ISUID", 0o4000),
    ("S_ISGID", 0o2000),
    ("S_ISVTX", 0o1000),
    ("S_IRWXU", 0o700),
    ("S_IRUSR", 0o400),
    ("S_IWUSR", 0o200),
    ("S_IXUSR", 0o100),
    ("S_IREAD", 0o400),
    ("S_IWRITE", 0o200),
    ("S_IEXEC", 0o100),
    ("S_IRWXG", 0o070),
    ("S_IRGRP", 0o040),
    ("S_IWGRP", 0o020),
    ("S_IXGRP", 0o010),
    ("S_IRWXO", 0o007),
    ("S_IROTH", 0o004),
    ("S_IWOTH", 0o002),
    ("S_IXOTH", 0o001),
];

/// Loggers' file handlers, which open (and append to) their file when made.
const FILE_HANDLERS: &[&str] = &[
    "logging.FileHandler",
    "logging.handlers.RotatingFileHandler",
    "logging.handlers.TimedRotatingFileHandler",
    "logging.handlers.WatchedFileHandler",
];

/// How deep names, assignments and expressions are followed.
const MAX_DEPTH: u8 = 8;

impl<'t> Semantic<'t> {
    /// The calls that open a listening socket, with where its host comes from. Only calls
    /// whose object resolves to a socket, an event loop, a Tornado app or server (or that call
    /// the standard library's servers) count; a `bind` on anything else is not read.
    pub fn listening_sockets(&self) -> Vec<SocketListen<'t>> {
        let multicast = self.joins_multicast_group();
        let mut out = Vec::new();
        for call in self.calls() {
            let node = call.0;
            if !self.may_listen(node) {
                continue;
            }
            let method = self.ix.callee_attr(node);
            let receiver = PyIndex::receiver(node);
            if let (Some("bind"), Some(receiver)) = (method, receiver)
                && let Some(socket) = self.constructor_call(receiver, SOCKET_CONSTRUCTORS, 0)
            {
                // A datagram socket joined to a multicast group must bind the wildcard
                // address to receive the group's traffic.
                if multicast && self.is_datagram_socket(socket) {
                    continue;
                }
                if let Some(host) = self.address_host(call, "address") {
                    out.push(SocketListen {
                        call,
                        what: "socket.bind",
                        host,
                    });
                }
                continue;
            }
            if self.calls_any(call, SOCKET_CREATE_SERVER) {
                if let Some(host) = self.address_host(call, "address") {
                    out.push(SocketListen {
                        call,
                        what: "socket.create_server",
                        host,
                    });
                }
                continue;
            }
            if let Some(callee) = PyIndex::callee(node)
                && self.is_constructor(callee, STDLIB_SOCKET_SERVERS, 0)
            {
                if let Some(host) = self.address_host(call, "server_address") {
                    out.push(SocketListen {
                        call,
                        what: "the standard library's server",
                        host,
                    });
                }
                continue;
            }
            if self.calls_any(call, WSGIREF_MAKE_SERVER) {
                if let Some(host) = self.host_argument(call, "host", 0) {
                    out.push(SocketListen {
                        call,
                        what: "wsgiref's make_server",
                        host,
                    });
                }
                continue;
            }
            if self.calls_any(call, ASYNCIO_START_SERVER) {
                if let Some(host) = self.asyncio_host(call) {
                    out.push(SocketListen {
                        call,
                        what: "asyncio.start_server",
                        host,
                    });
                }
                continue;
            }
            if let (Some("create_server"), Some(receiver)) = (method, receiver)
                && self
                    .constructor_call(receiver, EVENT_LOOP_FACTORIES, 0)
                    .is_some()
            {
                if let Some(host) = self.asyncio_host(call) {
                    out.push(SocketListen {
                        call,
                        what: "the event loop's create_server",
                        host,
                    });
                }
                continue;
            }
            if let (Some("create_datagram_endpoint"), Some(receiver)) = (method, receiver)
                && self
                    .constructor_call(receiver, EVENT_LOOP_FACTORIES, 0)
                    .is_some()
            {
                // A UDP endpoint receives on `local_addr`; a multicast receiver must bind the
                // wildcard address.
                if !multicast
                    && let Some(address) = self.ix.arg(node, "local_addr", Some(1))
                    && let Some(host) = self.tuple_host(address)
                {
                    out.push(SocketListen {
                        call,
                        what: "the event loop's create_datagram_endpoint",
                        host,
                    });
                }
                continue;
            }
            if let (Some(method @ ("listen" | "bind")), Some(receiver)) = (method, receiver)
                && self.is_tornado_server(receiver)
            {
                // `listen(port, address="")` / `bind(port, address=None)`: no address is every
                // interface.
                let host = match self.ix.arg(node, "address", Some(1)) {
                    Some(value) => self.literal_host(value),
                    None => Some(ListenHost::Default),
                };
                if let Some(host) = host {
                    out.push(SocketListen {
                        call,
                        what: if method == "listen" {
                            "Tornado's listen"
                        } else {
                            "Tornado's bind"
                        },
                        host,
                    });
                }
                continue;
            }
            if self.calls_any(call, TORNADO_BIND_SOCKETS) {
                let host = match self.ix.arg(node, "address", Some(1)) {
                    Some(value) => self.literal_host(value),
                    None => Some(ListenHost::Default),
                };
                if let Some(host) = host {
                    out.push(SocketListen {
                        call,
                        what: "tornado.netutil.bind_sockets",
                        host,
                    });
                }
            }
        }
        out
    }

    /// Whether a call can be one `listening_sockets` reads, by the last part of its resolved
    /// name (or a class of this module, which may derive from a server): most calls are not.
    fn may_listen(&self, call: Node<'t>) -> bool {
        let Some(name) = self.ix.resolved_callee_attr(call) else {
            return false;
        };
        listening_names().binary_search(&name).is_ok()
            || PyIndex::callee(call).is_some_and(|callee| {
                kind(callee) == "identifier" && self.ix.module_class(self.ix.text(callee)).is_some()
            })
    }

    /// The host of a `(host, port)` address argument written as a tuple (or a name assigned
    /// one). Port 0 is no service: the free-port idiom, a client's source address, FTP's
    /// active-mode data socket (`ftplib`), a test server on a port the kernel picks.
    fn address_host(&self, call: Call<'t>, keyword: &str) -> Option<ListenHost<'t>> {
        self.tuple_host(self.ix.arg(call.0, keyword, Some(0))?)
    }

    /// The host of a `(host, port)` tuple (or a name assigned one); None for port 0.
    fn tuple_host(&self, address: Node<'t>) -> Option<ListenHost<'t>> {
        let Literal::Tuple(items) = self.ix.literal(address)? else {
            return None;
        };
        if matches!(items.get(1), Some(Some(Literal::Int(0)))) {
            return None;
        }
        let Some(Some(Literal::Str(host))) = items.first() else {
            return None;
        };
        let at = if kind(address) == "tuple" {
            address.named_child(0).unwrap_or(address)
        } else {
            address
        };
        Some(ListenHost::Literal {
            host: host.clone(),
            at: Expr(at),
        })
    }

    /// A host argument that must be a literal string.
    fn host_argument(
        &self,
        call: Call<'t>,
        keyword: &str,
        position: usize,
    ) -> Option<ListenHost<'t>> {
        let value = self.ix.arg(call.0, keyword, Some(position))?;
        match self.ix.literal(value)? {
            Literal::Str(host) => Some(ListenHost::Literal {
                host,
                at: Expr(value),
            }),
            _ => None,
        }
    }

    /// A host given as a literal string, or `None` (every interface).
    fn literal_host(&self, value: Node<'t>) -> Option<ListenHost<'t>> {
        let host = match self.ix.literal(value)? {
            Literal::Str(host) => host,
            Literal::None => String::new(),
            _ => return None,
        };
        Some(ListenHost::Literal {
            host,
            at: Expr(value),
        })
    }

    /// `start_server(cb, host=None, port=None)` / `create_server(factory, host, port)`: a host
    /// of None (or none given, with a port and no ready socket) is every interface.
    fn asyncio_host(&self, call: Call<'t>) -> Option<ListenHost<'t>> {
        let node = call.0;
        match self.ix.arg(node, "host", Some(1)) {
            Some(value) => self.literal_host(value),
            None => {
                let port = self.ix.arg(node, "port", Some(2));
                let sock = self.ix.arg(node, "sock", None);
                (port.is_some() && sock.is_none()).then_some(ListenHost::Default)
            }
        }
    }

    /// Whether a datagram socket (`socket(AF_INET, SOCK_DGRAM)`) is made by this call.
    fn is_datagram_socket(&self, socket: Node<'t>) -> bool {
        self.ix
            .arg(socket, "type", Some(1))
            .is_some_and(|t| self.ix.text(t).ends_with("SOCK_DGRAM"))
    }

    /// Whether the module joins a multicast group (`IP_ADD_MEMBERSHIP`, `IPV6_JOIN_GROUP`).
    fn joins_multicast_group(&self) -> bool {
        self.calls().any(|c| {
            self.ix.callee_attr(c.0) == Some("setsockopt")
                && c.0.child_by_field_id(FIELD.arguments).is_some_and(|args| {
                    let text = self.ix.text(args);
                    text.contains("ADD_MEMBERSHIP") || text.contains("JOIN_GROUP")
                })
        })
    }

    /// A Tornado app (`tornado.web.Application`, a subclass, a factory's result) or server.
    fn is_tornado_server(&self, receiver: Node<'t>) -> bool {
        self.kind_of(receiver, 0) == ObjectKind::App(Framework::Tornado)
            || self
                .constructor_call(receiver, TORNADO_APPLICATIONS, 0)
                .is_some()
            || self
                .constructor_call(receiver, TORNADO_SERVERS, 0)
                .is_some()
    }

    /// The call that made the object an expression holds, when it is a call of one of
    /// `targets` (or of a class of this module derived from one): followed through
    /// assignments, `with … as name`, and `self.x = …` anywhere in the module.
    fn constructor_call(&self, node: Node<'t>, targets: &[&str], depth: u8) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match kind(node) {
            "parenthesized_expression" => {
                self.constructor_call(parenthesized(node)?, targets, depth + 1)
            }
            "call" => {
                let callee = PyIndex::callee(node)?;
                self.is_constructor(callee, targets, depth).then_some(node)
            }
            "identifier" => {
                if let Some(value) = self.binding(node) {
                    return self.constructor_call(value, targets, depth + 1);
                }
                let value = self.with_binding(node)?;
                self.constructor_call(value, targets, depth + 1)
            }
            "attribute" => {
                // `self.sock = socket.socket()` in one method, `self.sock.bind(…)` in another.
                let written = self.ix.text(node);
                self.ix.assignments.iter().rev().find_map(|a| {
                    let left = a.child_by_field_id(FIELD.left)?;
                    if kind(left) != "attribute" || self.ix.text(left) != written {
                        return None;
                    }
                    let value = self.ix.assignment_value(*a)?;
                    self.constructor_call(value, targets, depth + 1)
                })
            }
            _ => None,
        }
    }

    /// Whether a callee is one of `targets`, or a class of this module derived from one.
    fn is_constructor(&self, callee: Node<'t>, targets: &[&str], depth: u8) -> bool {
        if self.ix.refers_to(callee, targets) {
            return true;
        }
        if kind(callee) != "identifier" || depth > MAX_DEPTH {
            return false;
        }
        let Some(class) = self.ix.module_class(self.ix.text(callee)) else {
            return false;
        };
        let Some(bases) = class.child_by_field_id(FIELD.superclasses) else {
            return false;
        };
        let mut cursor = bases.walk();
        bases
            .named_children(&mut cursor)
            .any(|base| self.is_constructor(base, targets, depth + 1))
    }

    /// The value bound by an enclosing `with value as name:`.
    fn with_binding(&self, name: Node<'t>) -> Option<Node<'t>> {
        let text = self.ix.text(name);
        let mut scope = PyIndex::enclosing(name, &["with_statement"]);
        while let Some(statement) = scope {
            let clause = statement
                .named_children(&mut statement.walk())
                .find(|c| kind(*c) == "with_clause");
            if let Some(clause) = clause {
                let mut cursor = clause.walk();
                for item in clause.named_children(&mut cursor) {
                    let Some(value) = item.child_by_field_id(FIELD.value) else {
                        continue;
                    };
                    if kind(value) != "as_pattern" {
                        continue;
                    }
                    let alias = value.child_by_field_id(FIELD.alias);
                    if alias.is_some_and(|a| self.ix.text(a).trim() == text) {
                        return value.named_child(0);
                    }
                }
            }
            scope = PyIndex::enclosing(statement, &["with_statement"]);
        }
        None
    }

    /// Calls that set the mode of an existing file to a mode the code fixes: `os.chmod`,
    /// `os.fchmod`, `os.lchmod` (also through `from os import chmod as c`) and
    /// `pathlib.Path(…).chmod`. Modes given when a file is made (`os.makedirs(p, 0o777)`,
    /// `os.open(p, flags, 0o666)`) are not here: the umask still applies to them.
    pub fn mode_changes(&self) -> Vec<ModeChange<'t>> {
        let mut out = Vec::new();
        for call in self.calls() {
            let node = call.0;
            let mode = if self.calls_any(call, CHMOD_FUNCTIONS) {
                self.ix.arg(node, "mode", Some(1))
            } else if matches!(self.ix.callee_attr(node), Some("chmod" | "lchmod"))
                && PyIndex::receiver(node).is_some_and(|r| self.is_path(r, 0))
            {
                self.ix.arg(node, "mode", Some(0))
            } else {
                None
            };
            let Some(mode) = mode else { continue };
            if let Some(bits) = self.mode_bits(mode, 0) {
                out.push(ModeChange {
                    call,
                    bits,
                    mode: Expr(mode),
                });
            }
        }
        out
    }

    /// The mode bits an expression certainly sets: an integer, `stat` constants, and `|` of
    /// them (with an unknown side, the known side's bits are still set), `+` and `&` of known
    /// values.
    fn mode_bits(&self, node: Node<'t>, depth: u8) -> Option<u32> {
        if depth > MAX_DEPTH {
            return None;
        }
        match kind(node) {
            "integer" => match self.ix.literal(node)? {
                Literal::Int(value) => u32::try_from(value).ok(),
                _ => None,
            },
            "parenthesized_expression" => self.mode_bits(parenthesized(node)?, depth + 1),
            "binary_operator" => {
                let left = self.mode_bits(node.child_by_field_id(FIELD.left)?, depth + 1);
                let right = self.mode_bits(node.child_by_field_id(FIELD.right)?, depth + 1);
                let operator = node.child_by_field_id(FIELD.operator)?;
                match kind(operator) {
                    "|" => match (left, right) {
                        (None, None) => None,
                        (l, r) => Some(l.unwrap_or(0) | r.unwrap_or(0)),
                    },
                    "+" => Some(left? + right?),
                    "&" => Some(left? & right?),
                    _ => None,
                }
            }
            "identifier" | "attribute" => {
                if let Some(qualified) = self.ix.qualified_name(node)
                    && let Some(constant) = qualified.strip_prefix("stat.")
                    && let Some((_, bits)) = STAT_BITS.iter().find(|(n, _)| *n == constant)
                {
                    return Some(*bits);
                }
                if kind(node) == "identifier" {
                    // `MODE = 0o777` then `os.chmod(p, MODE)`; a parameter is not followed.
                    return self.mode_bits(self.ix.assigned_value(node)?, depth + 1);
                }
                None
            }
            _ => None,
        }
    }

    /// Whether an expression is a `pathlib` path: a path class's call, `path / "x"`, a path
    /// method's result, `.parent`, or a name bound to one.
    fn is_path(&self, node: Node<'t>, depth: u8) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match kind(node) {
            "parenthesized_expression" => {
                parenthesized(node).is_some_and(|n| self.is_path(n, depth + 1))
            }
            "call" => {
                let Some(callee) = PyIndex::callee(node) else {
                    return false;
                };
                if self.ix.refers_to(callee, PATH_CLASSES) {
                    return true;
                }
                self.ix
                    .callee_attr(node)
                    .is_some_and(|m| PATH_METHODS.contains(&m))
                    && PyIndex::receiver(node).is_some_and(|r| self.is_path(r, depth + 1))
            }
            "binary_operator" => {
                node.child_by_field_id(FIELD.operator)
                    .is_some_and(|o| kind(o) == "/")
                    && node
                        .child_by_field_id(FIELD.left)
                        .is_some_and(|l| self.is_path(l, depth + 1))
            }
            "attribute" => {
                node.child_by_field_id(FIELD.attribute)
                    .is_some_and(|a| self.ix.text(a) == "parent")
                    && node
                        .child_by_field_id(FIELD.object)
                        .is_some_and(|o| self.is_path(o, depth + 1))
            }
            "identifier" => self
                .binding(node)
                .or_else(|| self.with_binding(node))
                .is_some_and(|v| self.is_path(v, depth + 1)),
            _ => false,
        }
    }

    /// `os.umask(mask)` calls with a literal mask, except a umask set only to read the current
    /// one and put back (`old = os.umask(0)` … `os.umask(old)`).
    pub fn umask_sets(&self) -> Vec<UmaskSet<'t>> {
        let umask_calls: Vec<Call<'t>> = self
            .calls()
            .filter(|c| self.calls_any(*c, &["os.umask", "posix.umask"]))
            .collect();
        let restored: Vec<&str> = umask_calls
            .iter()
            .filter_map(|c| self.ix.arg(c.0, "mask", Some(0)))
            .filter(|a| kind(*a) == "identifier")
            .map(|a| self.ix.text(a))
            .collect();
        let mut out = Vec::new();
        for call in umask_calls {
            let Some(value) = self.ix.arg(call.0, "mask", Some(0)) else {
                continue;
            };
            if kind(value) != "integer" {
                // A mask from a variable (often the one being restored) is not judged.
                continue;
            }
            let Some(Literal::Int(mask)) = self.ix.literal(value) else {
                continue;
            };
            let Ok(mask) = u32::try_from(mask) else {
                continue;
            };
            // `old = os.umask(0)` whose result is later passed back to `os.umask`.
            let saved = call.0.parent().and_then(|parent| {
                (kind(parent) == "assignment")
                    .then(|| parent.child_by_field_id(FIELD.left))
                    .flatten()
                    .map(|left| self.ix.text(left))
            });
            if saved.is_some_and(|name| restored.contains(&name)) {
                continue;
            }
            out.push(UmaskSet {
                call,
                mask,
                value: Expr(value),
            });
        }
        out
    }

    /// Calls that write a file (or make a directory) at a path the code fixes, in full or by
    /// its literal start: `open(p, "w"|"a"|"x"|"+")`, `Path(p).write_text/write_bytes/touch/
    /// mkdir/open("w")`, `os.mkdir`/`os.makedirs`, `sqlite3.connect`, logging's file handlers
    /// and `logging.basicConfig(filename=…)`. Reads are not here.
    pub fn fixed_writes(&self) -> Vec<FixedWrite<'t>> {
        let mut out = Vec::new();
        for call in self.calls() {
            let Some((how, target)) = self.written_path(call) else {
                continue;
            };
            if let Some((path, complete)) = self.path_text(target, 0) {
                out.push(FixedWrite {
                    call,
                    how,
                    path,
                    complete,
                    at: Expr(target),
                });
            }
        }
        out
    }

    /// What a call writes and the expression of the path it writes to.
    fn written_path(&self, call: Call<'t>) -> Option<(&'static str, Node<'t>)> {
        let node = call.0;
        let callee = PyIndex::callee(node)?;
        if kind(callee) == "identifier" && self.ix.text(callee) == "open" && self.is_builtin(callee)
            || self.ix.refers_to(callee, &["io.open", "codecs.open"])
        {
            let mode = self.ix.arg(node, "mode", Some(1))?;
            return self
                .is_write_mode(mode)
                .then_some(("writes", self.ix.arg(node, "file", Some(0))?));
        }
        if self.ix.refers_to(callee, &["os.mkdir", "os.makedirs"]) {
            return Some((
                "makes the directory",
                self.ix
                    .arg(node, "name", Some(0))
                    .or_else(|| self.ix.arg(node, "path", Some(0)))?,
            ));
        }
        if self
            .ix
            .refers_to(callee, &["sqlite3.connect", "sqlite3.dbapi2.connect"])
        {
            let database = self.ix.arg(node, "database", Some(0))?;
            // `file:/tmp/x.db?mode=ro` opens read-only.
            if self
                .ix
                .literal(database)
                .and_then(|l| l.as_str().map(str::to_string))
                .is_some_and(|s| s.contains("mode=ro"))
            {
                return None;
            }
            return Some(("opens the database", database));
        }
        // `os.open(path, flags)` writes when its flags ask to create or write.
        if self.ix.refers_to(callee, &["os.open", "posix.open"]) {
            let flags = self.ix.arg(node, "flags", Some(1))?;
            let how = self.open_flags_write(flags)?;
            return Some((how, self.ix.arg(node, "path", Some(0))?));
        }
        // The destination is what shutil writes; a source in /tmp is only read.
        if let Some(how) = [
            ("shutil.copy", "copies to"),
            ("shutil.copy2", "copies to"),
            ("shutil.copyfile", "copies to"),
            ("shutil.copytree", "copies a tree to"),
            ("shutil.move", "moves to"),
        ]
        .iter()
        .find(|(name, _)| self.ix.refers_to(callee, &[name]))
        .map(|(_, how)| *how)
        {
            return Some((how, self.ix.arg(node, "dst", Some(1))?));
        }
        if self.ix.refers_to(callee, FILE_HANDLERS) {
            return Some(("logs to", self.ix.arg(node, "filename", Some(0))?));
        }
        if self.ix.refers_to(callee, &["logging.basicConfig"]) {
            return Some(("logs to", self.ix.arg(node, "filename", None)?));
        }
        let method = self.ix.callee_attr(node)?;
        let receiver = PyIndex::receiver(node)?;
        let how = match method {
            "write_text" | "write_bytes" => "writes",
            "touch" => "creates",
            "mkdir" => "makes the directory",
            "open" => {
                let mode = self.ix.arg(node, "mode", Some(0))?;
                if !self.is_write_mode(mode) {
                    return None;
                }
                "writes"
            }
            _ => return None,
        };
        self.is_path(receiver, 0).then_some((how, receiver))
    }

    /// What `os.open` flags do to the file when they create or write it (`os.O_CREAT |
    /// os.O_WRONLY`, `O_RDWR`, `O_APPEND`, `O_TRUNC`, or a literal number with those bits);
    /// None for `O_RDONLY` alone or flags the code does not fix.
    fn open_flags_write(&self, flags: Node<'t>) -> Option<&'static str> {
        let text = self.ix.text(flags);
        let names: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if names.iter().any(|w| w.starts_with("O_")) {
            let has = |flag: &str| names.contains(&flag);
            return if has("O_CREAT") || has("O_TMPFILE") {
                Some("creates")
            } else if has("O_WRONLY") || has("O_RDWR") || has("O_APPEND") || has("O_TRUNC") {
                Some("writes")
            } else {
                None
            };
        }
        // Linux's values: O_WRONLY 1, O_RDWR 2, O_CREAT 0o100, O_TRUNC 0o1000, O_APPEND 0o2000.
        match self.ix.literal(flags)? {
            Literal::Int(bits) if bits & 0o100 != 0 => Some("creates"),
            Literal::Int(bits) if bits & 0o3003 != 0 => Some("writes"),
            _ => None,
        }
    }

    /// Whether an `open` mode writes: `w`, `a`, `x` or `+` in a literal mode.
    fn is_write_mode(&self, mode: Node<'t>) -> bool {
        self.ix.string_value(mode).is_some_and(|m| {
            m.chars().all(|c| "rwaxbt+U".contains(c)) && m.contains(['w', 'a', 'x', '+'])
        })
    }

    /// Whether `open` here is the builtin: nothing in the module binds the name.
    fn is_builtin(&self, name: Node<'t>) -> bool {
        let text = self.ix.text(name);
        self.ix.imported(text).is_none()
            && self.ix.function(text).is_none()
            && self.ix.assignments_to(text).is_empty()
            && !self.is_parameter(name)
    }

    /// The path an expression gives as far as the code fixes it, and whether that is all of
    /// it: a string literal (or a name assigned one), an f-string's, `+`'s or `%`'s literal
    /// start, `os.path.join` with a literal first part, `"…".format(…)`, `str(path)` and
    /// `pathlib` paths built from those.
    fn path_text(&self, node: Node<'t>, depth: u8) -> Option<(String, bool)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match kind(node) {
            "string" | "concatenated_string" => match self.ix.string_value(node) {
                Some(value) => Some((value, true)),
                None => self.string_start(node).map(|s| (s, false)),
            },
            "parenthesized_expression" => self.path_text(parenthesized(node)?, depth + 1),
            "identifier" => {
                let value = self
                    .ix
                    .assigned_value(node)
                    .or_else(|| self.with_binding(node))?;
                self.path_text(value, depth + 1)
            }
            "binary_operator" => {
                let operator = kind(node.child_by_field_id(FIELD.operator)?);
                let left = node.child_by_field_id(FIELD.left)?;
                let right = node.child_by_field_id(FIELD.right)?;
                match operator {
                    "+" => {
                        let (start, _) = self.path_text(left, depth + 1)?;
                        let rest = self.path_text(right, depth + 1);
                        Some(match rest {
                            Some((rest, true)) => (format!("{start}{rest}"), true),
                            _ => (start, false),
                        })
                    }
                    "%" => {
                        let (start, _) = self.path_text(left, depth + 1)?;
                        let start = start.split('%').next().unwrap_or_default().to_string();
                        Some((start, false))
                    }
                    "/" if self.is_path(left, depth + 1) => {
                        let (start, complete) = self.path_text(left, depth + 1)?;
                        Some(join(start, complete, self.path_text(right, depth + 1)))
                    }
                    _ => None,
                }
            }
            "call" => {
                let callee = PyIndex::callee(node)?;
                if self
                    .ix
                    .refers_to(callee, &["os.path.join", "posixpath.join"])
                    || self.ix.refers_to(callee, PATH_CLASSES)
                    || self.ix.callee_attr(node) == Some("joinpath")
                        && PyIndex::receiver(node).is_some_and(|r| self.is_path(r, depth + 1))
                {
                    let mut parts = Vec::new();
                    if let Some(receiver) = PyIndex::receiver(node)
                        .filter(|_| self.ix.callee_attr(node) == Some("joinpath"))
                    {
                        parts.push(receiver);
                    }
                    let args = node.child_by_field_id(FIELD.arguments)?;
                    let mut cursor = args.walk();
                    parts.extend(
                        args.named_children(&mut cursor)
                            .filter(|a| kind(*a) != "comment" && kind(*a) != "keyword_argument"),
                    );
                    let (mut path, mut complete) = self.path_text(*parts.first()?, depth + 1)?;
                    for part in &parts[1..] {
                        (path, complete) = join(path, complete, self.path_text(*part, depth + 1));
                    }
                    return Some((path, complete));
                }
                if self.ix.refers_to(callee, &["str", "os.fspath"]) {
                    return self.path_text(self.ix.arg(node, "", Some(0))?, depth + 1);
                }
                if self.ix.callee_attr(node) == Some("format")
                    && let Some(receiver) = PyIndex::receiver(node)
                    && kind(receiver) == "string"
                {
                    let (text, _) = self.path_text(receiver, depth + 1)?;
                    let start = text.split('{').next().unwrap_or_default().to_string();
                    return Some((start, false));
                }
                None
            }
            _ => None,
        }
    }

    /// The literal start of an f-string, before its first interpolation.
    fn string_start(&self, node: Node<'t>) -> Option<String> {
        if kind(node) != "string" {
            return None;
        }
        let mut out = String::new();
        let mut cursor = node.walk();
        for part in node.children(&mut cursor) {
            match kind(part) {
                "string_start" if self.ix.text(part).to_ascii_lowercase().contains('b') => {
                    return None;
                }
                "string_content" => {
                    // Interpolations may sit inside the content: keep what comes before.
                    let mut inner = part.walk();
                    let end = part
                        .children(&mut inner)
                        .find(|c| kind(*c) == "interpolation")
                        .map_or(part.end_byte(), |c| c.start_byte());
                    let text = self.ix.text(part);
                    out.push_str(&text[..end - part.start_byte()]);
                    if end != part.end_byte() {
                        return Some(out);
                    }
                }
                "interpolation" => return Some(out),
                _ => {}
            }
        }
        Some(out)
    }
}

/// `start` joined with the next part of a path (a literal or unknown).
fn join(start: String, complete: bool, next: Option<(String, bool)>) -> (String, bool) {
    if !complete {
        return (start, false);
    }
    match next {
        Some((next, next_complete)) if next.starts_with('/') => (next, next_complete),
        Some((next, next_complete)) => {
            let sep = if start.ends_with('/') { "" } else { "/" };
            (format!("{start}{sep}{next}"), next_complete)
        }
        None => {
            let sep = if start.ends_with('/') { "" } else { "/" };
            (format!("{start}{sep}"), false)
        }
    }
}
