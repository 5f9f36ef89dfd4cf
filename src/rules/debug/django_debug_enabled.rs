//! DBG002: `DEBUG = True` in a Django settings module that is not a development one.

use crate::model::deployment::DEVELOPMENT_WORDS;
use crate::rules::{FileContext, Rule, Sink, View};
use std::path::Path;

pub const RULE: Rule = Rule {
    code: "DBG002",
    check,
    prefilter: Some(|_, text| text.contains("DEBUG")),
};

/// Settings that only Django settings modules define.
const DJANGO_SETTINGS_MARKERS: &[&str] = &[
    "INSTALLED_APPS",
    "ROOT_URLCONF",
    "MIDDLEWARE",
    "WSGI_APPLICATION",
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Python(python) = ctx.view else {
        return;
    };
    if is_development_module(ctx.source.path()) {
        return;
    }
    let module_level =
        |name: &'static str| python.assignments_to(name).filter(|a| a.is_module_level());
    let named_settings = ctx
        .source
        .path()
        .file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s.contains("settings"))
        || parent_is_settings_package(ctx.source.path());
    let is_settings = named_settings
        || DJANGO_SETTINGS_MARKERS
            .iter()
            .any(|marker| module_level(marker).next().is_some());
    if !is_settings {
        return;
    }
    for assignment in module_level("DEBUG") {
        if let Some(value) = python.value(assignment).filter(|v| python.is_true(*v)) {
            let fix = sink.fix(value.switch_off());
            sink.report(assignment.span(), "Django settings set DEBUG = True")
                .set_fix(fix);
        }
    }
}

fn parent_is_settings_package(path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "settings" || n == "config")
}

/// `settings/dev.py`, `local_settings.py`, `settings_test.py`, `tests/settings.py`.
fn is_development_module(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let stem_parts = stem
        .split(['_', '-', '.'])
        .map(str::to_ascii_lowercase)
        .any(|part| DEVELOPMENT_WORDS.contains(&part.as_str()));
    let in_test_dir = path
        .components()
        .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test" | "testing")));
    stem_parts || in_test_dir
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lines, quiet_in};

    #[test]
    fn fix_sets_debug_false() {
        let fix = |src: &str| crate::rules::testing::fixed("DBG002", "mysite/settings.py", src);
        assert_eq!(
            fix("INSTALLED_APPS = []\nDEBUG = True  # for now\n"),
            "INSTALLED_APPS = []\nDEBUG = False  # for now\n"
        );
        let computed = "INSTALLED_APPS = []\nON = True\nDEBUG = ON\n";
        assert_eq!(fix(computed), computed);
    }

    #[test]
    fn fail() {
        assert_eq!(lines("DBG002", "mysite/settings.py", "DEBUG = True\n"), [1]);
        assert_eq!(
            lines("DBG002", "mysite/settings/production.py", "DEBUG = True\n"),
            [1]
        );
        assert_eq!(
            lines(
                "DBG002",
                "conf.py",
                "INSTALLED_APPS = []\nDEBUG = TEMPLATE_DEBUG = True\n"
            ),
            [2]
        );
    }

    #[test]
    fn pass() {
        quiet_in(
            "DBG002",
            &[
                ("mysite/settings.py", "DEBUG = False\n"),
                (
                    "mysite/settings.py",
                    "DEBUG = os.environ.get('DJANGO_DEBUG') == '1'\n",
                ),
                (
                    "mysite/settings.py",
                    "DEBUG = env.bool('DEBUG', default=False)\n",
                ),
                ("mysite/settings.py", "# DEBUG = True\n"),
                ("mysite/settings.py", "def f():\n    DEBUG = True\n"),
                ("mysite/settings/dev.py", "DEBUG = True\n"),
                ("mysite/local_settings.py", "DEBUG = True\n"),
                ("mysite/settings_test.py", "DEBUG = True\n"),
                ("tests/settings.py", "DEBUG = True\n"),
                ("tool.py", "DEBUG = True\n"),
            ],
        );
    }
}
