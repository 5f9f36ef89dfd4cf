//! Python files: the calls, assignments and imports rules ask about (a development server
//! started in code, `DEBUG = True`).

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch};
use crate::catalog::Format;
use crate::model::deployment::Deployment;
use crate::model::python::{self, Semantic};
use crate::model::view::View;
use crate::source::{MappedText, SourceFile};
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Python,
    by_name: python_name,
    templates: false,
    sniff: python_content,
    interpreter: Some(runs_python),
    lint,
    contributes_facts: false,
    // A launcher elsewhere (`CMD python app.py`) may make this file's `.run()` a finding.
    keep_text: |text| text.contains("run"),
    pack: Some(PackMatch {
        key: "a called function, by its imported name (subprocess.run)",
        find: pack_find,
    }),
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    // Code lowers to no deployment (the graph finds a launched script by its path, and reads
    // its text only then), so a file no rule reads is not parsed: most of a project's code,
    // and every Python file the context read lists.
    if !input.rules_apply {
        return Linted::default();
    }
    let text = input.source.text();
    let file = python::parse(text);
    let semantic = Semantic::new(&file, text).map(|semantic| {
        semantic.with_modules(crate::model::project::module_resolver(
            input.files,
            input.source.path(),
        ))
    });
    let view = match semantic {
        Some(ref semantic) => check(&Lowered {
            view: View::Python(semantic),
            deployment: &Deployment::default(),
            errors: &[],
        }),
        None => check(&Lowered {
            view: View::None,
            deployment: &Deployment::default(),
            errors: &[],
        }),
    };
    Linted {
        diagnostics: view,
        ..Linted::default()
    }
}

/// A pack's `key` is the called function's qualified name; the text is the whole call.
fn pack_find(
    lowered: &Lowered<'_>,
    source: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Python(python) = lowered.view else {
        return;
    };
    for call in python.calls() {
        let named = python
            .callee_name(call)
            .is_some_and(|q| key.is_none_or(|k| k == q));
        if named {
            found(&MappedText::from_span(source.text(), call.span()));
        }
    }
}

fn python_name(path: &Path) -> NameMatch {
    match path.extension().and_then(|e| e.to_str()) {
        Some("py" | "wsgi" | "pyw") => NameMatch::Yes,
        _ => NameMatch::No,
    }
}

/// `python3`, `python3.11`, `pythonw`, `pypy3`, and `uv run --script` (a PEP 723 script: uv
/// installs its dependencies and runs it).
fn runs_python(program: &str, args: &[&str]) -> bool {
    program
        .strip_prefix("python")
        .or_else(|| program.strip_prefix("pypy"))
        .is_some_and(|version| {
            version.is_empty()
                || version == "w"
                || version.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        || (program == "uv" && args.first() == Some(&"run"))
}

/// A Python file without a `.py` name is recognised by its shebang (`kinds::shebang_kind`).
fn python_content(_: &str) -> bool {
    false
}
