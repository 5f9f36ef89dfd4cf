//! Detection of a file's kind: by its name, and by its content where the name alone is
//! ambiguous, asking each front end in `crate::frontend::FRONT_ENDS` in turn. The walker and
//! engine never name a kind themselves.

use crate::catalog::Format;
use crate::frontend::FRONT_ENDS;
pub use crate::frontend::NameMatch;
use crate::template;
use std::path::Path;

/// What the name alone tells: a kind, a need to look at the content, or nothing.
pub enum Detection {
    Known(Format),
    NeedsContent,
    Unknown,
}

pub fn detect_by_name(path: &Path) -> Detection {
    let mut maybe = false;
    for spec in FRONT_ENDS {
        match name_match(spec, path) {
            NameMatch::Yes => return Detection::Known(spec.format),
            NameMatch::Maybe => maybe = true,
            NameMatch::No => {}
        }
    }
    if maybe {
        Detection::NeedsContent
    } else {
        Detection::Unknown
    }
}

/// Decides between the kinds whose name matched `Maybe`; with `any_name`, also tries kinds the
/// name says nothing about (for files the user named explicitly). A shebang is the strongest
/// evidence and is weighed first: a script says which interpreter runs it.
pub fn detect_by_content(path: &Path, text: &str, any_name: bool) -> Option<Format> {
    let head = head_of(text);
    let allowed = |spec: &crate::frontend::FrontEnd| {
        let name = name_match(spec, path);
        name == NameMatch::Maybe || (any_name && name == NameMatch::No)
    };
    if let Some(script) = shebang_kind(head) {
        return script
            .filter(|format| FRONT_ENDS.iter().any(|s| s.format == *format && allowed(s)));
    }
    FRONT_ENDS
        .iter()
        .find(|spec| allowed(spec) && (spec.sniff)(head))
        .map(|spec| spec.format)
}

/// What a front end makes of a name; a template (`site.conf.j2`) is judged by the name it
/// renders to, by the front ends that read templates.
fn name_match(spec: &crate::frontend::FrontEnd, path: &Path) -> NameMatch {
    match (spec.by_name)(path) {
        NameMatch::No if spec.templates => template::rendered_name(path)
            .map_or(NameMatch::No, |rendered| (spec.by_name)(&rendered)),
        found => found,
    }
}

/// What a `#!` first line says: `None` without one, `Some(Some(format))` for an interpreter a
/// front end runs (`/usr/bin/python3.11`, `env -S python3 -u`), `Some(None)` for any other
/// (`sh`, `bash`, `node`): a script in a language deploylint does not read, whatever keywords
/// its lines start with.
pub fn shebang_kind(head: &str) -> Option<Option<Format>> {
    let line = head.strip_prefix("#!")?.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let mut program = basename(words.next().unwrap_or(""));
    if program == "env" {
        // `env [-S] [-i] [-u NAME] [NAME=value]... program`: skip to the program.
        let mut skip_next = false;
        program = "";
        for word in words.by_ref() {
            if std::mem::take(&mut skip_next) {
                continue;
            }
            if matches!(word, "-u" | "--unset" | "-C" | "--chdir") {
                skip_next = true;
            } else if !word.starts_with('-') && !word.contains('=') {
                program = basename(word);
                break;
            }
        }
    }
    let args: Vec<&str> = words.collect();
    Some(
        FRONT_ENDS
            .iter()
            .find(|f| f.interpreter.is_some_and(|runs| runs(program, &args)))
            .map(|f| f.format),
    )
}

fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

fn head_of(text: &str) -> &str {
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(name: &str) -> Option<Format> {
        match detect_by_name(Path::new(name)) {
            Detection::Known(f) => Some(f),
            _ => None,
        }
    }

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "Dockerfile-dev",
            "api.dockerfile",
            "Containerfile",
            "x/y/Containerfile.fedora",
            "prod-Dockerfile",
            "owner__repo__Dockerfile",
            "web.Containerfile",
        ] {
            assert_eq!(by_name(name), Some(Format::Dockerfile), "{name}");
        }
        for name in [
            "Dockerfile.dockerignore",
            "Dockerfiles",
            "README.md",
            "dockerfile.md",
        ] {
            assert_eq!(by_name(name), None, "{name}");
        }
    }

    #[test]
    fn systemd_names() {
        for name in [
            "app.service",
            "deploy/web@.service",
            "app.socket",
            "app.timer",
            "podman.service.in",
            "etc/systemd/system/app.service.d/override.conf",
            "lib/web@.service.d/10-user.conf",
            "lib/-.slice.d/10-defaults.conf",
        ] {
            assert_eq!(by_name(name), Some(Format::Systemd), "{name}");
        }
        for name in [
            "service",
            ".service",
            "conf.d/app.conf",
            "app.service.d/notes.txt",
            "Makefile.in",
            "podman__test__Containerfile.path",
            "multi-user.target",
        ] {
            assert_eq!(by_name(name), None, "{name}");
        }
        assert_eq!(
            detect_by_content(Path::new("x__Containerfile.path"), "FROM alpine\n", false),
            None
        );
        assert_eq!(
            detect_by_content(Path::new("app.target"), "[Unit]\nDescription=x\n", false),
            Some(Format::Systemd)
        );
        assert_eq!(
            detect_by_content(Path::new("unit"), "# x\n[Service]\nUser=app\n", true),
            Some(Format::Systemd)
        );
    }

    #[test]
    fn compose_procfile_gunicorn_names() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.override.yml",
            "docker-compose.prod.yaml",
            "compose.ci.yaml",
            "docker-compose-dev.yml",
        ] {
            assert_eq!(by_name(name), Some(Format::Compose), "{name}");
        }
        // Regression: a `__` in a user's file name is no directory separator (the corpus'
        // flattened `owner__repo__file` names are the tests' concern), so `a__compose.yaml`
        // is a compose file only if its content says so.
        assert!(matches!(
            detect_by_name(Path::new("a__compose.yaml")),
            Detection::NeedsContent
        ));
        assert_eq!(by_name("a__Procfile"), None);
        assert_eq!(by_name("a__gunicorn.conf.py"), Some(Format::Python));
        for shared in [
            "include:\n  - path: other.yaml\n",
            "volumes:\n  data: {}\n\nnetworks:\n  front: {}\n",
        ] {
            assert_eq!(
                detect_by_content(Path::new("x__compose.yaml"), shared, false),
                Some(Format::Compose),
                "{shared}"
            );
        }
        assert_eq!(
            detect_by_content(Path::new("compose-notes.yaml"), "title: x\n", false),
            None
        );
        assert!(matches!(
            detect_by_name(Path::new("mysql-compose.yml")),
            Detection::NeedsContent
        ));
        assert_eq!(
            detect_by_content(
                Path::new("mysql-compose.yml"),
                "services:\n  db: {}\n",
                false
            ),
            Some(Format::Compose)
        );
        for name in ["composer.yml", "config.yaml", "compose.json"] {
            assert_eq!(by_name(name), None, "{name}");
        }
        assert_eq!(by_name("Procfile"), Some(Format::Procfile));
        // A variant's content decides: `Procfile.sh` is usually the script a process runs.
        assert!(matches!(
            detect_by_name(Path::new("Procfile.dev")),
            Detection::NeedsContent
        ));
        assert_eq!(
            detect_by_content(Path::new("Procfile.dev"), "web: flask run\n", false),
            Some(Format::Procfile)
        );
        assert_eq!(
            detect_by_content(
                Path::new("Procfile.sh"),
                "#!/bin/sh\nexec gunicorn app:app\n",
                false
            ),
            None
        );
        assert_eq!(by_name("Procfile.md"), None);
        for name in [
            "gunicorn.conf.py",
            "gunicorn_config.py",
            "gunicorn.py",
            "conf/gunicorn-prod.conf.py",
        ] {
            assert_eq!(by_name(name), Some(Format::Gunicorn), "{name}");
        }
        assert_eq!(by_name("gunicorn_app.pyc"), None);
        assert_eq!(by_name("run_gunicorn.py"), Some(Format::Python));
        assert_eq!(by_name("gunicorn_app.py"), Some(Format::Python));
    }

    #[test]
    fn kubernetes_names_and_content() {
        assert_eq!(by_name("kustomization.yaml"), Some(Format::Kubernetes));
        assert_eq!(
            by_name("overlays/prod/Kustomization"),
            Some(Format::Kubernetes)
        );
        let k8s = |name: &str, text: &str| detect_by_content(Path::new(name), text, false);
        let pod = "apiVersion: v1\nkind: Pod\nspec: {}\n";
        assert_eq!(k8s("k8s/web.yaml", pod), Some(Format::Kubernetes));
        assert_eq!(
            k8s("web.yml", &format!("# c\n---\n{pod}")),
            Some(Format::Kubernetes)
        );
        // A compose file named as one stays one; other YAML is not a manifest.
        assert_eq!(by_name("docker-compose.yml"), Some(Format::Compose));
        for other in [
            "services:\n  web:\n    image: app\n",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
            "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
            "openapi: 3.0.0\ninfo:\n  title: x\n",
            "spec:\n  apiVersion: v1\n  kind: Pod\n",
        ] {
            assert_eq!(k8s("x.yaml", other), None, "{other}");
        }
        assert_eq!(k8s("notes.txt", pod), None);
    }

    #[test]
    fn apache_names_and_content() {
        for name in [
            "apache2/sites-available/app.conf",
            "etc/httpd/conf.d/wsgi.conf",
            "mods-available/wsgi.load",
            "site/.htaccess",
            "httpd.conf",
            "apache2/site.conf",
            "conf-available/x.conf",
        ] {
            assert_eq!(by_name(name), Some(Format::Apache), "{name}");
        }
        for name in ["app.conf", "sites-available/app", "conf.d/app.conf"] {
            assert!(
                matches!(detect_by_name(Path::new(name)), Detection::NeedsContent),
                "{name}"
            );
        }
        for name in [
            "app.service.d/override.conf",
            "apache2/app.service.d/x.conf",
            "apache2/notes.txt",
        ] {
            assert!(
                !matches!(
                    detect_by_name(Path::new(name)),
                    Detection::Known(Format::Apache)
                ),
                "{name}"
            );
        }
        let apache = |text: &str| detect_by_content(Path::new("x/app.conf"), text, false);
        assert_eq!(
            apache("# site\n<VirtualHost *:80>\n</VirtualHost>\n"),
            Some(Format::Apache)
        );
        assert_eq!(apache("WSGIDaemonProcess app\n"), Some(Format::Apache));
        assert_eq!(apache("ServerTokens Prod\n"), Some(Format::Apache));
        assert_eq!(apache("[Service]\nUser=app\n"), None);
        // nginx's, not Apache's.
        assert_eq!(apache("server {\n  listen 80;\n}\n"), Some(Format::Nginx));
        assert_eq!(apache("include /etc/nginx/x;\n"), Some(Format::Nginx));
        assert_eq!(apache("user = app\n"), None);
        assert_eq!(apache("key=value\n"), None);
    }

    #[test]
    fn nginx_names_and_content() {
        let site =
            "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:8000; }\n}\n";
        for name in [
            "nginx.conf",
            "etc/nginx/sites-available/default",
            "sites-enabled/shop",
            "conf.d/shop.conf",
            "deploy/shop.nginx",
            "nginx/shop",
            "nginx.conf.j2",
        ] {
            let detected = match detect_by_name(Path::new(name)) {
                Detection::Known(f) => Some(f),
                Detection::NeedsContent => detect_by_content(Path::new(name), site, false),
                Detection::Unknown => None,
            };
            assert_eq!(detected, Some(Format::Nginx), "{name}");
        }
        // The same names with other kinds' content stay theirs.
        let conf = |name: &str, text: &str| detect_by_content(Path::new(name), text, false);
        assert_eq!(
            conf(
                "nginx.conf",
                "[program:nginx]\ncommand=nginx -g 'daemon off;'\n"
            ),
            Some(Format::Supervisord)
        );
        assert_eq!(
            conf(
                "sites-available/shop",
                "<VirtualHost *:80>\n</VirtualHost>\n"
            ),
            Some(Format::Apache)
        );
        assert_eq!(conf("conf.d/x.conf", "[uwsgi]\nhttp = :8000\n"), None);
        assert_eq!(
            by_name("apache2/sites-available/shop.conf"),
            Some(Format::Apache)
        );
    }

    #[test]
    fn python_names_and_shebang() {
        assert_eq!(by_name("app.py"), Some(Format::Python));
        assert_eq!(by_name("site/app.wsgi"), Some(Format::Python));
        assert_eq!(by_name("app.pyc"), None);
        assert_eq!(
            detect_by_content(
                Path::new("runme"),
                "#!/usr/bin/env python3\nprint(1)\n",
                true
            ),
            Some(Format::Python)
        );
        assert_eq!(
            detect_by_content(Path::new("build"), "# comment\nFROM alpine\n", true),
            Some(Format::Dockerfile)
        );
        assert_eq!(detect_by_content(Path::new("notes"), "hello\n", true), None);
        assert_eq!(
            detect_by_content(Path::new("runme"), "#!/usr/bin/env python3\n", false),
            None
        );
    }

    #[test]
    fn shebang_is_weighed_before_keywords() {
        let sniff = |text: &str| detect_by_content(Path::new("bin/runme"), text, true);
        for python in [
            "#!/usr/bin/env python3\nfrom flask import Flask\n",
            "#!/usr/bin/env python\nfrom x import y\n",
            "#!/usr/bin/env python3.11\n",
            "#! /usr/bin/env python3\n",
            "#!/usr/bin/env -S python3 -u\nfrom x import y\n",
            "#!/usr/bin/env -S PYTHONUNBUFFERED=1 python3\n",
            "#!/usr/bin/env -u PYTHONPATH python3\n",
            "#!/usr/bin/python\n",
            "#!/usr/bin/python3.12\n",
            "#!/opt/app/venv/bin/python3\r\nimport os\r\n",
            "#!/usr/bin/env pypy3\n",
            "#!/usr/bin/env -S uv run --script\n# /// script\n",
        ] {
            assert_eq!(sniff(python), Some(Format::Python), "{python}");
        }
        for script in [
            "#!/bin/sh\ntimeout 30 ./manage.py migrate\n",
            "#!/bin/bash\nFROM=x\nfrom here\n",
            "#!/usr/bin/env bash\n[Service]\n",
            "#!/usr/bin/env node\nservices: 1\n",
            "#!/usr/bin/env pythonista\n",
            "#!/usr/bin/python-config\n",
            "#!\nFROM alpine\n",
        ] {
            assert_eq!(sniff(script), None, "{script}");
        }
        // Only where the name allows the kind: `app.conf` is Apache or nothing.
        assert_eq!(
            detect_by_content(Path::new("app.conf"), "#!/usr/bin/env python3\n", false),
            None
        );
        // Without a shebang, the keywords still decide.
        assert_eq!(sniff("FROM alpine\n"), Some(Format::Dockerfile));
        assert_eq!(shebang_kind("# !/bin/sh\n"), None);
    }
}
