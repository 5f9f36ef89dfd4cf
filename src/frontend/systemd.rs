//! systemd units: the unit merged with its drop-ins, its `ExecStart=` processes on the host
//! and their environment. Findings in a drop-in or environment file are moved to that file.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name};
use crate::catalog::Format;
use crate::model::deployment::{Placement, Process};
use crate::model::launcher::{Launch, Program};
use crate::model::listen::Listen;
use crate::model::systemd::{UNIT_TYPES, Unit, dropin_unit_name};
use crate::model::view::{ParseError, View};
use crate::source::{MappedText, SourceFile};
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Systemd,
    by_name: systemd_name,
    templates: true,
    sniff: systemd_content,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: super::never,
    pack: Some(PackMatch {
        key: "a key, as Key or Section.Key (User, Service.ExecStart)",
        find: pack_find,
    }),
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let unit = Unit::load(input.source.path(), input.source.text(), input.files);
    // A drop-in whose unit is in the tree is linted through that unit.
    if unit.covered {
        return Linted::default();
    }
    // Errors in a drop-in are moved to that file with the findings.
    let errors: Vec<ParseError> = unit
        .errors()
        .into_iter()
        .map(|e| ParseError {
            span: e.span,
            message: e.message.clone(),
        })
        .collect();
    let mut deployment = unit.deployment();
    deployment
        .processes
        .extend(socket_listeners(&unit, input.source.path(), input.files));
    let mut diagnostics = check(&Lowered {
        view: View::Systemd(&unit),
        deployment: &deployment,
        errors: &errors,
    });
    unit.remap(&mut diagnostics);
    Linted {
        diagnostics,
        ..Linted::default()
    }
}

/// The host part of a `ListenStream=`/`ListenDatagram=` value that is an IP socket: `""` for
/// a bare port (systemd binds it on every interface); None for a path, an abstract or vsock
/// socket, or a netlink family.
fn socket_host(value: &str) -> Option<String> {
    let value = value.trim();
    if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        return Some(String::new());
    }
    if let Some(rest) = value.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        return port
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| host.to_string());
    }
    let (host, port) = value.rsplit_once(':')?;
    (host.parse::<std::net::Ipv4Addr>().is_ok() && port.bytes().all(|b| b.is_ascii_digit()))
        .then(|| host.to_string())
}

/// A socket unit's listeners, as processes of the Python web service it activates (named by
/// `Service=`, else the socket's own name; `name@.service` with `Accept=yes`) when that unit
/// is in the linted tree: that server receives what the socket accepts, on the host.
fn socket_listeners(unit: &Unit, path: &Path, files: &crate::files::FileSet) -> Vec<Process> {
    if unit.unit_type() != Some("socket") || unit.covered {
        return Vec::new();
    }
    let stem = unit.name.strip_suffix(".socket").unwrap_or(&unit.name);
    let accept = unit
        .last("Socket", "Accept")
        .is_some_and(|e| crate::syntax::systemd::parse_bool(e.value.as_str()) == Some(true));
    let service = match unit.last("Socket", "Service") {
        Some(entry) => entry.value.as_str().trim().to_string(),
        None if accept => format!("{stem}@.service"),
        None => format!("{stem}.service"),
    };
    let service_path = path.with_file_name(&service);
    let Ok(file) = files.read(&service_path) else {
        return Vec::new();
    };
    let activated = Unit::load(&service_path, &file.text, files);
    let deployment = activated.deployment();
    if crate::model::systemd::judged_web_service(&activated, &deployment).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for key in ["ListenStream", "ListenDatagram"] {
        for entry in unit.list("Socket", key) {
            let Some(host) = socket_host(entry.value.as_str()) else {
                continue;
            };
            // The server itself is judged in its own unit: here it is only what listens, with
            // spans in this file.
            let launch = Launch {
                program: Program::Other {
                    name: service.clone(),
                },
                program_span: entry.value.span(),
                args: Vec::new(),
                env: Vec::new(),
                runs_as: None,
                program_word: None,
            };
            let mut process = Process::new(
                launch,
                Placement::Host,
                "this socket, which activates a Python web service,",
            );
            process.listen = vec![Listen {
                host,
                span: entry.value.span(),
                explicit: true,
            }];
            out.push(process);
        }
    }
    out
}

/// A pack's `key` is `Key` or `Section.Key` in the linted file; the text is the value.
fn pack_find(
    lowered: &Lowered<'_>,
    _: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Systemd(unit) = lowered.view else {
        return;
    };
    let Some(file) = unit.files.first() else {
        return;
    };
    for section in &file.sections {
        for entry in &section.entries {
            let named = key.is_none_or(|k| {
                k.eq_ignore_ascii_case(&entry.key)
                    || k.eq_ignore_ascii_case(&format!("{}.{}", section.name, entry.key))
            });
            if named {
                found(&entry.value);
            }
        }
    }
}

/// Unit files (`app.service`, `web@.service`, `app.socket`, …), their `.in` build templates,
/// and drop-ins (`app.service.d/override.conf`).
fn systemd_name(path: &Path) -> NameMatch {
    let name = file_name(path);
    let name = name.strip_suffix(".in").unwrap_or(name);
    if dropin_unit_name(path).is_some() {
        return NameMatch::Yes;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && UNIT_TYPES.contains(&ext) => {
            // `.path`, `.target`, `.mount` … name other things too (`Containerfile.path`).
            if matches!(ext, "service" | "socket" | "timer") {
                NameMatch::Yes
            } else {
                NameMatch::Maybe
            }
        }
        _ => NameMatch::No,
    }
}

fn systemd_content(head: &str) -> bool {
    const SECTIONS: &[&str] = &[
        "[Unit]",
        "[Service]",
        "[Install]",
        "[Socket]",
        "[Timer]",
        "[Mount]",
        "[Path]",
    ];
    head.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .is_some_and(|l| SECTIONS.contains(&l))
}
