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
            | Program::Daphne
            | Program::WaitressServe
            | Program::ModWsgiExpress
            | Program::Uwsgi => true,
            Program::Other { name } => {
                matches!(
                    name.as_str(),
                    "uwsgi" | "uwsgi_python3" | "uwsgi-core" | "granian" | "bjoern" | "cheroot"
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
                imported(app.as_str(), app.span(), None)
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
