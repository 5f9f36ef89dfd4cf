//! What a launch runs of the project's code: a file or module executed as `__main__` (whose
//! `if __name__ == "__main__":` block runs), or an app object a server imports (whose module's
//! `__main__` block never runs). The graph follows these to classify the code.

use super::{Launch, Program};
use crate::source::Span;

/// The project code a launch runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runs {
    pub entry: Entry,
    /// Executed as `__main__` (`python app.py`, `python -m pkg`), rather than imported.
    pub as_main: bool,
    /// The object a server serves (`app`, `create_app()`), when it imports one.
    pub object: Option<String>,
    /// Where the entry is written in the file.
    pub at: Span,
}

/// How the entry is named: a file path or a dotted module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(String),
    Module(String),
}

impl Entry {
    pub fn as_str(&self) -> &str {
        match self {
            Entry::File(s) | Entry::Module(s) => s,
        }
    }
}

impl Launch {
    /// Whether the program is a server meant for production (a WSGI/ASGI server), as opposed
    /// to a framework's development server or a plain script.
    pub fn is_production_server(&self) -> bool {
        match &self.program {
            Program::Gunicorn
            | Program::Uvicorn
            | Program::Hypercorn
            | Program::Granian
            | Program::Daphne
            | Program::WaitressServe
            | Program::ModWsgiExpress
            | Program::Uwsgi => true,
            Program::Other { name } => {
                matches!(
                    name.as_str(),
                    "uwsgi" | "uwsgi_python3" | "uwsgi-core" | "bjoern" | "cheroot"
                )
            }
            _ => false,
        }
    }

    /// Whether the program is a framework's development server (`flask run`, `runserver`,
    /// `http.server`).
    pub fn is_dev_server(&self) -> bool {
        matches!(
            self.program,
            Program::FlaskRun | Program::DjangoRunserver | Program::HttpServer
        )
    }

    /// Whether the server restarts on source changes (`--reload`, uWSGI's `--py-autoreload`):
    /// a development setup.
    pub fn reloads(&self) -> bool {
        match &self.program {
            Program::Gunicorn | Program::Uvicorn | Program::Hypercorn | Program::FlaskRun => {
                self.flag(&["--reload"]).is_some()
            }
            // `--reload/--no-reload`: the last one written wins.
            Program::Granian => self
                .last_flag(&["--reload", "--no-reload"])
                .is_some_and(|(name, _)| name == "--reload"),
            Program::ModWsgiExpress => self.flag(&["--reload-on-changes"]).is_some(),
            Program::DjangoRunserver => self.flag(&["--noreload"]).is_none(),
            Program::Uwsgi => self
                .option(&["--py-autoreload", "--python-autoreload"])
                .is_some_and(|v| v.as_str() != "0"),
            _ => false,
        }
    }

    /// A short name of the program for messages and the graph (`gunicorn`, `flask run`).
    pub fn program_name(&self) -> String {
        match &self.program {
            Program::Gunicorn => "gunicorn".into(),
            Program::Uvicorn => "uvicorn".into(),
            Program::Hypercorn => "hypercorn".into(),
            Program::Granian => "granian".into(),
            Program::Daphne => "daphne".into(),
            Program::WaitressServe => "waitress-serve".into(),
            Program::FlaskRun => "flask run".into(),
            Program::DjangoRunserver => "manage.py runserver".into(),
            Program::HttpServer => "http.server".into(),
            Program::ModWsgiExpress => "mod_wsgi-express".into(),
            Program::Uwsgi => "uwsgi".into(),
            Program::PythonScript { .. } => "python script".into(),
            Program::PythonModule { .. } => "python -m".into(),
            Program::Other { name } => name.clone(),
        }
    }

    /// The project code the launch runs, when its command line names it.
    pub fn runs(&self) -> Option<Runs> {
        let imported = |text: &str, at: Span, default_object: Option<&str>| {
            let text = text.trim_matches(['\'', '"']);
            let (module, object) = match text.split_once(':') {
                Some((m, o)) => (m, Some(o.to_string())),
                None => (text, default_object.map(String::from)),
            };
            let valid = !module.is_empty()
                && module
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
            valid.then(|| Runs {
                entry: Entry::Module(module.to_string()),
                as_main: false,
                object,
                at,
            })
        };
        match &self.program {
            Program::PythonScript { script } => Some(Runs {
                entry: Entry::File(script.as_str().to_string()),
                as_main: true,
                object: None,
                at: script.span(),
            }),
            Program::PythonModule { module } => Some(Runs {
                entry: Entry::Module(module.as_str().to_string()),
                as_main: true,
                object: None,
                at: module.span(),
            }),
            // Granian imports a file path as its module (`src/main.py:app`), and serves `app`
            // when the target names no object.
            Program::Granian => {
                let app = self.positionals().into_iter().next()?;
                let mut runs = flask_app(app.as_str(), app.span())?;
                runs.object.get_or_insert_with(|| "app".to_string());
                Some(runs)
            }
            Program::Gunicorn | Program::Hypercorn | Program::Daphne | Program::Uvicorn => {
                let app = self.positionals().into_iter().next()?;
                let default = matches!(self.program, Program::Gunicorn).then_some("application");
                imported(app.as_str(), app.span(), default)
            }
            Program::WaitressServe => {
                let app = self.positionals().into_iter().next()?;
                imported(app.as_str(), app.span(), Some("application"))
            }
            Program::FlaskRun => {
                if let Some(app) = self.option(&["-A", "--app"]) {
                    return imported(app.as_str(), app.span(), None);
                }
                let (_, app) = self
                    .env
                    .iter()
                    .rev()
                    .find(|(n, _)| n.as_str() == "FLASK_APP")?;
                flask_app(app.as_str(), app.span())
            }
            Program::ModWsgiExpress => {
                let script = self
                    .positionals()
                    .into_iter()
                    .find(|p| p.as_str() != "start-server")?;
                Some(Runs {
                    entry: Entry::File(script.as_str().to_string()),
                    as_main: false,
                    object: None,
                    at: script.span(),
                })
            }
            Program::Uwsgi => {
                if let Some(file) = self.option(&["--wsgi-file", "--file"]) {
                    return Some(Runs {
                        entry: Entry::File(file.as_str().to_string()),
                        as_main: false,
                        object: None,
                        at: file.span(),
                    });
                }
                let module = self.option(&["--module", "-w", "--wsgi"])?;
                imported(module.as_str(), module.span(), Some("application"))
            }
            _ => None,
        }
    }
}

/// What a `FLASK_APP` value names (`pkg.app`, `app.py`, `pkg:create_app()`, `src/app`), as
/// `flask run` imports it: a module, or a file whose module Flask imports.
pub fn flask_app(value: &str, at: Span) -> Option<Runs> {
    let value = value.trim().trim_matches(['\'', '"']);
    let (target, object) = match value.split_once(':') {
        Some((t, o)) => (t, Some(o.to_string())),
        None => (value, None),
    };
    if target.is_empty() || target.contains('$') {
        return None;
    }
    let entry = if target.ends_with(".py") || target.contains('/') {
        let file = target.trim_start_matches("./");
        let file = if file.ends_with(".py") {
            file.to_string()
        } else {
            format!("{file}.py")
        };
        Entry::File(file)
    } else if target
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        Entry::Module(target.to_string())
    } else {
        return None;
    };
    Some(Runs {
        entry,
        as_main: false,
        object,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flask_app_values() {
        let at = Span::default();
        let entry = |v: &str| flask_app(v, at).map(|r| (r.entry, r.object));
        assert_eq!(
            entry("pkg.app"),
            Some((Entry::Module("pkg.app".into()), None))
        );
        assert_eq!(
            entry("'app.py'"),
            Some((Entry::File("app.py".into()), None))
        );
        assert_eq!(
            entry("src/hello"),
            Some((Entry::File("src/hello.py".into()), None))
        );
        assert_eq!(
            entry("pkg:create_app('prod')"),
            Some((
                Entry::Module("pkg".into()),
                Some("create_app('prod')".into())
            ))
        );
        assert_eq!(entry("${FLASK_APP}"), None);
        assert_eq!(entry(""), None);
    }

    #[test]
    fn granian_targets() {
        use crate::model::launcher::from_shell;
        use crate::source::MappedText;
        let runs = |line: &str| {
            let text = MappedText::from_span(line, Span::new(0, line.len()));
            from_shell(&text)[0].runs().map(|r| (r.entry, r.object))
        };
        assert_eq!(
            runs("granian --interface asgi --host 0.0.0.0 api.main:app"),
            Some((Entry::Module("api.main".into()), Some("app".into())))
        );
        // No object: Granian serves `app`; a file path is imported as its module.
        assert_eq!(
            runs("granian --interface wsgi --workers 2 src/main.py"),
            Some((Entry::File("src/main.py".into()), Some("app".into())))
        );
        assert_eq!(
            runs("python -m granian --factory pkg:create_app"),
            Some((Entry::Module("pkg".into()), Some("create_app".into())))
        );
    }
}
