//! nginx joined to the backends behind it (issue 12): a `proxy_pass`/`uwsgi_pass` (or an
//! `upstream`'s server) to a loopback port that a launcher of the project binds on every
//! interface of a host makes that launcher's NET001 say the proxy is bypassable, with the nginx
//! line as a label; unix sockets, loopback binds, compose service names and variables are
//! joined in the graph (or not at all) and add no finding.

mod common;

use common::{manifest_dir, project, run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("fixtures/projects").join(name)
}

fn findings(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend(args);
    let out = run(&all, dir);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn short(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

fn graph(dir: &Path) -> Value {
    let out = run(&["graph", "--format", "json"], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `directive -> launcher file:line (via)` for each join the graph shows.
fn joins(graph: &Value) -> Vec<String> {
    let launchers = graph["launchers"].as_array().unwrap();
    let mut out = Vec::new();
    for proxy in graph["proxies"].as_array().into_iter().flatten() {
        for reach in proxy["reaches"].as_array().unwrap() {
            let launcher = launchers
                .iter()
                .find(|l| l["id"] == reach["launcher"])
                .unwrap();
            out.push(format!(
                "{} -> {}:{} ({})",
                proxy["directive"].as_str().unwrap(),
                launcher["file"].as_str().unwrap(),
                launcher["line"],
                reach["via"].as_str().unwrap()
            ));
        }
    }
    out
}

#[test]
fn a_bind_on_every_interface_that_nginx_reaches_on_loopback_says_so() {
    let dir = fixture("nginx-proxy-exposed");
    let items = findings(&dir, &[]);
    assert_eq!(
        short(&items),
        [
            "deploy/systemd/admin.service:8 NET001",
            "deploy/systemd/shop.service:9 NET001",
            "deploy/uwsgi/api.ini:7 NET001"
        ]
    );
    // The admin server's port is only behind a `proxy_pass $variable`: no join, no note.
    let admin = items[0]["message"].as_str().unwrap();
    assert!(!admin.contains("nginx"), "{admin}");
    let shop = items[1]["message"].as_str().unwrap();
    assert!(
        shop.ends_with(
            "(nginx proxies to it at deploy/nginx/shop.conf:2 `server 127.0.0.1:8000` \
             (upstream `shop_app`): bind it to 127.0.0.1 so only the proxy reaches it)"
        ),
        "{shop}"
    );
    let label = items[1]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"] == "deploy/nginx/shop.conf")
        .unwrap_or_else(|| panic!("{}", items[1]));
    assert_eq!(label["line"], 2);
    let api = items[2]["message"].as_str().unwrap();
    assert!(
        api.contains("at deploy/nginx/shop.conf:21 `uwsgi_pass 127.0.0.1:3031`"),
        "{api}"
    );
    // One finding per bind: the join adds no finding of its own.
    assert_eq!(items.iter().filter(|d| d["code"] == "NET001").count(), 3);
    let pretty = run(
        &["check", "--color", "never", "deploy/systemd/shop.service"],
        &dir,
    );
    insta::assert_snapshot!("exposed_pretty", stdout(&pretty));
}

#[test]
fn the_join_holds_without_the_project_root() {
    let dir = fixture("nginx-proxy-exposed");
    let isolated = findings(&dir, &["--isolated"]);
    assert_eq!(findings(&dir, &[]), isolated);
}

#[test]
fn the_graph_shows_each_proxy_and_the_launcher_it_reaches() {
    let dir = fixture("nginx-proxy-exposed");
    assert_eq!(
        joins(&graph(&dir)),
        [
            "server 127.0.0.1:8000 -> deploy/systemd/shop.service:9 (loopback)",
            "uwsgi_pass 127.0.0.1:3031 -> deploy/uwsgi/api.ini:1 (loopback)"
        ]
    );
    // The directories it serves as files are nodes too.
    let served = &graph(&dir)["served"];
    assert_eq!(served[0]["uri"], "/static/", "{served}");
    assert_eq!(served[0]["dir"], "/srv/shop/static/", "{served}");
    assert_eq!(served[0]["line"], 16, "{served}");
    for format in ["text", "mermaid", "dot"] {
        let out = run(&["graph", "--format", format], &dir);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        insta::assert_snapshot!(format!("exposed_graph_{format}"), stdout(&out));
    }
}

#[test]
fn loopback_binds_and_unix_sockets_are_joined_and_quiet() {
    let dir = fixture("nginx-proxy-loopback");
    assert!(findings(&dir, &[]).is_empty());
    assert_eq!(
        joins(&graph(&dir)),
        [
            "server localhost:8000 -> deploy/systemd/shop.service:8 (loopback)",
            "proxy_pass http://unix:/run/shop/reports.sock:/ -> \
             deploy/systemd/reports.service:9 (unix socket)"
        ]
    );
}

#[test]
fn a_compose_service_behind_nginx_is_joined_by_name_and_quiet() {
    let dir = fixture("nginx-proxy-compose");
    assert!(findings(&dir, &[]).is_empty());
    assert_eq!(
        joins(&graph(&dir)),
        ["proxy_pass http://web:8000 -> compose.yaml:4 (service network)"]
    );
}

const EXPOSED_UNIT: &str =
    "[Service]\nUser=app\nExecStart=/usr/bin/gunicorn --bind 0.0.0.0:8000 app:app\n";
const PROXY: &str =
    "server {\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n";

fn net001_messages(dir: &Path, args: &[&str]) -> Vec<String> {
    findings(dir, args)
        .iter()
        .filter(|d| d["code"] == "NET001")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn configs_of_different_deployments_are_not_joined() {
    // A tree of several deployments (a monorepo's, a directory of examples, a corpus): a
    // proxy is joined only to launchers beside it.
    let dir = project(&[
        ("pyproject.toml", "[project]\nname = \"app\"\n"),
        ("examples/nginx/site.conf", PROXY),
        ("services/api/app.service", EXPOSED_UNIT),
    ]);
    for args in [&[][..], &["--isolated"]] {
        let messages = net001_messages(dir.path(), args);
        assert_eq!(messages.len(), 1);
        assert!(!messages[0].contains("nginx"), "{messages:?}");
    }
    // The same files side by side are one deployment.
    let dir = project(&[
        ("pyproject.toml", "[project]\nname = \"app\"\n"),
        ("services/api/nginx/site.conf", PROXY),
        ("services/api/app.service", EXPOSED_UNIT),
    ]);
    let messages = net001_messages(dir.path(), &[]);
    assert!(messages[0].contains("nginx proxies to it"), "{messages:?}");
}

#[test]
fn negatives_other_port_other_host_and_a_container_published_on_loopback() {
    for (proxy_pass, why) in [
        ("http://127.0.0.1:8001", "another port"),
        ("http://10.0.0.5:8000", "another machine"),
        (
            "http://app:8000",
            "a host name that is no service of the project",
        ),
        ("http://unix:/run/app.sock", "a unix socket"),
        ("http://127.0.0.1", "port 80"),
    ] {
        let conf = PROXY.replace("http://127.0.0.1:8000", proxy_pass);
        let dir = project(&[
            ("pyproject.toml", "[project]\nname = \"app\"\n"),
            ("deploy/site.conf", &conf),
            ("deploy/app.service", EXPOSED_UNIT),
        ]);
        let messages = net001_messages(dir.path(), &[]);
        assert_eq!(messages.len(), 1, "{why}");
        assert!(!messages[0].contains("nginx"), "{why}: {messages:?}");
    }
    // A container bound on every interface inside, published on the host's loopback: the
    // bind is quiet, and the proxy in front changes nothing.
    let dir = project(&[
        ("pyproject.toml", "[project]\nname = \"app\"\n"),
        ("deploy/site.conf", PROXY),
        (
            "compose.yaml",
            "services:\n  web:\n    image: app\n    command: gunicorn --bind 0.0.0.0:8000 app:app\n    ports:\n      - \"127.0.0.1:8000:8000\"\n",
        ),
    ]);
    assert!(net001_messages(dir.path(), &[]).is_empty());
}

/// WSG010 on an nginx `proxy_pass` that passes the client's own `X-Forwarded-For` (sets none,
/// `$http_x_forwarded_for`, or a location whose own `proxy_set_header` cuts the server's off)
/// to a server that believes it: uvicorn on loopback (its default trust), or an app with
/// Werkzeug's ProxyFix. `$proxy_add_x_forwarded_for`, Debian's `proxy_params`, a header set
/// for the server and inherited, an include the tree lacks, gunicorn, `--no-proxy-headers`
/// and a unix socket (uvicorn trusts only 127.0.0.1) stay quiet.
#[test]
fn a_proxy_that_passes_the_clients_forwarded_for_to_a_server_that_believes_it() {
    let dir = fixture("nginx-forwarded-for");
    let items = findings(&dir, &["--select", "WSG010"]);
    assert_eq!(
        short(&items),
        [
            "deploy/nginx/client-header.conf:8 WSG010",
            "deploy/nginx/cut.conf:9 WSG010",
            "deploy/nginx/shop.conf:11 WSG010",
            "deploy/nginx/unset.conf:7 WSG010"
        ]
    );
    let unset = items[3]["message"].as_str().unwrap();
    assert_eq!(
        unset,
        "nginx passes the client's own X-Forwarded-For to uvicorn (started by \
         deploy/systemd/unset.service:8), which trusts it from 127.0.0.1: any client can set \
         the address the app sees"
    );
    let label = &items[3]["labels"][0];
    assert_eq!(label["path"], "deploy/systemd/unset.service");
    assert_eq!(label["line"], 8);
    let shop = items[2]["message"].as_str().unwrap();
    assert!(
        shop.contains("to gunicorn (started by deploy/systemd/shop.service:8), whose app believes it through ProxyFix (x_for=1, shop/wsgi.py:5)"),
        "{shop}"
    );
    assert_eq!(items[2]["labels"][0]["path"], "shop/wsgi.py");
    let pretty = run(
        &[
            "check",
            "--color",
            "never",
            "--select",
            "WSG010",
            "deploy/nginx/unset.conf",
            "deploy/nginx/shop.conf",
            "deploy/systemd",
            "shop",
        ],
        &dir,
    );
    insta::assert_snapshot!("forwarded_for_pretty", stdout(&pretty));
}

/// The nginx file named alone is judged with the project around it (the unit beside it is read
/// as context); an isolated run of it knows no launcher, joins nothing and says nothing.
#[test]
fn a_proxy_alone_says_nothing_about_forwarded_headers() {
    let dir = fixture("nginx-forwarded-for");
    let one = ["--select", "WSG010", "deploy/nginx/unset.conf"];
    assert_eq!(
        short(&findings(&dir, &one)),
        ["deploy/nginx/unset.conf:7 WSG010"]
    );
    let isolated = [
        "--select",
        "WSG010",
        "--isolated",
        "deploy/nginx/unset.conf",
    ];
    assert_eq!(short(&findings(&dir, &isolated)), Vec::<String>::new());
}

/// uvicorn reads `UVICORN_PROXY_HEADERS` and `FORWARDED_ALLOW_IPS` from its environment: off,
/// or a list without loopback, and it does not believe nginx's header.
#[test]
fn uvicorn_settings_from_the_environment_decide_whom_it_believes() {
    let site = "server {\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n";
    let unit = |env: &str| {
        format!(
            "[Service]\nUser=api\nWorkingDirectory=/srv/api\n{env}ExecStart=/srv/api/venv/bin/uvicorn main:app --host 127.0.0.1 --port 8000\n"
        )
    };
    let cases = [
        ("", 1),
        ("Environment=UVICORN_PROXY_HEADERS=true\n", 1),
        ("Environment=FORWARDED_ALLOW_IPS=127.0.0.1,10.0.0.2\n", 1),
        ("Environment=UVICORN_PROXY_HEADERS=false\n", 0),
        ("Environment=FORWARDED_ALLOW_IPS=10.0.0.2\n", 0),
    ];
    for (env, expected) in cases {
        let dir = project(&[
            ("pyproject.toml", "[project]\nname = \"api\"\n"),
            ("deploy/nginx/api.conf", site),
            ("deploy/systemd/api.service", &unit(env)),
        ]);
        let items = findings(dir.path(), &["--select", "WSG010"]);
        assert_eq!(items.len(), expected, "{env}: {items:?}");
    }
}

/// A container sees a published port's clients from its bridge's gateway, not 127.0.0.1: uvicorn
/// inside, with its default trust, does not believe the header nginx on the host passes.
/// With `--forwarded-allow-ips '*'` it believes anyone, nginx included.
#[test]
fn uvicorn_in_a_container_behind_nginx_on_loopback() {
    let site = "server {\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n";
    for (trust, expected) in [("", 0), (" --forwarded-allow-ips '*'", 1)] {
        let compose = format!(
            "services:\n  web:\n    image: api\n    user: app\n    command: uvicorn main:app --host 0.0.0.0 --port 8000{trust}\n    ports:\n      - \"127.0.0.1:8000:8000\"\n"
        );
        let dir = project(&[
            ("pyproject.toml", "[project]\nname = \"api\"\n"),
            ("deploy/site.conf", site),
            ("deploy/compose.yaml", &compose),
        ]);
        let out = run(&["graph", "--format", "json"], dir.path());
        let graph: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(joins(&graph).len(), 1, "{}", stdout(&out));
        let items = findings(dir.path(), &["--select", "WSG010"]);
        assert_eq!(items.len(), expected, "{trust}: {items:?}");
    }
}

/// The graph joins a proxy and a launcher of one root only; rule WSG010 joins files near each
/// other wherever they were named. Both now read one join of the project, so each must keep
/// its own reach: two directories named apart are two roots for the graph, not for the rule.
#[test]
fn the_rule_joins_across_named_directories_and_the_graph_within_one_root() {
    let deploy = fixture("nginx-forwarded-for").join("deploy");
    let read = |path: &str| std::fs::read_to_string(deploy.join(path)).unwrap();
    let (conf, unit) = (read("nginx/unset.conf"), read("systemd/unset.service"));
    let dir = project(&[
        ("nginx/unset.conf", conf.as_str()),
        ("systemd/unset.service", unit.as_str()),
    ]);
    let apart = ["--select", "WSG010", "nginx", "systemd"];
    assert_eq!(
        short(&findings(dir.path(), &apart)),
        ["nginx/unset.conf:7 WSG010"]
    );
    let out = run(
        &["graph", "--format", "json", "nginx", "systemd"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        joins(&serde_json::from_slice(&out.stdout).unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        joins(&graph(dir.path())),
        ["proxy_pass http://127.0.0.1:8001 -> systemd/unset.service:8 (loopback)"]
    );
    assert_eq!(
        short(&findings(dir.path(), &["--select", "WSG010"])),
        ["nginx/unset.conf:7 WSG010"]
    );
}
