//! supervisord configurations: each `[program:x]` a service whose `command=` is a launch (read
//! through the launcher model), with its `user=`, `directory=`, `umask=` and `environment=`,
//! and `[inet_http_server]`, supervisord's own control interface. Values go through
//! supervisord's `%(name)s` expansions: `%(program_name)s` and `%(group_name)s` are known from
//! the section, `%%` is `%`, and `%(ENV_X)s`, `%(here)s`, `%(host_node_name)s` are unknown,
//! so a value built from them is never read as a literal.

use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, Placement, Process, Service, Umask, Workdir,
    WorkdirKind, is_root_user, parse_umask,
};
use crate::model::launcher::{self, Launch, Program};
use crate::model::listen::{Listen, is_all_interfaces};
use crate::model::view::ParseError;
use crate::source::{MappedText, Span};
use crate::syntax::ini::{self, Dialect, Entry, Ini, Section};

#[derive(Debug)]
pub struct SupervisorConfig {
    pub ini: Ini,
    pub errors: Vec<ParseError>,
}

/// What the file says about supervisord itself, which its programs inherit (from the file or
/// from the main configuration that includes it).
#[derive(Debug, Clone, Default)]
pub struct Manager {
    /// `[supervisord] user=`: the account supervisord drops to, and its programs with it.
    pub user: Option<String>,
    /// `nodaemon=true`: supervisord in the foreground, as a container's first process.
    pub foreground: bool,
}

impl Manager {
    /// The `[supervisord]` settings of a parsed file, if it has that section.
    pub fn of(ini: &Ini) -> Option<Manager> {
        let section = ini.sections_named("supervisord").last()?;
        let value = |key: &str| {
            section
                .entries
                .iter()
                .rev()
                .find(|e| e.key == key)
                .map(|e| e.value.as_str().to_string())
        };
        Some(Manager {
            user: value("user").filter(|u| !u.is_empty() && !u.contains("%(")),
            foreground: value("nodaemon").is_some_and(|v| is_true(&v)),
        })
    }
}

/// The file globs of the `[include]` section's `files`, as written (space-separated).
pub fn include_patterns(ini: &Ini) -> Vec<String> {
    ini.sections_named("include")
        .flat_map(|s| s.entries.iter().filter(|e| e.key == "files"))
        .flat_map(|e| {
            e.value
                .as_str()
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "on" | "1"
    )
}

impl SupervisorConfig {
    pub fn parse(text: &str) -> SupervisorConfig {
        let ini = ini::parse(text, Dialect::Supervisor);
        let mut errors: Vec<ParseError> = ini
            .errors
            .iter()
            .map(|(span, message)| ParseError {
                span: *span,
                message: message.clone(),
            })
            .collect();
        for section in program_sections(&ini) {
            // A value built from `%(ENV_X)s` is only known once expanded.
            if let Some(entry) = last(section, "environment")
                && !entry.value.as_str().contains("%(")
                && let Err(at) = environment_pairs(&entry.value)
            {
                errors.push(ParseError {
                    span: at,
                    message: "supervisord reads `environment=` as `KEY=\"value\",KEY2=value2`; \
                              this is not such a pair"
                        .to_string(),
                });
            }
        }
        SupervisorConfig { ini, errors }
    }

    /// The programs as services, each with the processes its `command=` starts, and the
    /// control interface when it listens on TCP. `manager` is what supervisord itself is
    /// set to (from this file or the one that includes it); `placement` where it runs.
    pub fn deployment(&self, manager: Option<&Manager>, placement: Placement) -> Deployment {
        let mut out = Deployment::default();
        let manager_user = manager.and_then(|m| m.user.clone());
        for section in program_sections(&self.ini) {
            let (kind, name) = section.name.split_once(':').unwrap_or(("program", ""));
            let name = name.trim();
            let expand = |value: &MappedText| expand(value.as_str(), name);
            let mut service = Service::new(format!("{kind} `{name}`"), placement);
            service.name = Some(name.to_string());
            // A container's /tmp is its own.
            service.private_tmp = placement == Placement::Container;
            let command = last(section, "command");
            let launches: Vec<Launch> = command
                .map(|c| launcher::from_shell(&one_line(&c.value)))
                .unwrap_or_default();
            service.runs_app = launches.iter().any(|l| l.program.is_python_server());
            // A server that switches accounts itself (`gunicorn --user`, uWSGI's `uid` in its
            // ini file or environment) decides its workers' account, not supervisord.
            let switches_itself = launches.iter().any(|l| {
                l.program == Program::Uwsgi
                    || Process::new(l.clone(), placement, "").user.is_some()
                    || (l.program == Program::Gunicorn && l.option(&["-c", "--config"]).is_some())
            });
            service.user = match last(section, "user") {
                Some(user) => {
                    let value = expand(&user.value);
                    Some(Account {
                        kind: AccountKind::Named(value.clone()),
                        how: format!("user={}", user.value.as_str()),
                        at: user.value.span(),
                        label: None,
                    })
                }
                None => match &manager_user {
                    Some(user) if !is_root_user(user) => Some(Account {
                        kind: AccountKind::Named(Some(user.clone())),
                        how: format!("it runs as supervisord's user={user}"),
                        at: section.name_span,
                        label: None,
                    }),
                    // Without `user=` a program keeps supervisord's account: root for the
                    // system supervisord a host runs, whatever a container's image says.
                    _ if placement == Placement::Host && !switches_itself => Some(Account {
                        kind: AccountKind::Root,
                        how: "it sets no `user=`, so it keeps supervisord's account, root"
                            .to_string(),
                        at: section.name_span,
                        label: None,
                    }),
                    _ => None,
                },
            };
            if let Some(directory) = last(section, "directory")
                && let Some(path) = expand(&directory.value)
            {
                service.workdir = Some(Workdir {
                    kind: WorkdirKind::Set(path),
                    how: "`directory=` starts the program in".to_string(),
                    at: directory.value.span(),
                    label: None,
                });
            }
            if let Some(umask) = last(section, "umask")
                && let Some(mask) = parse_umask(umask.value.as_str())
            {
                service.umask = Some(Umask {
                    mask,
                    written: format!("umask={}", umask.value.as_str()),
                    at: umask.value.span(),
                    group: None,
                });
            }
            let index = out.services.len();
            out.services.push(service);
            for launch in launches {
                out.processes
                    .push(Process::new(launch, placement, "`command=`").in_service(index));
            }
            if let Some(entry) = last(section, "environment")
                && let Ok(pairs) = environment_pairs(&entry.value)
            {
                for (key, value) in pairs {
                    // `%(ENV_X)s` and the like are not literals.
                    let Some(value_text) = expand(&value) else {
                        continue;
                    };
                    let mut var = EnvVar::new(
                        key.as_str().to_string(),
                        value_text,
                        key.span().cover(value.span()),
                        "`environment=`",
                    );
                    var.service = Some(index);
                    out.env.push(var);
                }
            }
        }
        if let Some(server) = self.ini.sections_named("inet_http_server").last()
            && let Some(port) = last(server, "port")
        {
            let address = port.value.as_str();
            let host = match address.rsplit_once(':') {
                Some((host, _)) => host.trim().to_string(),
                // A bare port listens on every interface.
                None => String::new(),
            };
            if is_all_interfaces(&host) && !address.contains("%(") {
                let password = last(server, "password").is_some_and(|p| !p.value.is_empty());
                let launch = Launch {
                    program: Program::Other {
                        name: "supervisord".to_string(),
                    },
                    program_span: server.name_span,
                    args: Vec::new(),
                    env: Vec::new(),
                    runs_as: None,
                    program_word: None,
                };
                let mut process = Process::new(
                    launch,
                    placement,
                    if password {
                        "supervisord's control interface (`[inet_http_server]`, with a password \
                         sent over plain HTTP)"
                    } else {
                        "supervisord's control interface (`[inet_http_server]`, without \
                         `username`/`password`, so anyone who reaches it controls every program)"
                    },
                );
                process.listen = vec![Listen {
                    host: if host.is_empty() {
                        "*".to_string()
                    } else {
                        host
                    },
                    span: port.value.span(),
                    explicit: true,
                }];
                out.processes.push(process);
            }
        }
        out
    }
}

/// `[program:x]` and `[fcgi-program:x]` sections (`[eventlistener:x]` runs supervisord's own
/// event handlers, not the app).
fn program_sections(ini: &Ini) -> impl Iterator<Item = &Section> {
    ini.sections
        .iter()
        .filter(|s| s.name.starts_with("program:") || s.name.starts_with("fcgi-program:"))
}

/// A value continued on indented lines as one command line: supervisord splits `command=`
/// with `shlex.split`, for which a line break is whitespace like any other.
fn one_line(value: &MappedText) -> MappedText {
    let text = value.as_str();
    let mut out = MappedText::new(value.origin(0));
    for (i, c) in text.char_indices() {
        let end = value.origin(i + c.len_utf8());
        let c = if c == '\n' { ' ' } else { c };
        out.push_char(c, value.origin(i), end.max(value.origin(i) + 1));
    }
    out
}

/// The last entry named `key` (configparser with `strict=False` keeps the last).
fn last<'a>(section: &'a Section, key: &str) -> Option<&'a Entry> {
    section.entries.iter().rev().find(|e| e.key == key)
}

/// The value after supervisord's expansions, or None when it depends on the environment or
/// the host.
fn expand(value: &str, program: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(after) = after.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let Some(inner) = after.strip_prefix('(') else {
            out.push('%');
            rest = after;
            continue;
        };
        let close = inner.find(')')?;
        let name = &inner[..close];
        // The conversion (`s`, `d`, `02d`) follows the name.
        let conversion = inner[close + 1..]
            .find(|c: char| c.is_ascii_alphabetic())
            .map_or(0, |k| k + 1);
        match name {
            "program_name" | "group_name" => out.push_str(program),
            "process_num" => out.push('0'),
            _ => return None,
        }
        rest = &inner[close + 1 + conversion..];
    }
    out.push_str(rest);
    Some(out)
}

/// `environment=KEY="value",KEY2=value2` as supervisord reads it (`dict_of_key_value_pairs`:
/// POSIX shlex tokens, `=` and `,` between them, quotes removed): the pairs, or the span of
/// the first token that breaks the pattern.
pub fn environment_pairs(value: &MappedText) -> Result<Vec<(MappedText, MappedText)>, Span> {
    let tokens = shlex_tokens(value);
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (key, key_quoted) = &tokens[i];
        if !*key_quoted && matches!(key.as_str(), "=" | ",") {
            return Err(key.span());
        }
        match tokens.get(i + 1) {
            Some((eq, false)) if eq.as_str() == "=" => {}
            Some((other, _)) => return Err(other.span()),
            None => return Err(key.span()),
        }
        let Some((val, quoted)) = tokens.get(i + 2) else {
            return Err(tokens[i + 1].0.span());
        };
        if !*quoted && matches!(val.as_str(), "=" | ",") {
            return Err(val.span());
        }
        pairs.push((key.clone(), val.clone()));
        i += 3;
        match tokens.get(i) {
            Some((comma, false)) if comma.as_str() == "," => i += 1,
            None => {}
            Some((other, _)) => return Err(other.span()),
        }
    }
    Ok(pairs)
}

/// Words split at whitespace, with `=` and `,` as tokens of their own, and POSIX quotes
/// removed; whether a word had quotes (a quoted `","` is a value, not a separator).
fn shlex_tokens(value: &MappedText) -> Vec<(MappedText, bool)> {
    let text = value.as_str();
    let mut tokens = Vec::new();
    let mut current: Option<(MappedText, bool)> = None;
    let mut chars = text.char_indices().peekable();
    let mut quote: Option<char> = None;
    let at = |i: usize| value.origin(i);
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        match quote {
            Some(q) if c == q => {
                quote = None;
                if let Some((word, _)) = &mut current {
                    word.push_str("", at(end));
                }
            }
            Some('"') if c == '\\' && matches!(chars.peek(), Some((_, '"' | '\\' | '$' | '`'))) => {
                let (j, e) = chars.next().expect("peeked");
                let word = &mut current
                    .get_or_insert_with(|| (MappedText::new(at(i)), true))
                    .0;
                word.push_char(e, at(j), at(j + e.len_utf8()));
            }
            Some(_) => {
                let word = &mut current
                    .get_or_insert_with(|| (MappedText::new(at(i)), true))
                    .0;
                word.push_char(c, at(i), at(end));
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                let word = current.get_or_insert_with(|| (MappedText::new(at(i)), true));
                word.1 = true;
            }
            None if c == '\\' => {
                if let Some((j, e)) = chars.next() {
                    let word = &mut current
                        .get_or_insert_with(|| (MappedText::new(at(i)), false))
                        .0;
                    word.push_char(e, at(j), at(j + e.len_utf8()));
                }
            }
            None if c.is_whitespace() => {
                tokens.extend(current.take());
            }
            None if c == '=' || c == ',' => {
                tokens.extend(current.take());
                tokens.push((value.sub(i..end), false));
            }
            None => {
                let word = &mut current
                    .get_or_insert_with(|| (MappedText::new(at(i)), false))
                    .0;
                word.push_char(c, at(i), at(end));
            }
        }
    }
    tokens.extend(current.take());
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Result<Vec<(String, String, &str)>, &str> {
        let value = MappedText::from_span(text, Span::new(0, text.len()));
        environment_pairs(&value)
            .map(|p| {
                p.iter()
                    .map(|(k, v)| {
                        let span = k.span().cover(v.span());
                        (
                            k.as_str().to_string(),
                            v.as_str().to_string(),
                            &text[span.range()],
                        )
                    })
                    .collect()
            })
            .map_err(|span| &text[span.range()])
    }

    #[test]
    fn environment_quoting() {
        assert_eq!(
            pairs(r#"A="1",B=two, C='x, y',D="q\"d""#).unwrap(),
            [
                ("A".into(), "1".into(), "A=\"1\""),
                ("B".into(), "two".into(), "B=two"),
                ("C".into(), "x, y".into(), "C='x, y'"),
                ("D".into(), "q\"d".into(), r#"D="q\"d""#),
            ]
        );
        assert_eq!(pairs("A=1,").unwrap().len(), 1);
        assert_eq!(pairs("A 1").unwrap_err(), "1");
        assert_eq!(pairs("A=1 B=2").unwrap_err(), "B");
        assert!(pairs("").unwrap().is_empty());
    }

    #[test]
    fn expansions() {
        assert_eq!(
            expand("/srv/%(program_name)s", "web"),
            Some("/srv/web".into())
        );
        assert_eq!(expand("%(process_num)02d", "web"), Some("0".into()));
        assert_eq!(expand("100%%", "web"), Some("100%".into()));
        assert_eq!(expand("%(ENV_HOME)s/app", "web"), None);
        assert_eq!(expand("%(here)s/app", "web"), None);
    }

    #[test]
    fn programs_and_control_interface() {
        let text = "[supervisord]\nnodaemon=true\n[inet_http_server]\nport=*:9001\n[program:web]\ncommand=gunicorn -b 0.0.0.0:8000 app:app\nenvironment=FLASK_DEBUG=\"1\",HOME=\"%(ENV_HOME)s\"\n[program:nginx]\ncommand=nginx -g 'daemon off;'\n";
        let config = SupervisorConfig::parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        let manager = Manager::of(&config.ini).unwrap();
        assert!(manager.foreground);
        let d = config.deployment(Some(&manager), Placement::Host);
        assert_eq!(d.services.len(), 2);
        assert!(d.services[0].runs_app);
        assert!(!d.services[1].runs_app);
        assert!(d.services[0].user.as_ref().unwrap().kind == AccountKind::Root);
        assert_eq!(d.env.len(), 1);
        assert_eq!(d.env[0].name, "FLASK_DEBUG");
        let control = d.processes.last().unwrap();
        assert_eq!(&text[control.listen[0].span.range()], "*:9001");
    }
}
