//! FS002: application state kept under a shared temporary directory (`/tmp`, `/var/tmp`,
//! `/dev/shm`): where a service starts (a shipped image's `WORKDIR`, `WorkingDirectory=`,
//! `home=`), the directories it keeps data in or writes to (`VOLUME`, a compose bind mount,
//! `ReadWritePaths=`, mod_wsgi's sockets and eggs), or an upload, session or cache folder
//! configured in Python, or a file the app's code writes at a fixed path there. Other local
//! users can read, replace or pre-create files there.

use crate::model::deployment::{PathKind, WorkdirKind, is_shared_tmp};
use crate::model::python::{Assignment, Expr, Literal, Semantic, Target};
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "FS002",
    check,
    prefilter: Some(|_, text| text.contains("/tmp") || text.contains("/dev/shm")),
    // (compose: bind mounts of the host's /tmp and /var/tmp)
};

/// Settings that name a directory the app writes to.
const WRITABLE_DIR_SETTINGS: &[&str] = &[
    "UPLOAD_FOLDER",
    "UPLOAD_DIR",
    "UPLOAD_PATH",
    "UPLOADS_DEFAULT_DEST",
    "UPLOADED_FILES_DEST",
    "MEDIA_ROOT",
    "SESSION_FILE_DIR",
    "CACHE_DIR",
    "CACHE_PATH",
    "DATA_DIR",
];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for service in &ctx.deployment.services {
        // With a private /tmp (systemd's `PrivateTmp=`), only /dev/shm is still shared.
        let shared = |path: &str| {
            (!service.private_tmp || path.trim().starts_with("/dev/shm")) && is_shared_tmp(path)
        };
        if let Some(workdir) = &service.workdir
            && let WorkdirKind::Set(path) = &workdir.kind
            && shared(path)
        {
            sink.report(
                workdir.at,
                format!("{} {path}, a shared temporary directory", workdir.how),
            );
        }
        for fact in &service.writable {
            let path = fact.path.as_str();
            match fact.kind {
                PathKind::Volume if is_below_shared_tmp(path) && shared(path) => {
                    sink.report(
                        fact.at,
                        format!(
                            "{} {path} keeps the app's data in a shared temporary directory",
                            fact.how
                        ),
                    );
                }
                // The X11 socket directory is a socket, not state; `/dev/shm` mounts share
                // memory with browsers.
                PathKind::HostMount
                    if shared(path)
                        && !path.starts_with("/dev/shm")
                        && !path.starts_with("/tmp/.X11-unix") =>
                {
                    sink.report(
                        fact.at,
                        format!("{} {path}, a shared temporary directory", fact.how),
                    );
                }
                PathKind::Writable if shared(path) => {
                    sink.report(
                        fact.at,
                        format!("{} {path}, a shared temporary directory", fact.how),
                    );
                }
                _ => {}
            }
        }
    }
    if let View::Python(python) = ctx.view {
        for assignment in python.assignments() {
            check_assignment(python, assignment, sink);
        }
        for call in python.calls() {
            for kw in python.keywords(call) {
                report_if_tmp(python, kw.name, kw.value, kw.span, sink);
            }
        }
        check_writes(python, sink);
    }
}

/// `open("/tmp/app.log", "a")`, `Path("/tmp/app.db").touch()`, `sqlite3.connect(f"/tmp/{n}")`:
/// a file written at a name any local user can take first (or point elsewhere with a
/// symlink). The temporary directory itself (`os.makedirs("/tmp", exist_ok=True)`) is not
/// state, and paths from `tempfile` are not fixed.
fn check_writes(python: &Semantic<'_>, sink: &mut Sink<'_>) {
    for write in python.fixed_writes() {
        let below = if write.complete {
            is_below_shared_tmp(&write.path)
        } else {
            ["/tmp/", "/var/tmp/", "/dev/shm/"]
                .iter()
                .any(|dir| write.path.trim_start().starts_with(dir))
        };
        if !below {
            continue;
        }
        // A path only partly fixed is quoted as written (`f"/tmp/{name}.log"`).
        let written = python.text(write.at);
        let path = if write.complete {
            write.path
        } else if written.len() <= 60 && !written.contains('\n') {
            written.to_string()
        } else {
            format!("{}…", write.path)
        };
        // `sqlite3.connect`, `open`; a method of a longer chain by its name (`touch`).
        let callee = python.callee(write.call).map_or("", |c| python.text(c));
        let callee = if callee.contains(['(', '\n']) {
            python.method(write.call).unwrap_or("")
        } else {
            callee
        };
        sink.report(
            write.at.span(),
            format!(
                "{callee}() {} {path} at a fixed name in a shared temporary directory, where another \
                 local user can create it first or plant a symlink",
                write.how
            ),
        );
    }
}

/// `VOLUME /tmp` only gives the temp dir its own storage; a volume below it is app data.
fn is_below_shared_tmp(path: &str) -> bool {
    is_shared_tmp(path) && !matches!(path.trim_end_matches('/'), "/tmp" | "/var/tmp" | "/dev/shm")
}

fn check_assignment<'t>(python: &Semantic<'t>, assignment: Assignment<'t>, sink: &mut Sink<'_>) {
    let (Some(target), Some(value)) = (python.target(assignment), python.value(assignment)) else {
        return;
    };
    let setting = match target {
        Target::Name(name) => Some(name.to_string()),
        // app.config["UPLOAD_FOLDER"] = …
        Target::Subscript { key, .. } => python.string_value(key),
        // app.upload_folder = … (attribute names are lower case)
        Target::Attribute { attribute, .. } => Some(attribute.to_ascii_uppercase()),
    };
    if let Some(setting) = setting {
        report_if_tmp(python, &setting, value, assignment.span(), sink);
    }
}

fn report_if_tmp<'t>(
    python: &Semantic<'t>,
    setting: &str,
    value: Expr<'t>,
    span: crate::source::Span,
    sink: &mut Sink<'_>,
) {
    if !WRITABLE_DIR_SETTINGS.contains(&setting) {
        return;
    }
    if let Some(path) = tmp_path(python, value) {
        sink.report(
            span,
            format!("{setting} points into the shared temporary directory ({path})"),
        );
    }
}

/// A literal path under a shared temp dir, directly or as the first part of `os.path.join`.
fn tmp_path<'t>(python: &Semantic<'t>, value: Expr<'t>) -> Option<String> {
    if let Some(Literal::Str(path)) = python.literal(value) {
        return is_shared_tmp(&path).then_some(path);
    }
    let call = python.as_call(value)?;
    if python.calls_any(call, &["os.path.join", "posixpath.join"]) {
        let first = python.argument(call, "", Some(0))?;
        if let Some(Literal::Str(path)) = python.literal(first) {
            return is_shared_tmp(&path).then_some(path);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, fires_once_in, quiet, quiet_in};

    #[test]
    fn fail() {
        fires_once_in(
            "FS002",
            &[
                ("Dockerfile", "FROM python\nWORKDIR /tmp/app\n", "/tmp/app"),
                (
                    "Dockerfile",
                    "FROM python\nVOLUME [\"/data\", \"/tmp/uploads\"]\n",
                    "\"/tmp/uploads\"",
                ),
                (
                    "Dockerfile",
                    "FROM python\nENV D=/var/tmp/x\nWORKDIR $D\n",
                    "$D",
                ),
                (
                    "config.py",
                    "UPLOAD_FOLDER = '/tmp/uploads'\n",
                    "UPLOAD_FOLDER = '/tmp/uploads'",
                ),
                (
                    "app.py",
                    "app.config['SESSION_FILE_DIR'] = '/tmp/sessions'\n",
                    "app.config['SESSION_FILE_DIR'] = '/tmp/sessions'",
                ),
                (
                    "app.py",
                    "import os\nUPLOAD_FOLDER = os.path.join('/tmp', 'uploads')\n",
                    "UPLOAD_FOLDER = os.path.join('/tmp', 'uploads')",
                ),
                (
                    "app.py",
                    "app.config.update(CACHE_DIR='/dev/shm/cache')\n",
                    "CACHE_DIR='/dev/shm/cache'",
                ),
                (
                    "compose.yaml",
                    "services:\n  web:\n    image: app\n    volumes:\n      - /tmp/uploads:/app/uploads\n",
                    "/tmp/uploads:/app/uploads",
                ),
                (
                    "compose.yaml",
                    "services:\n  web:\n    image: app\n    volumes:\n      - type: bind\n        source: /var/tmp/app\n        target: /data\n",
                    "/var/tmp/app",
                ),
                (
                    "apache2/site.conf",
                    "WSGISocketPrefix /tmp/wsgi\n",
                    "/tmp/wsgi",
                ),
                (
                    "apache2/site.conf",
                    "WSGIDaemonProcess a home=/tmp/a\n",
                    "/tmp/a",
                ),
                (
                    "apache2/site.conf",
                    "WSGIDaemonProcess a home=/srv/a python-eggs=/var/tmp/eggs\n",
                    "/var/tmp/eggs",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet_in(
            "FS002",
            &[
                ("Dockerfile", "FROM python\nWORKDIR /app\n"),
                (
                    "Dockerfile",
                    "FROM python AS build\nWORKDIR /tmp/build\nFROM python\nWORKDIR /app\n",
                ),
                ("Dockerfile", "FROM python\nRUN cd /tmp && make\n"),
                (
                    "Dockerfile",
                    "FROM python\nWORKDIR /tmp\nRUN make\nWORKDIR /srv/app\n",
                ),
                ("Dockerfile", "FROM python\nVOLUME /tmp\n"),
                ("Dockerfile", "FROM python\nWORKDIR /tmpfiles\n"),
                ("config.py", "UPLOAD_FOLDER = '/srv/app/uploads'\n"),
                (
                    "config.py",
                    "import tempfile\nUPLOAD_FOLDER = tempfile.mkdtemp()\n",
                ),
                (
                    "config.py",
                    "UPLOAD_FOLDER = os.environ.get('UPLOAD_FOLDER', '/tmp/uploads')\n",
                ),
                ("config.py", "# UPLOAD_FOLDER = '/tmp/uploads'\n"),
                (
                    "apache2/site.conf",
                    "WSGISocketPrefix /var/run/apache2/wsgi\n",
                ),
                (
                    "apache2/site.conf",
                    "WSGIDaemonProcess a home=/var/lib/a python-eggs=/var/cache/a\n",
                ),
                ("apache2/site.conf", "# WSGISocketPrefix /tmp/wsgi\n"),
                (
                    "compose.yaml",
                    "services:\n  web:\n    image: app\n    volumes:\n      - /tmp/.X11-unix:/tmp/.X11-unix\n      - /dev/shm:/dev/shm\n      - ./data:/tmp/data\n      - tmpdata:/tmp\n    tmpfs: [/tmp]\n",
                ),
                (
                    "docker-compose.dev.yml",
                    "services:\n  web:\n    volumes:\n      - /tmp:/tmp\n",
                ),
                ("config.py", "LOG_FILE = '/tmp/app.log'\n"),
                ("app.service", "[Service]\nWorkingDirectory=/srv/app\n"),
                (
                    "app.service",
                    "[Service]\nWorkingDirectory=/tmp/app\nWorkingDirectory=/srv/app\n",
                ),
                // A private /tmp is the service's own.
                (
                    "app.service",
                    "[Service]\nPrivateTmp=yes\nWorkingDirectory=/tmp/app\n",
                ),
                (
                    "app.service",
                    "[Service]\nDynamicUser=yes\nReadWritePaths=/var/tmp/cache\n",
                ),
                (
                    "app.service",
                    "[Service]\nReadWritePaths=/tmp/a\nReadWritePaths=\nReadWritePaths=/srv/data\n",
                ),
                (
                    "app.service",
                    "[Service]\nReadOnlyPaths=/tmp\nWorkingDirectory=/tmpfiles\n",
                ),
                ("app.service", "[Unit]\nWorkingDirectory=/tmp\n"),
            ],
        );
    }

    #[test]
    fn systemd() {
        fires_once_in(
            "FS002",
            &[
                (
                    "app.service",
                    "[Service]\nWorkingDirectory=/tmp/app\n",
                    "/tmp/app",
                ),
                (
                    "app.service",
                    "[Service]\nWorkingDirectory=-/var/tmp/%n\n",
                    "-/var/tmp/%n",
                ),
                (
                    "app.service",
                    "[Service]\nReadWritePaths=/srv/data -/tmp/uploads\n",
                    "-/tmp/uploads",
                ),
                (
                    "app.service",
                    "[Service]\nPrivateTmp=yes\nReadWritePaths=/dev/shm/app\n",
                    "/dev/shm/app",
                ),
                (
                    "app.service",
                    "[Service]\nPrivateTmp=no\nWorkingDirectory=/tmp/my app\n",
                    "/tmp/my app",
                ),
            ],
        );
    }

    #[test]
    fn python_writes() {
        fires_once(
            "FS002",
            "app.py",
            &[
                ("open('/tmp/report.csv', 'w')", "'/tmp/report.csv'"),
                ("open('/tmp/app.log', 'a')", "'/tmp/app.log'"),
                ("open('/tmp/app.pid', 'x')", "'/tmp/app.pid'"),
                ("open('/tmp/blob', 'wb')", "'/tmp/blob'"),
                ("open('/tmp/state', mode='r+')", "'/tmp/state'"),
                (
                    "with open(file='/var/tmp/out', mode='w') as f:\n    f.write(x)",
                    "'/var/tmp/out'",
                ),
                ("open(f'/tmp/{name}.json', 'w')", "f'/tmp/{name}.json'"),
                ("open('/tmp/' + name, 'w')", "'/tmp/' + name"),
                ("open('/tmp/%s.txt' % name, 'w')", "'/tmp/%s.txt' % name"),
                (
                    "open('/tmp/{}.txt'.format(name), 'w')",
                    "'/tmp/{}.txt'.format(name)",
                ),
                ("LOG = '/tmp/app.log'\nopen(LOG, 'a')", "LOG"),
                (
                    "import os\nopen(os.path.join('/tmp', 'cache', key), 'wb')",
                    "os.path.join('/tmp', 'cache', key)",
                ),
                ("import io\nio.open('/dev/shm/x', 'w')", "'/dev/shm/x'"),
                (
                    "from pathlib import Path\nPath('/tmp/app.db').write_text(data)",
                    "Path('/tmp/app.db')",
                ),
                (
                    "from pathlib import Path\nPath('/tmp/app.lock').touch()",
                    "Path('/tmp/app.lock')",
                ),
                (
                    "from pathlib import Path\nPath('/tmp/uploads').mkdir(exist_ok=True)",
                    "Path('/tmp/uploads')",
                ),
                (
                    "from pathlib import Path\nwith Path('/tmp/x').open('w') as f:\n    pass",
                    "Path('/tmp/x')",
                ),
                (
                    "from pathlib import Path\nout = Path('/tmp') / 'out.bin'\nout.write_bytes(b)",
                    "out",
                ),
                (
                    "import sqlite3\nsqlite3.connect('/tmp/app.db')",
                    "'/tmp/app.db'",
                ),
                (
                    "import sqlite3\nsqlite3.connect(f'/tmp/{n}.db')",
                    "f'/tmp/{n}.db'",
                ),
                (
                    "import logging\nlogging.FileHandler('/tmp/app.log')",
                    "'/tmp/app.log'",
                ),
                (
                    "from logging.handlers import RotatingFileHandler\nRotatingFileHandler('/var/tmp/app.log', maxBytes=10)",
                    "'/var/tmp/app.log'",
                ),
                (
                    "import logging\nlogging.basicConfig(filename='/tmp/app.log', level=logging.INFO)",
                    "'/tmp/app.log'",
                ),
                (
                    "import os\nos.makedirs('/tmp/app/cache', exist_ok=True)",
                    "'/tmp/app/cache'",
                ),
            ],
        );
    }

    #[test]
    fn python_reads_and_private_temp_files_pass() {
        quiet(
            "FS002",
            "app.py",
            &[
                // Reads.
                "open('/tmp/x')",
                "open('/tmp/x', 'r')",
                "open('/tmp/x', 'rb')",
                "open('/tmp/x', mode='rt')",
                "from pathlib import Path\nPath('/tmp/x').read_text()",
                "import sqlite3\nsqlite3.connect('file:/tmp/x.db?mode=ro', uri=True)",
                // tempfile's names are private and random.
                "import tempfile\ntempfile.NamedTemporaryFile(dir='/tmp')",
                "import tempfile, os\nopen(os.path.join(tempfile.gettempdir(), 'x'), 'w')",
                "import tempfile\nfd, path = tempfile.mkstemp()\nopen(path, 'w')",
                // Comparisons, prefixes, strings only logged.
                "if path.startswith('/tmp'):\n    pass",
                "if path == '/tmp/x':\n    os.remove(path)",
                "import logging\nlogging.info('wrote /tmp/x')",
                // The temporary directory itself is not state.
                "import os\nos.makedirs('/tmp', exist_ok=True)",
                // Not below a temporary directory.
                "open('/tmpfiles/x', 'w')",
                "open(f'/tmp{suffix}', 'w')",
                "open('/srv/app/out', 'w')",
                // `open` that is not the builtin, a path from a parameter.
                "from webbrowser import open\nopen('/tmp/x', 'w')",
                "def save(path):\n    open(path, 'w')",
                "p.write_text('/tmp/x')",
                "# open('/tmp/x', 'w')",
            ],
        );
    }
}
