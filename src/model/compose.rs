//! What a docker-compose file deploys: its services, each with the image or build it runs,
//! command and entrypoint, environment (inline and `env_file`), published ports, user,
//! privileges and volumes, with spans into the file. Both the Compose specification
//! (`services:`) and legacy version-1 files (services at the top level) are read.

use crate::diagnostic::Label;
use crate::files::FileSet;
use crate::model::container::{Image, UserSource};
use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, ImageHostBind, PathFact, PathKind, Placement, Process,
};
use crate::model::launcher::{self, Launch};
use crate::model::listen::{PublishedPort as Port, parse_port};
use crate::source::{MappedText, Span};
use crate::syntax::yaml::{Kind, NodeId, Yaml, YamlError};
use crate::syntax::{dockerfile, dotenv};
use std::path::{Path, PathBuf};

/// A scalar from the file: its value and where it is.
#[derive(Debug, Clone, Default)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct ComposeFile {
    pub services: Vec<Service>,
    /// The YAML did not parse: Compose rejects the file, so nothing else is read.
    pub error: Option<YamlError>,
    /// Files that could not be followed (outside the linted trees, unreadable).
    pub notes: Vec<String>,
    /// Values Compose rejects (a malformed `ports:` entry), with what is wrong.
    pub invalid: Vec<(Span, String)>,
}

#[derive(Debug, Default)]
pub struct Service {
    pub name: Str,
    pub image: Option<Str>,
    pub build: Option<Build>,
    pub command: Option<Vec<MappedText>>,
    pub entrypoint: Option<Vec<MappedText>>,
    pub environment: Vec<EnvEntry>,
    pub env_files: Vec<EnvFile>,
    pub ports: Vec<Port>,
    pub user: Option<Str>,
    /// The `true` of `privileged: true`.
    pub privileged: Option<Span>,
    pub volumes: Vec<Volume>,
    /// `network_mode: host` (or v1 `net: host`): the service shares the host's network. The
    /// value's span.
    pub host_network: Option<Span>,
    /// `security_opt:` entries (`seccomp:unconfined`, `label=disable`).
    pub security_opt: Vec<Str>,
    /// `cap_add:` entries as written.
    pub cap_add: Vec<Str>,
    /// `pid: host` and `ipc: host`: the key (`pid`) and the value's span.
    pub host_namespaces: Vec<(String, Span)>,
    /// A development service: a development build target, profile or name, or a file named
    /// as a development configuration (`docker-compose.override.yml`, `compose.dev.yaml`).
    pub development: bool,
}

/// `build:` and what its Dockerfile says, when it could be read.
#[derive(Debug, Default)]
pub struct Build {
    /// The `build` key, where findings about the built image point.
    pub key: Span,
    pub dockerfile: Option<BuiltImage>,
    /// `target:`, the stage built.
    pub target: Option<String>,
    /// A build argument that asks for a development image (`DEVEL: "yes"`), as `NAME=value`.
    pub development_arg: Option<String>,
}

/// Facts from the Dockerfile a service is built from.
#[derive(Debug)]
pub struct BuiltImage {
    pub path: PathBuf,
    /// The user the built stage runs as.
    pub user: BuiltUser,
    /// The external base image of the built stage (`FROM python:3.12`), expanded if possible.
    pub base: String,
    pub from_span: Span,
    /// The account the image's start script switches to on every way it ends (`exec gosu
    /// app "$@"`), with the span of the instruction that runs it: the service runs as that
    /// account when it keeps the image's entrypoint and command.
    pub drops_to: Option<(String, Span)>,
    /// What the image's start command binds on every interface: harmless in the container's
    /// own network, exposed when a service runs it with the host's.
    pub open_binds: Vec<ImageBind>,
}

/// A bind on every interface by the image's start command, as the Dockerfile writes it.
#[derive(Debug, Clone)]
pub struct ImageBind {
    /// `0.0.0.0`, or empty for a server's default of every interface.
    pub host: String,
    /// The command as written, for messages.
    pub command: String,
    /// The address (or the command, for a default) in the Dockerfile.
    pub at: Span,
}

#[derive(Debug)]
pub enum BuiltUser {
    /// A `USER` instruction, with its value when known.
    Set { value: Option<String>, span: Span },
    /// No `USER` in the stage or its ancestry.
    Unset,
}

/// An `environment:` entry with a literal value.
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: String,
    /// None when the value comes from the shell or an interpolated variable.
    pub value: Option<String>,
    pub span: Span,
}

/// An `env_file:` entry and the variables read from it.
#[derive(Debug, Clone)]
pub struct EnvFile {
    pub entry: Str,
    pub path: PathBuf,
    /// (name, value, span of the line's `NAME=value` in that file); interpolated values are left out.
    pub vars: Vec<(String, String, Span)>,
}

/// A bind mount from the host.
#[derive(Debug, Clone)]
pub struct Volume {
    pub source: String,
    pub target: String,
    pub span: Span,
}

/// How the engine lets the model read other files.
pub struct Reader<'a> {
    /// The compose file's path.
    pub path: &'a Path,
    /// The files the model may read (inside the linted trees only).
    pub files: &'a FileSet,
}

impl Reader<'_> {
    /// Reads `relative` (resolved against the compose file's directory) if it lies inside
    /// the roots.
    fn read(&self, relative: &str) -> Result<(PathBuf, String), String> {
        let base = self.path.parent().unwrap_or(Path::new(""));
        let wanted = base.join(relative);
        match self.files.read(&wanted) {
            Ok(file) => Ok((wanted, file.text.clone())),
            Err(why) => Err(format!("{}: {why}", wanted.display())),
        }
    }
}

pub use crate::model::deployment::is_development_word;
use crate::model::deployment::{is_development_dir, says_development};

/// Whether the file name says the file is a development configuration.
pub fn is_development_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.trim_end_matches(".yaml").trim_end_matches(".yml");
    is_development_word(stem)
}

/// Whether the file is a development configuration: by its name, by a directory it sits in
/// inside the linted tree (`tests/`, `ci/`, `e2e/`), or, for the plain `docker-compose.yml`,
/// by a production variant beside it (`docker-compose.prod.yml`), which makes the plain file
/// the development one.
fn is_development_config(reader: &Reader<'_>) -> bool {
    let path = reader.path;
    if is_development_file(path) {
        return true;
    }
    // A file name is the file's own: `__` in it is no directory separator.
    let own = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut parts: Vec<String> = Vec::new();
    if let Ok(canonical) = std::fs::canonicalize(path)
        && let Some(root) = reader
            .files
            .roots()
            .iter()
            .find(|r| canonical.starts_with(r))
        && let Ok(relative) = canonical.strip_prefix(root)
        && let Some(parent) = relative.parent()
    {
        parts.extend(
            parent
                .components()
                .filter_map(|c| c.as_os_str().to_str())
                .map(str::to_string),
        );
    }
    if parts.iter().any(|p| is_development_dir(p)) {
        return true;
    }
    let own_lower = own.to_ascii_lowercase();
    let Some((stem, ext)) = own_lower.rsplit_once('.') else {
        return false;
    };
    if !matches!(stem, "docker-compose" | "compose") || reader.files.roots().is_empty() {
        return false;
    }
    ["prod", "production"].iter().any(|variant| {
        path.with_file_name(format!("{stem}.{variant}.{ext}"))
            .is_file()
    })
}

/// A command whose program or subcommand is named for development (`dev_server`,
/// `npm run dev`).
fn runs_development_command(words: &[MappedText]) -> bool {
    words
        .iter()
        .take_while(|w| !w.as_str().starts_with('-'))
        .take(3)
        .any(|w| is_development_word(w.as_str().rsplit('/').next().unwrap_or("")))
}

pub fn read(yaml: &Yaml<'_>, reader: &Reader<'_>) -> ComposeFile {
    let mut file = ComposeFile {
        error: yaml.error.clone(),
        ..ComposeFile::default()
    };
    if file.error.is_some() {
        return file;
    }
    let Some(root) = yaml.root.filter(|r| yaml.is_map(*r)) else {
        return file;
    };
    let development_file = is_development_config(reader) || says_development(yaml.source());
    // The Compose specification nests services under `services:`; version-1 files put them
    // at the top level (only mappings with an image or a build are services there).
    let (services, legacy) = match yaml.value(root, "services") {
        Some(services) => (services, false),
        None => (root, true),
    };
    if !yaml.is_map(services) {
        return file;
    }
    for (key, node) in yaml.entries(services) {
        let Some(name) = yaml.scalar(key) else {
            continue;
        };
        if !yaml.is_map(node) || name.starts_with("x-") {
            continue;
        }
        if legacy && yaml.get(node, "image").is_none() && yaml.get(node, "build").is_none() {
            continue;
        }
        let mut service = Service {
            name: Str {
                value: name.to_string(),
                span: yaml.span(key),
            },
            ..Service::default()
        };
        read_service(
            yaml,
            node,
            reader,
            &mut service,
            &mut file.notes,
            &mut file.invalid,
        );
        service.development |= [&service.entrypoint, &service.command]
            .into_iter()
            .flatten()
            .any(|words| runs_development_command(words));
        service.development |= development_file || is_development_word(name);
        file.services.push(service);
    }
    file
}

fn scalar_str(yaml: &Yaml<'_>, id: NodeId) -> Option<Str> {
    yaml.scalar(id).map(|v| Str {
        value: v.to_string(),
        span: yaml.span(id),
    })
}

/// Whether a value is interpolated by Compose (`$VAR`, `${VAR:-x}`; `$$` is a literal `$`).
pub fn is_interpolated(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            if b.get(i + 1) == Some(&b'$') {
                i += 2;
                continue;
            }
            if b.get(i + 1)
                .is_some_and(|c| *c == b'{' || c.is_ascii_alphabetic() || *c == b'_')
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// The literal value of a string Compose interpolates: None where a variable decides it.
pub fn literal(text: &str) -> Option<String> {
    (!is_interpolated(text)).then(|| text.replace("$$", "$"))
}

fn read_service(
    yaml: &Yaml<'_>,
    node: NodeId,
    reader: &Reader<'_>,
    service: &mut Service,
    notes: &mut Vec<String>,
    invalid: &mut Vec<(Span, String)>,
) {
    for (key, value) in yaml.entries(node) {
        let Some(name) = yaml.scalar(key) else {
            continue;
        };
        if yaml.is_null(value) || yaml.node(value).tag.as_deref() == Some("!reset") {
            continue;
        }
        match name {
            "image" => service.image = scalar_str(yaml, value),
            "build" => service.build = Some(read_build(yaml, key, value, reader, service, notes)),
            "command" => service.command = Some(command_words(yaml, value)),
            "entrypoint" => service.entrypoint = Some(command_words(yaml, value)),
            "environment" => service.environment = environment(yaml, value),
            "env_file" => service.env_files = env_files(yaml, value, reader, notes),
            "ports" => service.ports = ports(yaml, value, invalid),
            "security_opt" => service.security_opt = strings(yaml, value),
            "cap_add" => service.cap_add = strings(yaml, value),
            "pid" | "ipc" if yaml.scalar(value) == Some("host") => {
                service
                    .host_namespaces
                    .push((name.to_string(), yaml.span(value)));
            }
            "user" => service.user = scalar_str(yaml, value),
            "privileged" if yaml.is_true(value) => service.privileged = Some(yaml.span(value)),
            "volumes" => service.volumes = volumes(yaml, value),
            "network_mode" | "net" => {
                service.host_network =
                    (yaml.scalar(value) == Some("host")).then(|| yaml.span(value));
            }
            "container_name" => {
                service.development |= yaml.scalar(value).is_some_and(is_development_word);
            }
            "profiles" => {
                service.development |= yaml
                    .items(value)
                    .iter()
                    .filter_map(|p| yaml.scalar(*p))
                    .any(is_development_word);
            }
            _ => {}
        }
    }
}

fn read_build(
    yaml: &Yaml<'_>,
    key: NodeId,
    value: NodeId,
    reader: &Reader<'_>,
    service: &mut Service,
    notes: &mut Vec<String>,
) -> Build {
    let mut build = Build {
        key: yaml.span(key),
        ..Build::default()
    };
    let (context, dockerfile, target) = if yaml.is_map(value) {
        let get = |k: &str| yaml.value(value, k).and_then(|v| yaml.scalar(v));
        build.target = get("target").map(str::to_string);
        build.development_arg = yaml
            .value(value, "args")
            .and_then(|args| development_arg(yaml, args));
        service.development |= build.development_arg.is_some();
        if yaml.value(value, "dockerfile_inline").is_some() {
            return build;
        }
        (
            get("context").unwrap_or("."),
            get("dockerfile").unwrap_or("Dockerfile"),
            get("target"),
        )
    } else {
        (yaml.scalar(value).unwrap_or("."), "Dockerfile", None)
    };
    if let Some(target) = target
        && is_development_word(target)
    {
        service.development = true;
    }
    // A remote context (git URL, https tarball) or an interpolated path cannot be read.
    if context.contains("://")
        || context.starts_with("git@")
        || is_interpolated(context)
        || is_interpolated(dockerfile)
    {
        return build;
    }
    let path = if Path::new(dockerfile).is_absolute() {
        dockerfile.to_string()
    } else {
        format!("{}/{dockerfile}", context.trim_end_matches('/'))
    };
    match reader.read(&path) {
        Ok((path, text)) => build.dockerfile = built_image(path, &text, target, reader.files),
        Err(note) => notes.push(note),
    }
    build
}

/// A build argument that asks for a development image: a name made of development words set
/// to a true value (`DEVEL: "yes"`, `DEBUG=1`, `INSTALL_DEV: true`), or any argument set to a
/// development word (`BUILD_ENV: development`). `args:` is a mapping or a `NAME=value` list.
fn development_arg(yaml: &Yaml<'_>, args: NodeId) -> Option<String> {
    let pairs: Vec<(String, String)> = if yaml.is_map(args) {
        yaml.entries(args)
            .into_iter()
            .filter_map(|(k, v)| Some((yaml.scalar(k)?.to_string(), yaml.scalar(v)?.to_string())))
            .collect()
    } else {
        yaml.items(args)
            .iter()
            .filter_map(|i| {
                yaml.scalar(*i)?
                    .split_once('=')
                    .map(|(n, v)| (n.into(), v.into()))
            })
            .collect()
    };
    pairs.into_iter().find_map(|(name, value)| {
        let value = value.trim().trim_matches(['"', '\'']);
        let lower = value.to_ascii_lowercase();
        let truthy = matches!(lower.as_str(), "1" | "true" | "yes" | "y" | "on");
        let says_development = matches!(
            lower.as_str(),
            "dev" | "devel" | "develop" | "development" | "debug" | "local"
        );
        let named_development = name
            .to_ascii_lowercase()
            .split(['_', '-'])
            .any(|p| matches!(p, "dev" | "devel" | "develop" | "development" | "debug"));
        ((named_development && truthy) || says_development).then(|| format!("{name}={value}"))
    })
}

fn built_image(
    path: PathBuf,
    text: &str,
    target: Option<&str>,
    files: &FileSet,
) -> Option<BuiltImage> {
    let file = dockerfile::parse(text);
    let mut image = Image::new(&file);
    image.read_scripts(&path, text.len(), files);
    let stage = match target {
        Some(t) => image.stages.iter().position(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.as_str().eq_ignore_ascii_case(t))
        })?,
        None => image.final_stage()?,
    };
    let user = match image.effective_user(stage) {
        UserSource::Instruction { word, value, .. } => BuiltUser::Set {
            value,
            span: word.span(),
        },
        UserSource::BaseImage => BuiltUser::Unset,
    };
    let (base, base_stage) = image.base_image(stage);
    let drops_to = (image.production_stage() == Some(stage))
        .then(|| image.start_drop(stage))
        .flatten();
    let open_binds = if image.production_stage() == Some(stage) {
        open_binds(&image, text)
    } else {
        Vec::new()
    };
    Some(BuiltImage {
        path,
        user,
        base,
        from_span: image.stages[base_stage].image.span(),
        drops_to,
        open_binds,
    })
}

fn open_binds(image: &Image<'_>, text: &str) -> Vec<ImageBind> {
    let slice = |span: Span| text.get(span.start..span.end).unwrap_or_default();
    image
        .deployment()
        .processes
        .iter()
        .flat_map(|process| {
            let command =
                crate::model::project::command_as_written(slice(process.launch.command_span()));
            process
                .listen
                .iter()
                .filter(|l| crate::model::listen::is_all_interfaces(&l.host))
                .map(move |l| ImageBind {
                    host: l.host.clone(),
                    command: command.clone(),
                    at: l.span,
                })
        })
        .collect()
}

/// `command:`/`entrypoint:` as argv: a list as written, a string split as Compose splits it.
fn command_words(yaml: &Yaml<'_>, value: NodeId) -> Vec<MappedText> {
    match &yaml.node(value).kind {
        Kind::Seq(items) => items
            .iter()
            .filter(|i| yaml.scalar(**i).is_some())
            .map(|i| yaml.text(*i))
            .collect(),
        Kind::Scalar { .. } => shell_words(&yaml.text(value)),
        _ => Vec::new(),
    }
}

/// Splits a string command the way Compose does (go-shellwords): whitespace separates,
/// quotes and backslashes work as in sh, and an unquoted `;`, `&`, `|`, `<` or `>` ends the
/// command (what follows is not run: Compose does not start a shell).
pub fn shell_words(line: &MappedText) -> Vec<MappedText> {
    let s = line.as_str();
    let mut words = Vec::new();
    let mut word: Option<(MappedText, usize)> = None;
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut finish = |word: &mut Option<(MappedText, usize)>, end: usize| {
        if let Some((text, start)) = word.take() {
            words.push(text.with_span(line.span_of(start..end)));
        }
    };
    for (i, c) in s.char_indices() {
        let len = c.len_utf8();
        let origin = line.origin(i);
        let push = |word: &mut Option<(MappedText, usize)>, c: char| {
            let (text, _) = word.get_or_insert_with(|| (MappedText::new(origin), i));
            text.push_char(c, origin, origin + len);
        };
        if escaped {
            escaped = false;
            push(&mut word, c);
            continue;
        }
        match c {
            '\\' if !single => {
                escaped = true;
                word.get_or_insert_with(|| (MappedText::new(origin), i));
            }
            '\'' if !double => {
                single = !single;
                word.get_or_insert_with(|| (MappedText::new(origin), i));
            }
            '"' if !single => {
                double = !double;
                word.get_or_insert_with(|| (MappedText::new(origin), i));
            }
            ' ' | '\t' | '\n' | '\r' if !single && !double => finish(&mut word, i),
            ';' | '&' | '|' | '<' | '>' if !single && !double => {
                finish(&mut word, i);
                return words;
            }
            _ => push(&mut word, c),
        }
    }
    finish(&mut word, s.len());
    words
}

fn environment(yaml: &Yaml<'_>, value: NodeId) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    if yaml.is_map(value) {
        for (key, val) in yaml.entries(value) {
            let Some(name) = yaml.scalar(key) else {
                continue;
            };
            let literal_value = if yaml.is_null(val) {
                None
            } else {
                yaml.scalar(val).and_then(literal)
            };
            out.push(EnvEntry {
                name: name.to_string(),
                value: literal_value,
                span: yaml.span(key).cover(yaml.span(val)),
            });
        }
    } else {
        for &item in yaml.items(value) {
            let Some(text) = yaml.scalar(item) else {
                continue;
            };
            let (name, val) = match text.split_once('=') {
                Some((n, v)) => (n, literal(v)),
                None => (text, None),
            };
            out.push(EnvEntry {
                name: name.trim().to_string(),
                value: val,
                span: yaml.span(item),
            });
        }
    }
    out
}

fn env_files(
    yaml: &Yaml<'_>,
    value: NodeId,
    reader: &Reader<'_>,
    notes: &mut Vec<String>,
) -> Vec<EnvFile> {
    let mut entries = Vec::new();
    match &yaml.node(value).kind {
        Kind::Scalar { .. } => entries.extend(scalar_str(yaml, value)),
        Kind::Seq(items) => {
            for &item in items {
                if yaml.is_map(item) {
                    entries.extend(yaml.value(item, "path").and_then(|p| scalar_str(yaml, p)));
                } else {
                    entries.extend(scalar_str(yaml, item));
                }
            }
        }
        _ => {}
    }
    let mut out = Vec::new();
    for entry in entries {
        if is_interpolated(&entry.value) {
            continue;
        }
        match reader.read(&entry.value) {
            Ok((path, text)) => out.push(EnvFile {
                vars: parse_env_file(&text),
                entry,
                path,
            }),
            Err(note) => notes.push(note),
        }
    }
    out
}

/// `NAME=value` lines of an env file (`#` comments, optional `export `, quotes removed);
/// values that interpolate a variable are left out.
pub fn parse_env_file(text: &str) -> Vec<(String, String, Span)> {
    let mut out = Vec::new();
    for line in dotenv::lines(text, 0) {
        let raw = line.value.as_str();
        let (value, interpolates) = match raw.as_bytes().first() {
            Some(b'\'') => (raw.trim_matches('\'').to_string(), false),
            Some(b'"') => (raw.trim_matches('"').to_string(), is_interpolated(raw)),
            _ => {
                let v = raw.split(" #").next().unwrap_or("").trim();
                (v.to_string(), is_interpolated(v))
            }
        };
        if !interpolates {
            out.push((line.name.as_str().to_string(), value, line.span));
        }
    }
    out
}

/// The scalar items of a list (a single scalar counts as a list of one).
fn strings(yaml: &Yaml<'_>, value: NodeId) -> Vec<Str> {
    match &yaml.node(value).kind {
        Kind::Seq(items) => items.iter().filter_map(|i| scalar_str(yaml, *i)).collect(),
        Kind::Scalar { .. } => scalar_str(yaml, value).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A port or port range as Compose accepts it (`8000`, `8000-8010`), or a value Compose
/// interpolates (which cannot be judged).
fn is_port_spec(text: &str) -> bool {
    let number = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    is_interpolated(text)
        || match text.split_once('-') {
            Some((a, b)) => number(a) && number(b),
            None => number(text),
        }
}

/// What is wrong with a short-syntax port entry Compose would reject, if anything.
fn short_port_error(text: &str, port: Option<&Port>) -> Option<String> {
    let form = "Compose expects `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`";
    let Some(port) = port else {
        return Some(format!("`{text}` is not a port mapping: {form}"));
    };
    if !is_port_spec(&port.target) {
        return Some(format!(
            "`{}` is not a container port or range in `{text}`: {form}",
            port.target
        ));
    }
    if let Some(published) = &port.published
        && !is_port_spec(published)
    {
        return Some(format!(
            "`{published}` is not a host port or range in `{text}`: {form}"
        ));
    }
    if let Some(ip) = &port.host_ip
        && !is_interpolated(ip)
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        return Some(format!("`{ip}` is not an IP address in `{text}`: {form}"));
    }
    None
}

fn ports(yaml: &Yaml<'_>, value: NodeId, invalid: &mut Vec<(Span, String)>) -> Vec<Port> {
    let mut out = Vec::new();
    for &item in yaml.items(value) {
        if yaml.is_map(item) {
            let get = |k: &str| yaml.value(item, k);
            let Some(target) = get("target").and_then(|t| yaml.scalar(t)) else {
                invalid.push((
                    yaml.span(item),
                    "a long-syntax port has no `target:` (the container port)".to_string(),
                ));
                continue;
            };
            if !is_port_spec(target) {
                invalid.push((
                    yaml.span(get("target").unwrap_or(item)),
                    format!("`target: {target}` is not a container port"),
                ));
                continue;
            }
            if let Some(published) = get("published")
                && let Some(text) = yaml.scalar(published)
                && !is_port_spec(text)
            {
                let message = match text.rsplit_once(':') {
                    Some((ip, port)) if is_port_spec(port) => format!(
                        "`published: {text}` holds a host address: Compose wants only the \
                         port here; write `host_ip: {}` and `published: {port}`",
                        ip.trim_start_matches('[').trim_end_matches(']')
                    ),
                    _ => format!("`published: {text}` is not a host port or range"),
                };
                invalid.push((yaml.span(published), message));
                continue;
            }
            let host_ip = get("host_ip")
                .and_then(|h| yaml.scalar(h))
                .map(str::to_string);
            let published = get("published");
            out.push(Port {
                host_ip_unknown: host_ip.as_deref().is_some_and(is_interpolated),
                host_ip,
                published: published.and_then(|p| yaml.scalar(p)).map(str::to_string),
                target: target.to_string(),
                span: published
                    .or(get("target"))
                    .map_or(yaml.span(item), |n| yaml.span(n)),
            });
        } else if let Some(text) = yaml.scalar(item) {
            let port = parse_port(text);
            if let Some(error) = short_port_error(text, port.as_ref()) {
                invalid.push((yaml.span(item), error));
                continue;
            }
            if let Some(mut port) = port {
                port.span = yaml.span(item);
                out.push(port);
            }
        }
    }
    out
}

fn volumes(yaml: &Yaml<'_>, value: NodeId) -> Vec<Volume> {
    let mut out = Vec::new();
    for &item in yaml.items(value) {
        if yaml.is_map(item) {
            let get = |k: &str| yaml.value(item, k).and_then(|v| yaml.scalar(v));
            if get("type") != Some("bind") {
                continue;
            }
            let (Some(source), Some(source_node)) = (get("source"), yaml.value(item, "source"))
            else {
                continue;
            };
            out.push(Volume {
                source: source.to_string(),
                target: get("target").unwrap_or("").to_string(),
                span: yaml.span(source_node),
            });
        } else if let Some(text) = yaml.scalar(item) {
            let mut parts = text.splitn(3, ':');
            let (Some(source), Some(target)) = (parts.next(), parts.next()) else {
                continue;
            };
            // A named volume has no path separator.
            if !(source.starts_with('/') || source.starts_with('.') || source.starts_with('~')) {
                continue;
            }
            let span = yaml.span(item);
            out.push(Volume {
                source: source.to_string(),
                target: target.to_string(),
                span,
            });
        }
    }
    out
}

impl ComposeFile {
    /// Lowers the services into the deployment model: each service's command line (a
    /// container process, or a host process with `network_mode: host`) and its `environment:`.
    /// Development services are left out: their dev servers and debug flags are intended.
    pub fn deployment(&self) -> Deployment {
        let mut out = Deployment::default();
        for service in self.services.iter().filter(|s| !s.development) {
            let placement = if service.host_network.is_some() {
                Placement::Host
            } else {
                Placement::Container
            };
            let index = out.services.len();
            let subject = format!("service `{}`", service.name.value);
            let writable = service
                .volumes
                .iter()
                .map(|volume| PathFact {
                    kind: PathKind::HostMount,
                    path: volume.source.trim_end_matches('/').to_string(),
                    how: format!("{subject} bind-mounts the host's"),
                    at: volume.span,
                })
                .collect();
            let launches = service.launches();
            let host_binds_of_image = match (service.host_network, &service.build) {
                (Some(at), Some(build)) if launches.is_empty() => build
                    .dockerfile
                    .iter()
                    .flat_map(|image| {
                        image.open_binds.iter().map(|bind| ImageHostBind {
                            at,
                            host: bind.host.clone(),
                            command: bind.command.clone(),
                            label: Label {
                                path: Some(image.path.clone()),
                                span: bind.at,
                                message: "the image's start command binds here".to_string(),
                            },
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            out.services.push(crate::model::deployment::Service {
                host_binds_of_image,
                user: service.account(),
                writable,
                name: Some(service.name.value.clone()),
                image: service.image.as_ref().map(|i| i.value.clone()),
                built: service.build.is_some(),
                base_image: service
                    .build
                    .as_ref()
                    .and_then(|b| b.dockerfile.as_ref())
                    .map(|d| d.base.clone()),
                published: service.ports.clone(),
                ..crate::model::deployment::Service::new(subject, placement)
            });
            for (launch, origin) in launches {
                out.processes
                    .push(Process::new(launch, placement, origin).in_service(index));
            }
            for entry in &service.environment {
                if let Some(value) = &entry.value {
                    out.env.push(EnvVar::new(
                        entry.name.clone(),
                        value.clone(),
                        entry.span,
                        "environment:",
                    ));
                }
            }
            // `env_file:` entries, unless `environment:` sets the same name (it wins).
            for env_file in &service.env_files {
                for (name, value, span) in &env_file.vars {
                    if service.environment.iter().any(|e| &e.name == name) {
                        continue;
                    }
                    out.env.push(EnvVar {
                        label: Some(Label {
                            path: Some(env_file.path.clone()),
                            span: *span,
                            message: "set here".to_string(),
                        }),
                        service: Some(index),
                        ..EnvVar::new(
                            name.clone(),
                            value.clone(),
                            env_file.entry.span,
                            &format!("env_file {}", env_file.entry.value),
                        )
                    });
                }
            }
        }
        out
    }
}

impl Service {
    /// The account the service runs as: its `user:`, else the user of the Dockerfile it is
    /// built from; unknown for an image pulled by name (it runs as whatever user it was
    /// published with).
    pub fn account(&self) -> Option<Account> {
        if let Some(user) = &self.user {
            let value = literal(&user.value);
            return Some(Account {
                how: format!("user: {}", value.as_deref().unwrap_or(&user.value)),
                kind: AccountKind::Named(value),
                at: user.span,
                label: None,
            });
        }
        let build = self.build.as_ref()?;
        let image = build.dockerfile.as_ref()?;
        let in_dockerfile = |span: Span, message: &str| {
            Some(Label {
                path: Some(image.path.clone()),
                span,
                message: message.to_string(),
            })
        };
        // The image's start script runs only when the service keeps its entrypoint, and is
        // handed the image's CMD only when the service keeps that too.
        if let Some((name, span)) = &image.drops_to
            && self.entrypoint.is_none()
            && self.command.is_none()
        {
            return Some(Account {
                how: format!("its Dockerfile's start script switches to {name}"),
                kind: AccountKind::Named(Some(name.clone())),
                at: build.key,
                label: in_dockerfile(*span, "the start script this runs switches account"),
            });
        }
        Some(match &image.user {
            BuiltUser::Set { value, span } => Account {
                how: format!(
                    "it sets no user: and its Dockerfile's last USER is {}",
                    value.as_deref().unwrap_or("")
                ),
                kind: AccountKind::Named(value.clone()),
                at: build.key,
                label: in_dockerfile(*span, "the image switches to root here"),
            },
            BuiltUser::Unset => Account {
                kind: AccountKind::ImageDefault(image.base.clone()),
                how: "it sets no user: and its Dockerfile never sets USER".to_string(),
                at: build.key,
                label: in_dockerfile(
                    image.from_span,
                    "built from this base image, whose default user is root",
                ),
            },
        })
    }

    /// The processes the service's `entrypoint:` and `command:` start, combined as Docker
    /// combines them; a wrapper entrypoint is looked through to the command it is handed.
    pub fn launches(&self) -> Vec<(Launch, &'static str)> {
        let mut out = Vec::new();
        match (&self.entrypoint, &self.command) {
            (Some(entrypoint), command) if !entrypoint.is_empty() => {
                let mut argv = entrypoint.clone();
                argv.extend(command.iter().flatten().cloned());
                let launches = launcher::from_exec(&argv);
                let wrapper_only = launches
                    .iter()
                    .all(|l| matches!(l.program, launcher::Program::Other { .. }));
                out.extend(
                    launches
                        .into_iter()
                        .map(|l| (l, "the service's entrypoint:")),
                );
                if wrapper_only && let Some(command) = command {
                    out.extend(
                        launcher::from_exec(command)
                            .into_iter()
                            .map(|l| (l, "the service's command:")),
                    );
                }
            }
            (_, Some(command)) if !command.is_empty() => out.extend(
                launcher::from_exec(command)
                    .into_iter()
                    .map(|l| (l, "the service's command:")),
            ),
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    fn model(src: &str) -> ComposeFile {
        let y = yaml::parse(src);
        read(
            &y,
            &Reader {
                path: Path::new("compose.yaml"),
                files: &FileSet::default(),
            },
        )
    }

    #[test]
    fn spec_and_legacy_files() {
        let spec = model("services:\n  web:\n    image: app\n    user: root\n");
        assert_eq!(spec.services.len(), 1);
        assert_eq!(spec.services[0].user.as_ref().unwrap().value, "root");
        let legacy = model("web:\n  image: app\n  user: root\nx: 1\nnotes:\n  a: b\n");
        assert_eq!(legacy.services.len(), 1);
        assert_eq!(legacy.services[0].name.value, "web");
    }

    #[test]
    fn words_split_like_compose() {
        let src = "services:\n  w:\n    command: sh -c \"flask run\" && echo hi\n";
        let f = model(src);
        let words: Vec<_> = f.services[0]
            .command
            .as_ref()
            .unwrap()
            .iter()
            .map(|w| (w.as_str().to_string(), src[w.span().range()].to_string()))
            .collect();
        assert_eq!(
            words,
            [
                ("sh".into(), "sh".into()),
                ("-c".into(), "-c".into()),
                ("flask run".into(), "\"flask run\"".into())
            ]
        );
    }

    #[test]
    fn environment_forms_and_interpolation() {
        let f = model(
            "services:\n  w:\n    image: x\n    environment:\n      - A=1\n      - B\n      - C=${C:-1}\n",
        );
        let env: Vec<_> = f.services[0]
            .environment
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(env, [("A", Some("1")), ("B", None), ("C", None)]);
        let f = model(
            "services:\n  w:\n    image: x\n    environment:\n      A: 1\n      B:\n      C: $$HOME\n",
        );
        let env: Vec<_> = f.services[0]
            .environment
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(env, [("A", Some("1")), ("B", None), ("C", Some("$HOME"))]);
    }

    #[test]
    fn env_file_lines() {
        let vars = parse_env_file("# c\nexport A=1\nB=\"x y\"\nC=${D}\nE=2 # note\n");
        let names: Vec<_> = vars.iter().map(|v| (v.0.as_str(), v.1.as_str())).collect();
        assert_eq!(names, [("A", "1"), ("B", "x y"), ("E", "2")]);
    }

    #[test]
    fn development_build_arguments() {
        let arg = |args: &str| {
            let file = model(&format!(
                "services:\n  web:\n    build:\n      context: .\n      args:\n{args}"
            ));
            let service = &file.services[0];
            let found = service.build.as_ref().unwrap().development_arg.clone();
            assert_eq!(service.development, found.is_some(), "{args}");
            found
        };
        assert_eq!(
            arg("        DEVEL: \"yes\"\n").as_deref(),
            Some("DEVEL=yes")
        );
        assert_eq!(arg("        - DEBUG=1\n").as_deref(), Some("DEBUG=1"));
        assert_eq!(
            arg("        INSTALL_DEV: true\n").as_deref(),
            Some("INSTALL_DEV=true")
        );
        assert_eq!(
            arg("        BUILD_ENV: development\n").as_deref(),
            Some("BUILD_ENV=development")
        );
        for quiet in [
            "        DEVEL: \"no\"\n",
            "        DEBUG: 0\n",
            "        - DEBUG=false\n",
            "        PYTHON_VERSION: \"3.12\"\n",
            "        DEVICE: \"yes\"\n",
            "        RELEASE: production\n",
        ] {
            assert_eq!(arg(quiet), None, "{quiet}");
        }
    }

    #[test]
    fn development_names() {
        assert!(is_development_file(Path::new(
            "docker-compose.override.yml"
        )));
        assert!(is_development_file(Path::new("compose.dev.yaml")));
        assert!(is_development_file(Path::new(
            "a__b__docker-compose.local.yml"
        )));
        assert!(!is_development_file(Path::new("docker-compose.yml")));
        assert!(!is_development_file(Path::new("compose.prod.yaml")));
        // `__` is part of a file's name, not a directory separator: the whole name counts.
        assert!(is_development_file(Path::new("x__devtools__compose.yaml")));
        assert!(!is_development_file(Path::new("my__app__compose.yaml")));
        assert!(says_development(
            "# This file is for the development setup.\nservices: {}\n"
        ));
        assert!(!says_development("services:\n  # development\n"));
        // What a comment mentions is not what the file is for.
        for not_said in [
            "# The container runs app.py, whose __main__ block starts Flask's development server.\n",
            "# Production stack. For development, use compose.dev.yaml instead.\n",
            "# Deploys to production; see README for local development.\n",
        ] {
            assert!(!says_development(not_said), "{not_said}");
        }
        for said in [
            "# For local development only.\n",
            "# Not for production: mounts the source and reloads.\n",
            "# dev-only stack\n",
        ] {
            assert!(says_development(said), "{said}");
        }
        let f = model(
            "services:\n  a:\n    command: dev_server\n  b:\n    command: npm run dev\n  c:\n    command: flask --debug run\n  d:\n    command: gunicorn --log-level debug app:app\n",
        );
        let dev: Vec<_> = f.services.iter().map(|s| s.development).collect();
        assert_eq!(dev, [true, true, false, false]);
    }
}
