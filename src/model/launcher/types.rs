//! What a launch is: the program it starts, its arguments and environment, and how options
//! are read from its argument list.

use super::programs::value_options;
use crate::source::{MappedText, Span};

/// The program a launch starts, as far as deploylint cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    Gunicorn,
    Uvicorn,
    Hypercorn,
    /// `granian --interface asgi|wsgi|rsgi module:app`, or `python -m granian`.
    Granian,
    Daphne,
    /// `waitress-serve` or `python -m waitress`.
    WaitressServe,
    /// `flask run`, `python -m flask run`.
    FlaskRun,
    /// `manage.py runserver`, `django-admin runserver`, `python -m django runserver`.
    DjangoRunserver,
    /// `python -m http.server` (or py2's `SimpleHTTPServer`).
    HttpServer,
    /// `mod_wsgi-express start-server`.
    ModWsgiExpress,
    /// `uwsgi` (and its per-plugin builds such as `uwsgi_python3`), configured on its command
    /// line or by an ini/YAML file (lowered to the same options).
    Uwsgi,
    /// `python path/to/file.py` (not -m, not -c), or a `*.py` run directly. Also `manage.py`
    /// with a subcommand other than `runserver`.
    PythonScript {
        script: MappedText,
    },
    /// `python -m some.module` not otherwise recognised.
    PythonModule {
        module: MappedText,
    },
    /// Anything else: the basename of the program word (the whole word if that is empty),
    /// e.g. `celery`, `$CMD`, `python3` for `python3 -c …`, `mod_wsgi-express setup-server`.
    Other {
        name: String,
    },
}

/// One program started by a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub program: Program,
    /// Span of the word(s) naming the program: `gunicorn`, `python -m flask run`,
    /// `python manage.py runserver`, `mod_wsgi-express start-server`. Wrappers are excluded.
    pub program_span: Span,
    /// Arguments after the program (for runserver: after `runserver`; for flask run: the
    /// global options before `run` followed by everything after `run`).
    pub args: Vec<MappedText>,
    /// Leading VAR=value assignments and `env`/`sudo` VAR=value prefixes that apply here,
    /// outermost first.
    pub env: Vec<(MappedText, MappedText)>,
    /// The account a wrapper switched to before starting the program, the innermost one
    /// when several do (`gosu app`, `setpriv --reuid app`, `su app -c …`).
    pub runs_as: Option<RunAs>,
    /// The word naming a program deploylint does not know, as written (`/entrypoint.sh`):
    /// the script a launcher may run.
    pub program_word: Option<MappedText>,
}

/// An account a wrapper switches to before starting the program: `gosu app`, `su-exec
/// app:app`, `s6-setuidgid app`, `setpriv --reuid app`, `runuser -u app --`, `chpst -u app`,
/// `su app -c …`, `sudo -u app`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAs {
    /// The account as written (`app`, `app:app`, `1000`); its span is the evidence.
    pub user: MappedText,
    /// The wrapper, for messages (`gosu`, `setpriv`).
    pub tool: String,
}

impl Program {
    /// Whether the program serves a Python web application (a WSGI/ASGI server, a framework's
    /// development server, a Python script or module), as opposed to a database or a shell.
    pub fn is_python_server(&self) -> bool {
        match self {
            Program::Gunicorn
            | Program::Uvicorn
            | Program::Hypercorn
            | Program::Granian
            | Program::Daphne
            | Program::WaitressServe
            | Program::FlaskRun
            | Program::DjangoRunserver
            | Program::HttpServer
            | Program::ModWsgiExpress
            | Program::Uwsgi
            | Program::PythonScript { .. }
            | Program::PythonModule { .. } => true,
            Program::Other { name } => matches!(name.as_str(), "bjoern" | "cheroot"),
        }
    }
}

impl Launch {
    /// The program's words and its arguments, as one span.
    pub fn command_span(&self) -> Span {
        let end = self
            .args
            .iter()
            .map(|a| a.span().end)
            .fold(self.program_span.end, usize::max);
        Span::new(self.program_span.start, end)
    }

    /// Whether the server is told where to run (`gunicorn --chdir`, `uvicorn --app-dir`,
    /// `mod_wsgi-express --working-directory`), or configured by a file that can say so
    /// (`gunicorn -c conf.py`, uWSGI's `chdir =` in its ini file), which deploylint does not
    /// see from the command line.
    pub fn chooses_own_directory(&self) -> bool {
        let names: &[&str] = match &self.program {
            Program::Gunicorn => &["--chdir", "-c", "--config"],
            Program::Uvicorn => &["--app-dir"],
            Program::Granian => &["--working-dir"],
            Program::ModWsgiExpress => &["--working-directory"],
            // Its options may come from a file or the environment (`UWSGI_CHDIR`).
            Program::Uwsgi => return true,
            _ => return false,
        };
        self.option(names).is_some()
    }

    /// Value of an option, however written: `--bind=x`, `--bind x`, `-b x`, `-bx` (short
    /// forms only when listed in `names`). The last occurrence wins, as with argparse/click.
    /// The returned text's span covers the value only.
    pub fn option(&self, names: &[&str]) -> Option<MappedText> {
        self.options(names).pop()
    }

    /// All values of a repeatable option, in order.
    pub fn options(&self, names: &[&str]) -> Vec<MappedText> {
        self.options_written(names)
            .into_iter()
            .map(|(value, _)| value)
            .collect()
    }

    /// The last value of an option with the whole option as written: from its name through
    /// its value (`--opt='*'` or `--opt '*'`).
    pub fn option_written(&self, names: &[&str]) -> Option<(MappedText, Span)> {
        self.options_written(names).pop()
    }

    /// Each value of an option, in order, with the span of the whole option as written.
    fn options_written(&self, names: &[&str]) -> Vec<(MappedText, Span)> {
        self.parse(names, &[])
            .into_iter()
            .filter_map(|item| match item {
                Item::Opt {
                    name,
                    value: Some(v),
                    span,
                } if names.contains(&name.as_str()) => {
                    let whole = span.cover(v.span());
                    Some((v, whole))
                }
                _ => None,
            })
            .collect()
    }

    /// Span of a boolean flag if present (`--reload`, `-R`, or a letter in a cluster like
    /// `-Rv`). `--flag=value` forms are not flags: none of these CLIs accept them.
    pub fn flag(&self, names: &[&str]) -> Option<Span> {
        self.parse(&[], names)
            .into_iter()
            .find_map(|item| match item {
                Item::Opt {
                    name,
                    value: None,
                    span,
                } if names.contains(&name.as_str()) => Some(span),
                _ => None,
            })
    }

    /// The last of several boolean flags given (`--reload`, then `--no-reload`), as click
    /// reads a `--flag/--no-flag` pair: the last one written wins.
    pub fn last_flag(&self, names: &[&str]) -> Option<(String, Span)> {
        self.parse(&[], names)
            .into_iter()
            .filter_map(|item| match item {
                Item::Opt {
                    name,
                    value: None,
                    span,
                } if names.contains(&name.as_str()) => Some((name, span)),
                _ => None,
            })
            .next_back()
    }

    /// Positional arguments: neither options nor option values (per the program's table of
    /// value-taking options; everything after `--` is positional).
    pub fn positionals(&self) -> Vec<&MappedText> {
        self.parse(&[], &[])
            .into_iter()
            .filter_map(|item| match item {
                Item::Pos(k) => self.args.get(k),
                Item::Opt { .. } => None,
            })
            .collect()
    }

    /// Parses `args` getopt-style (options may follow positionals). `values` are treated as
    /// taking a value and `flags` as not, on top of the program's own table.
    fn parse(&self, values: &[&str], flags: &[&str]) -> Vec<Item> {
        let table = value_options(&self.program);
        let takes = |n: &str| !flags.contains(&n) && (table.contains(&n) || values.contains(&n));
        let mut items = Vec::new();
        let mut k = 0;
        let mut positional_only = false;
        while let Some(a) = self.args.get(k) {
            let t = a.as_str();
            k += 1;
            if positional_only || t == "-" || !t.starts_with('-') {
                items.push(Item::Pos(k - 1));
            } else if t == "--" {
                positional_only = true;
            } else if t.starts_with("--") {
                if let Some(eq) = t.find('=') {
                    items.push(Item::Opt {
                        name: t[..eq].to_string(),
                        value: Some(a.sub(eq + 1..t.len())),
                        span: a.span_of(0..eq),
                    });
                } else {
                    let value = if takes(t) {
                        self.args.get(k).cloned()
                    } else {
                        None
                    };
                    k += usize::from(value.is_some());
                    items.push(Item::Opt {
                        name: t.to_string(),
                        value,
                        span: a.span(),
                    });
                }
            } else {
                // A cluster of short options; the first that takes a value ends it.
                for (idx, c) in t.char_indices().skip(1) {
                    let name = format!("-{c}");
                    let after = idx + c.len_utf8();
                    let span = a.span_of(if idx == 1 { 0 } else { idx }..after);
                    if takes(&name) {
                        let value = if after < t.len() {
                            Some(a.sub(after..t.len()))
                        } else {
                            k += 1;
                            self.args.get(k - 1).cloned()
                        };
                        items.push(Item::Opt { name, value, span });
                        break;
                    }
                    items.push(Item::Opt {
                        name,
                        value: None,
                        span,
                    });
                }
            }
        }
        items
    }
}

#[derive(Debug)]
pub(super) enum Item {
    Opt {
        name: String,
        value: Option<MappedText>,
        /// Span of the option name (with its dash for the first letter of a cluster).
        span: Span,
    },
    Pos(usize),
}
