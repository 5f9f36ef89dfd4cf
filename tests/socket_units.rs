//! systemd socket units (issue 11): a socket that activates a Python web service and listens
//! on every interface (`0.0.0.0:80`, `[::]:80`, a bare port) exposes that service on the host.

mod common;

use common::{project, run, stdout};
use serde_json::Value;

const SERVICE: &str = "\
[Service]
User=shop
ExecStart=/srv/shop/venv/bin/gunicorn shop.wsgi
";

/// `line:column-end_column` of each NET001 finding in `app.socket`.
fn exposed(socket: &str, service_name: &str, service: &str) -> Vec<String> {
    let dir = project(&[("app.socket", socket), (service_name, service)]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--output-format",
            "json",
            "--select",
            "NET001",
            ".",
        ],
        dir.path(),
    );
    let found: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    found
        .iter()
        .map(|f| {
            assert_eq!(f["path"], "app.socket", "{f:#}");
            format!("{}:{}-{}", f["line"], f["column"], f["end_column"])
        })
        .collect()
}

#[test]
fn listeners_on_every_interface_of_a_web_service_socket() {
    let socket = "\
[Socket]
ListenStream=0.0.0.0:80
ListenStream=[::]:443
ListenStream=8000
ListenDatagram=0.0.0.0:9000
ListenStream=127.0.0.1:8001
ListenStream=[::1]:8002
ListenStream=/run/shop.sock
ListenStream=@shop
ListenStream=vsock:2:1234
";
    assert_eq!(
        exposed(socket, "app.service", SERVICE),
        ["2:14-24", "3:14-22", "4:14-18", "5:16-28"]
    );
    // `Service=` names the unit; `Accept=yes` activates `name@.service`.
    let named = "[Socket]\nListenStream=8000\nService=shop.service\n";
    assert_eq!(exposed(named, "shop.service", SERVICE), ["2:14-18"]);
    let accept = "[Socket]\nListenStream=8000\nAccept=yes\n";
    assert_eq!(exposed(accept, "app@.service", SERVICE), ["2:14-18"]);
}

#[test]
fn sockets_of_other_services_or_loopback_are_quiet() {
    // A socket whose service is not a Python web app (a database, a shell script).
    let socket = "[Socket]\nListenStream=0.0.0.0:5432\n";
    let db = "[Service]\nExecStart=/usr/lib/postgresql/16/bin/postgres -D /var/lib/pg\n";
    assert!(exposed(socket, "app.service", db).is_empty());
    // The activated unit is not in the tree: nothing is guessed.
    assert!(exposed(socket, "other.service", SERVICE).is_empty());
    // Reset by an empty assignment.
    let reset = "[Socket]\nListenStream=0.0.0.0:80\nListenStream=\nListenStream=127.0.0.1:80\n";
    assert!(exposed(reset, "app.service", SERVICE).is_empty());
}
