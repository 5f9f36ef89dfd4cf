//! systemd units: the unit merged with its drop-ins, its `ExecStart=` processes on the host
//! and their environment. Findings in a drop-in or environment file are moved to that file.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name};
use crate::catalog::Format;
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
    let mut diagnostics = check(&Lowered {
        view: View::Systemd(&unit),
        deployment: &unit.deployment(),
        errors: &errors,
    });
    unit.remap(&mut diagnostics);
    Linted {
        diagnostics,
        ..Linted::default()
    }
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
