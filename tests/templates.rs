//! Templates that deploy (`site.conf.j2`, `app.service.j2`, `vhost.conf.example`) are read as
//! the file they render to; their placeholders are never literal values nor syntax errors.

mod common;

use common::{project, run, stderr, stdout};
use std::process::Output;

/// `path:line CODE` per concise line.
fn findings(out: &Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter(|l| l.contains(": "))
        .map(|l| {
            let (location, rest) = l.split_once(": ").unwrap();
            let mut parts = location.rsplitn(3, ':');
            let _column = parts.next();
            let line = parts.next().unwrap();
            let path = parts.next().unwrap();
            format!("{path}:{line} {}", rest.split_whitespace().next().unwrap())
        })
        .collect()
}

const VHOST: &str = "<VirtualHost *:80>\n    ServerName {{ server_name }}\n    WSGIDaemonProcess {{ app }} user={{ app_user }} group={{ app_user }} home={{ app_dir }}\n    WSGIProcessGroup {{ app }}\n    WSGIApplicationGroup %{GLOBAL}\n    WSGIScriptAlias / {{ app_dir }}/wsgi.py\n</VirtualHost>\n";

#[test]
fn templates_are_read_as_what_they_render_to() {
    let dir = project(&[
        ("deploy/site.conf.j2", VHOST),
        ("deploy/site.conf.in", VHOST),
        ("deploy/site.conf.example", VHOST),
        ("deploy/site.conf.sample", VHOST),
        ("deploy/site.conf.tmpl", VHOST),
        (
            "deploy/app.service.j2",
            "[Service]\nUser={{ user }}\nExecStart={{ venv }}/bin/gunicorn app:app\n",
        ),
        ("deploy/gunicorn.conf.py.j2", "bind = \"{{ bind }}\"\n"),
        // Not deployment templates: Python examples, and `.in` files of other tools.
        ("settings.py.example", "DEBUG = True\n"),
        ("MANIFEST.in", "include README\n"),
        ("requirements.in", "flask\n"),
    ]);
    let out = run(&["check", "--isolated", "--show-files", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed = stdout(&out);
    for (file, kind) in [
        ("deploy/site.conf.j2", "apache"),
        ("deploy/site.conf.in", "apache"),
        ("deploy/site.conf.example", "apache"),
        ("deploy/site.conf.sample", "apache"),
        ("deploy/site.conf.tmpl", "apache"),
        ("deploy/app.service.j2", "systemd"),
        ("deploy/gunicorn.conf.py.j2", "gunicorn"),
    ] {
        assert!(
            listed
                .lines()
                .any(|l| l.starts_with(file) && l.ends_with(kind)),
            "{file} as {kind}:\n{listed}"
        );
    }
    for file in ["settings.py.example", "MANIFEST.in", "requirements.in"] {
        assert!(!listed.contains(file), "{file} is not read:\n{listed}");
    }
}

#[test]
fn placeholders_are_not_literal_values() {
    let dir = project(&[
        ("site.conf.j2", VHOST),
        // `User=` is set, to whatever the deployment fills in: not root by omission.
        (
            "app.service.j2",
            "[Service]\nUser={{ app_user }}\nWorkingDirectory={{ app_dir }}\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nExecStart={{ venv }}/bin/gunicorn --bind {{ host }}:8000 app:app\n",
        ),
    ]);
    // The concerns a placeholder could fake: a user, a bind address, a shared environment.
    let out = run(
        &[
            "check",
            "--isolated",
            "--select",
            "NET,USR,SYN001,WSG001,WSG006,DOC,FS",
            "--output-format",
            "concise",
            ".",
        ],
        dir.path(),
    );
    assert_eq!(findings(&out), Vec::<String>::new(), "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn literal_problems_in_a_template_are_reported_at_the_template() {
    let unit = "[Service]\n{% if legacy %}\nExecStart={{ venv }}/bin/gunicorn -b 0.0.0.0:8000 app:app\n{% else %}\nExecStart={{ venv }}/bin/gunicorn -b 127.0.0.1:8000 app:app\n{% endif %}\nUser=root\n";
    let dir = project(&[("deploy/app.service.j2", unit)]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--select",
            "NET001,USR001,SYN001",
            "--output-format",
            "concise",
            ".",
        ],
        dir.path(),
    );
    let found = findings(&out);
    assert!(
        found.contains(&"deploy/app.service.j2:3 NET001".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"deploy/app.service.j2:7 USR001".to_string()),
        "{found:?}"
    );
    // `{% if %}` lines are not syntax errors of the unit.
    assert!(!found.iter().any(|f| f.ends_with("SYN001")), "{found:?}");
}

/// A message quotes a placeholder as the template writes it, not as deploylint masked it.
#[test]
fn messages_quote_placeholders_as_written() {
    let dir = project(&[("site.conf.j2", VHOST)]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--select",
            "WSG007",
            "--output-format",
            "concise",
            ".",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    // (`WSG007`, merged into WSG011, still selects it.)
    assert!(
        text.contains("WSG011") && text.contains("daemon process group {{ app }} has no "),
        "{text}"
    );
    assert!(!text.contains("___"), "{text}");
}

/// Jinja blocks decide the structure only once rendered (two openings for one close), so
/// what does not parse in such a template is not reported; a template without blocks is
/// held to the syntax of what it renders to.
#[test]
fn syntax_errors_count_only_where_rendering_cannot_change_the_structure() {
    let dir = project(&[
        (
            "blocks.conf.j2",
            "{% if tls %}\n<VirtualHost *:443>\n{% else %}\n<VirtualHost *:80>\n{% endif %}\nServerName {{ name }}\n</VirtualHost>\n",
        ),
        (
            "plain.conf.j2",
            "<VirtualHost *:80>\nServerName {{ name }}\n",
        ),
    ]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--select",
            "SYN001",
            "--output-format",
            "concise",
            ".",
        ],
        dir.path(),
    );
    let found = findings(&out);
    assert_eq!(
        found,
        vec!["plain.conf.j2:1 SYN001".to_string()],
        "{}",
        stdout(&out)
    );
}

/// A fix computed on the masked text would write the mask into the template: templates get
/// no fixes, and `--fix` leaves them as they are.
#[test]
fn fix_never_rewrites_a_template() {
    let unit =
        "[Service]\nUser={{ user }}\nUMask=0000\nExecStart={{ venv }}/bin/gunicorn app:app\n";
    let dir = project(&[("app.service.j2", unit)]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--select",
            "FS003",
            "--fix",
            "--unsafe-fixes",
            ".",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.service.j2")).unwrap(),
        unit
    );
}
