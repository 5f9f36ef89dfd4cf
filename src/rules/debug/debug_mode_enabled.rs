//! DBG001: a web framework's debug mode switched on in code (Flask, Dash, Bottle, Sanic,
//! Flask-SocketIO `run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`,
//! FastAPI/Starlette `debug=True`, a production config class with `DEBUG = True`).

use crate::model::python::{Assignment, Call, Semantic, Target};
use crate::rules::{FileContext, Rule, Sink, View};

/// Constructors whose result `is_app` recognises, for the prefilter.
const APP_NAMES: &[&str] = &[
    "Flask",
    "Quart",
    "Sanic",
    "Dash",
    "Bottle",
    "SocketIO",
    "create_app",
];

pub const RULE: Rule = Rule {
    code: "DBG001",
    check,
    // `app.run(host, port, True)` passes debug by position, on an app object only.
    // Spaces may stand around the dot and before the parenthesis (`app.run (…)`).
    prefilter: Some(|_, text| {
        const CALLED: &[u8] = b"(#\\";
        may_set_debug(text)
            || ["run", "run_server"]
                .iter()
                .any(|w| word_followed_by(text, w, CALLED))
                && (["app", "application"]
                    .iter()
                    .any(|w| word_followed_by(text, w, b"."))
                    || APP_NAMES.iter().any(|n| text.contains(n)))
    }),
};

/// Whether a file the old `mentions_debug` trigger selects can switch debug on (the `.run(`
/// test beside it covers files that never mention debug). Each way the check fires compares
/// a name written in the source with `debug` (a keyword, `app.debug`) or `DEBUG` (a config
/// keyword, a class attribute), or a string's value with `DEBUG` (a config key), so the word
/// stands there followed by what can follow it (`=`, `:`, an augmented `|=`, a closing
/// quote, or a comment or line continuation before those); or it passes debug by position
/// to a `run(`/`run_server(` method whose receiver may be an app imported from another
/// module. Only a key split over adjacent strings (`"DE" "BUG"`) hides the word, and a key
/// is only read on a `.config`. (No escape decodes to a letter in the model's string values,
/// so `"\x44EBUG"` is not `DEBUG`: `syntax::python`'s `escapes_spell_no_letter` guards it.)
fn may_set_debug(text: &str) -> bool {
    // A proper prefix of the key closing a string.
    const SPLIT: &[&str] = &[
        "D\"", "D'", "DE\"", "DE'", "DEB\"", "DEB'", "DEBU\"", "DEBU'",
    ];
    const SET: &[u8] = b"=:'\"#\\+-*/%&|^<>@";
    const CALLED: &[u8] = b"(#\\";
    crate::rules::mentions_debug(text)
        && (["debug", "DEBUG"]
            .iter()
            .any(|w| word_followed_by(text, w, SET))
            || ["run", "run_server"]
                .iter()
                .any(|w| word_followed_by(text, w, CALLED))
            || text.contains("config") && SPLIT.iter().any(|s| text.contains(s)))
}

/// Whether `word` stands alone somewhere (not inside a longer ASCII name, nor a `.debug(`
/// call, which `mentions_debug` leaves out too) with one of `next` (or the end) after it
/// and any whitespace, which may stand between a keyword's name and its `=` inside brackets.
/// A non-ASCII neighbour counts as a boundary, which only selects more.
fn word_followed_by(text: &str, word: &str, next: &[u8]) -> bool {
    let bytes = text.as_bytes();
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(at, _)| {
        let end = at + word.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before.is_some_and(name_byte)
            || after.is_some_and(name_byte)
            || word.eq_ignore_ascii_case("debug") && before == Some(b'.') && after == Some(b'(')
        {
            return false;
        }
        bytes[end..]
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0x0b)
            .is_none_or(|b| next.contains(b))
    })
}

/// Constructors whose `debug=True` turns on tracebacks in responses.
const DEBUG_APPS: &[&str] = &[
    "fastapi.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
    "FastAPI",
    "Starlette",
    // Tracebacks in responses and autoreload.
    "tornado.web.Application",
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Python(python) = ctx.view else {
        return;
    };
    for call in python.calls() {
        check_call(python, call, sink);
    }
    for assignment in python.assignments() {
        check_assignment(python, assignment, sink);
    }
}

fn check_call<'t>(python: &Semantic<'t>, call: Call<'t>, sink: &mut Sink<'_>) {
    let Some(callee) = python.callee(call) else {
        return;
    };
    let method = python.method(call).unwrap_or("");
    // `run()` on an object that resolves to a framework app, or Bottle's module-level `run()`;
    // `subprocess.run`, Fabric's `c.run`, the Docker SDK's `containers.run` are not servers.
    let framework = python.app_run(call);
    let bottle_run = python.receiver(call).is_none() && python.calls_any(call, &["bottle.run"]);
    if framework.is_some() || bottle_run {
        // Flask.run(host, port, debug): debug is the third positional argument; the other
        // frameworks' `run` take it by keyword.
        let position = framework.and_then(|f| f.debug_position());
        if let Some(value) = python.argument(call, "debug", position)
            && python.is_true(value)
        {
            let span = python
                .keyword_span(call, "debug")
                .unwrap_or_else(|| value.span());
            let fix = sink.fix(value.switch_off());
            sink.report(
                span,
                "the app's development server is started with debug mode on",
            )
            .label(callee.span(), "started here")
            .set_fix(fix);
        }
        return;
    }
    let qualified = python.qualified_name(callee).unwrap_or_default();
    if DEBUG_APPS.contains(&qualified.as_str()) || python.calls_any(call, DEBUG_APPS) {
        if let Some(kw) = python.true_keyword(call, "debug") {
            let fix = sink.fix(keyword_off(python, call, "debug"));
            sink.report(
                kw,
                format!(
                    "`{}` is created with `{}`",
                    python.text(callee),
                    python.text_at(kw)
                ),
            )
            .set_fix(fix);
        }
        return;
    }
    // app.config.update(DEBUG=True), app.config.from_mapping(DEBUG=True) or with a dict.
    if matches!(method, "update" | "from_mapping")
        && python.receiver(call).is_some_and(|r| python.is_config(r))
    {
        if let Some(kw) = python.true_keyword(call, "DEBUG") {
            let fix = sink.fix(keyword_off(python, call, "DEBUG"));
            sink.report(kw, "the app config sets DEBUG to true")
                .set_fix(fix);
        }
        if let Some(dict) = python.argument(call, "", Some(0)) {
            for (key, value, pair) in python.dict_items(dict) {
                if python.string_value(key).as_deref() == Some("DEBUG") && python.is_true(value) {
                    let fix = sink.fix(value.switch_off());
                    sink.report(pair, "the app config sets DEBUG to true")
                        .set_fix(fix);
                }
            }
        }
    }
}

/// The edit that turns `keyword=<literal true>` of `call` off.
fn keyword_off<'t>(python: &Semantic<'t>, call: Call<'t>, keyword: &str) -> Vec<crate::edit::Edit> {
    python
        .argument(call, keyword, None)
        .map(|value| value.switch_off())
        .unwrap_or_default()
}

fn check_assignment<'t>(python: &Semantic<'t>, assignment: Assignment<'t>, sink: &mut Sink<'_>) {
    let (Some(target), Some(right)) = (python.target(assignment), python.value(assignment)) else {
        return;
    };
    // Only `True` and numbers are truthy literals here; skip evaluating anything else.
    if !right.may_be_truthy_literal() || !python.is_true(right) {
        return;
    }
    match target {
        // app.debug = True
        Target::Attribute { object, attribute } => {
            if attribute == "debug" && python.is_app(object) {
                let fix = sink.fix(right.switch_off());
                sink.report(assignment.span(), "debug mode is switched on for the app")
                    .set_fix(fix);
            }
        }
        // app.config["DEBUG"] = True
        Target::Subscript { value, key } => {
            if python.is_config(value) && python.string_value(key).as_deref() == Some("DEBUG") {
                let fix = sink.fix(right.switch_off());
                sink.report(assignment.span(), "the app config sets DEBUG to true")
                    .set_fix(fix);
            }
        }
        // class ProductionConfig: DEBUG = True
        Target::Name("DEBUG") => {
            let Some(class) = python.enclosing_class(assignment) else {
                return;
            };
            if class.to_ascii_lowercase().contains("prod") {
                let fix = sink.fix(right.switch_off());
                sink.report(
                    assignment.span(),
                    format!("production config class `{class}` sets DEBUG to true"),
                )
                .set_fix(fix);
            }
        }
        Target::Name(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fix_switches_literal_debug_off() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("DBG001", "app.py", src);
        for (bad, good) in [
            ("app.run(debug=True)\n", "app.run(debug=False)\n"),
            (
                "app.run('127.0.0.1', 5000, True)\n",
                "app.run('127.0.0.1', 5000, False)\n",
            ),
            ("app.run(debug = 1)\n", "app.run(debug = 0)\n"),
            (
                "app = Flask(__name__)\r\napp.debug = True\r\n",
                "app = Flask(__name__)\r\napp.debug = False\r\n",
            ),
            (
                "app.config['DEBUG'] = True\n",
                "app.config['DEBUG'] = False\n",
            ),
            (
                "app.config.update(DEBUG=True)\n",
                "app.config.update(DEBUG=False)\n",
            ),
            (
                "app.config.update({'DEBUG': True})\n",
                "app.config.update({'DEBUG': False})\n",
            ),
            (
                "from fastapi import FastAPI\napi = FastAPI(\n    debug=True,\n)\n",
                "from fastapi import FastAPI\napi = FastAPI(\n    debug=False,\n)\n",
            ),
            (
                "class ProductionConfig:\n    DEBUG = True\n",
                "class ProductionConfig:\n    DEBUG = False\n",
            ),
        ] {
            assert_eq!(fix(bad), good, "{bad}");
        }
        // A name's value is decided where it is set: no fix at the call.
        let named = "DEBUG_ON = True\napp.run(debug=DEBUG_ON)\n";
        assert_eq!(fix(named), named);
    }

    /// The prefilter keeps every spelling the check fires on: each case is linted through it.
    #[test]
    fn trigger_keeps_every_way_to_set_debug() {
        fires_once(
            "DBG001",
            "app.py",
            &[
                ("app.run(debug  =  True)", "debug  =  True"),
                ("app.run(\n    debug\n    =True)", "debug\n    =True"),
                ("app.run(debug  # on\n    =True)", "debug  # on\n    =True"),
                ("app.run(debug=\\\n    True)", "debug=\\\n    True"),
                ("app.run('0.0.0.0', 80, 1)", "1"),
                (
                    "from flask import Flask\napp = Flask(__name__)\napp.run ('0.0.0.0', 80, True)",
                    "True",
                ),
                (
                    "from flask import Flask\napplication = Flask(__name__)\napplication . run(\n    '0.0.0.0', 80, True)",
                    "True",
                ),
                (
                    "# debugging: no `.run(` here\napp.run (\n    '0.0.0.0', 80, True)",
                    "True",
                ),
                (
                    "from fastapi import FastAPI as Api\napi = Api(debug=True)",
                    "debug=True",
                ),
                ("app.config.update(DEBUG=1)", "DEBUG=1"),
                ("app.config.update({'DEBUG': True})", "'DEBUG': True"),
                ("app.config[\"DEBUG\"]=True", "app.config[\"DEBUG\"]=True"),
                (
                    "class ProductionConfig:\n    DEBUG: bool = True",
                    "DEBUG: bool = True",
                ),
                (
                    "class ProductionConfig:\n    TESTING = DEBUG = True",
                    "DEBUG = True",
                ),
                // The word hidden in a key: a mention elsewhere is what the old trigger
                // needed too.
                (
                    "# debugging on\napp.config['DE' 'BUG'] = True",
                    "app.config['DE' 'BUG'] = True",
                ),
            ],
        );
    }

    #[test]
    fn trigger_leaves_mentions_that_set_nothing() {
        for text in [
            "logging.basicConfig(level=logging.DEBUG)",
            "self.debuglevel = 1",
            "print(debug)\nreturn debug\nx = 1",
            "log.debug('x')",
            "# debugging aid\nx = 1",
            "# debugging aid\nrun = 1",
        ] {
            assert!(!super::may_set_debug(text), "{text}");
        }
    }

    #[test]
    fn fail() {
        fires_once(
            "DBG001",
            "app.py",
            &[
                ("app.run(debug=True)", "debug=True"),
                ("app.run('127.0.0.1', 5000, True)", "True"),
                ("app.run(debug=1)", "debug=1"),
                ("DEBUG_ON = True\napp.run(debug=DEBUG_ON)", "debug=DEBUG_ON"),
                (
                    "from flask_socketio import SocketIO\nsocketio = SocketIO(app)\nsocketio.run(app, debug=True)",
                    "debug=True",
                ),
                (
                    "from flask_socketio import SocketIO as S\nsio = S()\ndef main():\n    sio.run(app, debug=True)",
                    "debug=True",
                ),
                // Conventional names beside the framework's import.
                (
                    "from flask_socketio import SocketIO\nfrom .ext import socketio\nsocketio.run(app, debug=True)",
                    "debug=True",
                ),
                (
                    "import flask\nfrom .web import app\napp.run(debug=True)",
                    "debug=True",
                ),
                // Through an alias, an attribute chain and a factory in the module.
                (
                    "from flask import Flask as F\nserver = F(__name__)\nserver.run(debug=True)",
                    "debug=True",
                ),
                (
                    "import quart\nweb = quart.Quart(__name__)\nweb.run(debug=True)",
                    "debug=True",
                ),
                (
                    "from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    return app\nsite = create_app()\nsite.run(debug=True)",
                    "debug=True",
                ),
                (
                    "from flask import Flask\ndef make():\n    return Flask(__name__)\nmake().run(debug=True)",
                    "debug=True",
                ),
                (
                    "from sanic import Sanic\nsrv = Sanic('x')\nsrv.run(debug=True)",
                    "debug=True",
                ),
                (
                    "import dash\napp = dash.Dash(__name__)\napp.run_server(debug=True)",
                    "debug=True",
                ),
                (
                    "from bottle import run\nrun(host='localhost', debug=True)",
                    "debug=True",
                ),
                (
                    "app = Flask(__name__)\napp.debug = True",
                    "app.debug = True",
                ),
                (
                    "srv = Flask(__name__)\nsrv.debug = True",
                    "srv.debug = True",
                ),
                ("app.config['DEBUG'] = True", "app.config['DEBUG'] = True"),
                ("app.config.update(DEBUG=True)", "DEBUG=True"),
                ("app.config.update({'DEBUG': True})", "'DEBUG': True"),
                (
                    "from fastapi import FastAPI\napi = FastAPI(debug=True)",
                    "debug=True",
                ),
                (
                    "import tornado.web\napp = tornado.web.Application(handlers, debug=True)",
                    "debug=True",
                ),
                (
                    "import starlette.applications as s\ns.Starlette(debug=True)",
                    "debug=True",
                ),
                ("class ProductionConfig:\n    DEBUG = True", "DEBUG = True"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "DBG001",
            "app.py",
            &[
                "app.run(debug=False)",
                "app.run()",
                "app.run(debug=os.environ.get('FLASK_DEBUG') == '1')",
                "app.run(debug=settings.DEBUG)",
                "# app.run(debug=True)",
                "'''app.run(debug=True)'''",
                "asyncio.run(main(), debug=True)",
                "import asyncio as aio\naio.run(main(), debug=True)",
                "self.debug = True",
                "parser.debug = True",
                "app.config['DEBUG'] = False",
                "app.config['TESTING'] = True",
                "app.config.update(DEBUG=False)",
                "FastAPI(debug=False)",
                "import tornado.web\ntornado.web.Application(handlers, debug=False)",
                // Not Tornado's: a name `Application` from elsewhere.
                "from myapp import Application\nApplication(debug=True)",
                "class DevelopmentConfig:\n    DEBUG = True",
                "app.run(debug='False')",
                "ctx.run(func, 1, 2)",
                // Receivers that are not web servers, or cannot be told to be one.
                "import subprocess\nsubprocess.run(['ls'], debug=True)",
                "foo.run(debug=True)",
                "socketio.run(app, debug=True)",
                "from fabric import Connection\nc = Connection('web1')\nc.run('ls', debug=True)",
                "def deploy(c):\n    c.run('make', debug=True)",
                "def deploy(app):\n    app.run(debug=True)",
                "import docker\nclient = docker.from_env()\nclient.containers.run('img', debug=True)",
                "from flask import Flask\nfrom celery import Celery\napp = Celery('tasks')\napp.run(debug=True)",
                "import flask\nimport typer\napp = typer.Typer()\napp.run(debug=True)",
                "from flask import Flask\napp = make_app()\napp.run(debug=True)",
                "from flask import Flask\ndef create_app():\n    return Celery('x')\napp = create_app()\napp.run(debug=True)",
                "from myworker import app\napp.run(debug=True)",
                // A method is not what a bare call of its name runs.
                "from flask import Flask\nclass Factory:\n    def build(self):\n        return Flask(__name__)\nsite = build()\nsite.run(debug=True)",
            ],
        );
    }
}
