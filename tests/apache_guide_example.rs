//! The mod_wsgi hardening guide's worked example (three components of one system in one
//! Apache: dedicated users, `WSGIRestrictProcess`, `display-name=%{GROUP}`, one
//! `python-home=` each) raises none of the rules it satisfies; the same example completed with
//! the guide's other advice raises nothing; and each single deviation from it raises exactly
//! the rule that covers that deviation.

use deploylint::catalog::Format;
use deploylint::engine::{Settings, lint_source};
use deploylint::source::SourceFile;
use std::collections::BTreeMap;

/// The guide's example, with the section tags its rendering dropped put back.
const EXAMPLE: &str = r#"WSGIDaemonProcess admin-app processes=1 threads=15 \
    user=admin-app group=admin-app \
    display-name=%{GROUP} \
    python-home=/var/lib/admin-app/venv
WSGIDaemonProcess public-app processes=2 threads=15 \
    user=public-app group=public-app \
    display-name=%{GROUP} \
    python-home=/var/lib/public-app/venv
WSGIDaemonProcess api-app processes=2 threads=15 \
    user=api-app group=api-app \
    display-name=%{GROUP} \
    python-home=/var/lib/api-app/venv

<VirtualHost *:443>
    ServerName admin.example.com
    SSLEngine on
    SSLCertificateFile /etc/pki/example/admin.crt
    SSLCertificateKeyFile /etc/pki/example/admin.key
    WSGIProcessGroup admin-app
    WSGIApplicationGroup %{GLOBAL}
    WSGIScriptAlias / /var/www/admin/wsgi.py
    WSGIRestrictProcess admin-app
    <Directory /var/www/admin>
        Require all granted
    </Directory>
</VirtualHost>

<VirtualHost *:443>
    ServerName www.example.com
    SSLEngine on
    SSLCertificateFile /etc/pki/example/public.crt
    SSLCertificateKeyFile /etc/pki/example/public.key
    WSGIProcessGroup public-app
    WSGIApplicationGroup %{GLOBAL}
    WSGIScriptAlias / /var/www/public/wsgi.py
    WSGIRestrictProcess public-app
    <Directory /var/www/public>
        Require all granted
    </Directory>
</VirtualHost>

<VirtualHost *:443>
    ServerName api.example.com
    SSLEngine on
    SSLCertificateFile /etc/pki/example/api.crt
    SSLCertificateKeyFile /etc/pki/example/api.key
    WSGIProcessGroup api-app
    WSGIApplicationGroup %{GLOBAL}
    WSGIScriptAlias / /var/www/api/wsgi.py
    WSGIRestrictProcess api-app
    <Directory /var/www/api>
        Require all granted
    </Directory>
</VirtualHost>
"#;

/// The guide's server-wide advice: daemon mode only, limits, no disclosure.
const SERVER: &str = "WSGIRestrictEmbedded On
ServerTokens Prod
ServerSignature Off
LogLevel warn wsgi:info
RequestReadTimeout header=15-30,MinRate=500 body=15,MinRate=500
LimitRequestBody 10485760
WSGISocketPrefix /var/run/apache2/wsgi
";

/// The example with the rest of the guide's per-daemon advice (`home=`, timeouts, recycling,
/// `umask=`), as the server's whole configuration.
fn hardened() -> String {
    let example = EXAMPLE.replace(
        "display-name=%{GROUP} \\\n    python-home=/var/lib/admin-app/venv",
        "display-name=%{GROUP} \\\n    python-home=/var/lib/admin-app/venv home=/var/lib/admin-app",
    );
    let mut example = example;
    for app in ["public-app", "api-app"] {
        example = example.replace(
            &format!("python-home=/var/lib/{app}/venv"),
            &format!("python-home=/var/lib/{app}/venv home=/var/lib/{app}"),
        );
    }
    let example = example.replace(
        "display-name=%{GROUP} \\\n",
        "display-name=%{GROUP} umask=0027 \\\n    request-timeout=60 maximum-requests=1000 graceful-timeout=15 \\\n",
    );
    format!("{SERVER}{example}")
}

fn raised(name: &str, text: &str) -> BTreeMap<String, usize> {
    let source = SourceFile::new(name, text);
    let mut out = BTreeMap::new();
    for d in lint_source(&source, Format::Apache, &Settings::default()) {
        *out.entry(d.code).or_insert(0) += 1;
    }
    out
}

/// (what changes, the text replaced, its replacement, the findings expected).
type Deviation = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, usize)],
);

fn counts(items: &[(&str, usize)]) -> BTreeMap<String, usize> {
    items.iter().map(|(c, n)| (c.to_string(), *n)).collect()
}

#[test]
fn the_guide_example_raises_only_what_it_does_not_address() {
    // As a site file: it sets no working directory, timeouts or recycling for its daemons
    // (the guide covers those in other sections), and nothing else.
    assert_eq!(
        raised("apache2/sites-available/example.conf", EXAMPLE),
        counts(&[("WSG008", 3), ("WSG011", 3)])
    );
}

#[test]
fn the_completed_example_raises_nothing() {
    let text = hardened();
    assert_eq!(raised("httpd.conf", &text), BTreeMap::new(), "{text}");
    assert_eq!(
        raised("apache2/sites-available/example.conf", &text),
        BTreeMap::new()
    );
}

#[test]
fn each_deviation_raises_exactly_its_rule() {
    let base = hardened();
    let cases: &[Deviation] = &[
        (
            "drop a user=",
            "user=admin-app group=admin-app",
            "",
            &[("USR002", 1)],
        ),
        (
            "share a user",
            "user=public-app group=public-app",
            "user=admin-app group=public-app",
            &[("WSG003", 1)],
        ),
        (
            "run a daemon as root",
            "user=api-app group=api-app",
            "user=root group=api-app",
            &[("USR001", 1)],
        ),
        (
            "run a daemon as the Apache user",
            "user=api-app group=api-app",
            "user=www-data group=www-data",
            &[("USR002", 1)],
        ),
        (
            "move the script under the DocumentRoot",
            "    ServerName admin.example.com\n",
            "    ServerName admin.example.com\n    DocumentRoot /var/www\n",
            &[("DOC001", 1)],
        ),
        (
            "mount a directory of scripts",
            "/var/www/api/wsgi.py",
            "/var/www/api/",
            &[("DOC003", 1)],
        ),
        (
            "drop a WSGIRestrictProcess",
            "    WSGIRestrictProcess api-app\n",
            "",
            &[("WSG004", 1)],
        ),
        (
            // WSGIRestrictEmbedded On makes this fail closed: requests are refused, not run
            // embedded (see `embedded_mode_without_the_restriction` for the other case).
            "drop a WSGIProcessGroup",
            "    WSGIProcessGroup public-app\n",
            "",
            &[],
        ),
        (
            "allow embedded mode",
            "WSGIRestrictEmbedded On\n",
            "",
            &[("WSG002", 1)],
        ),
        (
            "drop a WSGIApplicationGroup",
            "    WSGIProcessGroup api-app\n    WSGIApplicationGroup %{GLOBAL}\n",
            "    WSGIProcessGroup api-app\n",
            &[("WSG005", 1)],
        ),
        (
            "share a virtual environment",
            "python-home=/var/lib/api-app/venv",
            "python-home=/var/lib/public-app/venv",
            &[("WSG006", 1)],
        ),
        (
            "drop a display-name=",
            "threads=15 \\\n    user=api-app group=api-app \\\n    display-name=%{GROUP} ",
            "threads=15 \\\n    user=api-app group=api-app \\\n    ",
            &[("WSG011", 1)],
        ),
        (
            "drop a home=",
            " home=/var/lib/api-app",
            "",
            &[("WSG008", 1)],
        ),
        (
            "keep the working directory in /tmp",
            " home=/var/lib/api-app",
            " home=/tmp/api-app",
            &[("FS002", 1)],
        ),
        (
            "put the sockets in /tmp",
            "WSGISocketPrefix /var/run/apache2/wsgi",
            "WSGISocketPrefix /tmp/wsgi",
            &[("FS002", 1)],
        ),
        (
            "loosen a umask",
            "processes=2 threads=15 \\\n    user=api-app group=api-app \\\n    display-name=%{GROUP} umask=0027",
            "processes=2 threads=15 \\\n    user=api-app group=api-app \\\n    display-name=%{GROUP} umask=0022",
            &[("FS003", 1)],
        ),
        (
            "pass credentials to the app",
            "    WSGIRestrictProcess api-app\n",
            "    WSGIRestrictProcess api-app\n    WSGIPassAuthorization On\n",
            &[("WSG009", 1)],
        ),
        (
            "trust proxy headers from anyone",
            "    WSGIRestrictProcess public-app\n",
            "    WSGIRestrictProcess public-app\n    WSGITrustedProxyHeaders X-Forwarded-For\n",
            &[("WSG010", 1)],
        ),
        (
            "announce the OS",
            "ServerTokens Prod",
            "ServerTokens OS",
            &[("DIS001", 1)],
        ),
        (
            "sign error pages",
            "ServerSignature Off",
            "ServerSignature On",
            &[("DIS002", 1)],
        ),
        (
            "log at debug",
            "LogLevel warn wsgi:info",
            "LogLevel debug",
            &[("DIS003", 1)],
        ),
        (
            "drop RequestReadTimeout",
            "RequestReadTimeout header=15-30,MinRate=500 body=15,MinRate=500\n",
            "",
            &[("LIM001", 3)],
        ),
        (
            "drop LimitRequestBody",
            "LimitRequestBody 10485760\n",
            "",
            &[("LIM002", 3)],
        ),
        (
            "drop a request timeout",
            "request-timeout=60 maximum-requests=1000 graceful-timeout=15 \\\n    python-home=/var/lib/api-app",
            "maximum-requests=1000 graceful-timeout=15 \\\n    python-home=/var/lib/api-app",
            &[("WSG011", 1)],
        ),
        (
            "drop a graceful timeout",
            "graceful-timeout=15 \\\n    python-home=/var/lib/api-app",
            "\\\n    python-home=/var/lib/api-app",
            &[("WSG011", 1)],
        ),
        (
            "leave a section open",
            "        Require all granted\n    </Directory>\n</VirtualHost>\n\n<VirtualHost *:443>\n    ServerName www",
            "        Require all granted\n</VirtualHost>\n\n<VirtualHost *:443>\n    ServerName www",
            &[("SYN001", 1)],
        ),
    ];
    let mut failures = Vec::new();
    for (what, from, to, expected) in cases {
        assert!(base.contains(from), "{what}: {from:?} not in the example");
        let text = base.replacen(from, to, 1);
        let got = raised("httpd.conf", &text);
        if got != counts(expected) {
            failures.push(format!("{what}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn project_code_under_the_document_root() {
    // The admin vhost serves /var/www/html; its daemon imports code from below it.
    let text = hardened()
        .replace(
            "    ServerName admin.example.com\n",
            "    ServerName admin.example.com\n    DocumentRoot /var/www/html\n",
        )
        .replacen(
            "home=/var/lib/admin-app",
            "home=/var/lib/admin-app python-path=/var/www/html/admin",
            1,
        );
    // The daemon is defined in the main server, so every vhost's DocumentRoot counts.
    assert_eq!(raised("httpd.conf", &text), counts(&[("DOC002", 1)]));
}

#[test]
fn embedded_mode_without_the_restriction() {
    let text = hardened()
        .replace("WSGIRestrictEmbedded On\n", "")
        .replace("    WSGIProcessGroup public-app\n", "");
    assert_eq!(
        raised("httpd.conf", &text),
        counts(&[("WSG001", 1), ("WSG002", 1)])
    );
}
