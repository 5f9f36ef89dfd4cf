#!/usr/bin/env python3
"""Writes the benchmark's mixed corpus: a seeded, deterministic tree of small projects, each
with the deployment files of a Python web app (Dockerfiles, Python code, a systemd unit, a
compose file, an Apache vhost, and in some projects uWSGI, supervisord and Kubernetes files).
About half the files are correct and half carry the mistakes deploylint reports; most Python
files are ordinary application code that no deployment rule concerns, as in a real project.

Usage: bench-corpus.py OUT_DIR [--scale N] [--seed S] [--projects N]
At scale 1: 500 projects, 2,000 Dockerfiles, 2,000 Python files, 500 each of units, compose
files and vhosts, 250 each of uWSGI, supervisord and Kubernetes files, and a pyproject.toml and requirements.txt
per project, and one 300-line Python file (svc00001): 7,251 files, ~5 MB of text.
The same seed and scale always give the same bytes.
"""

import argparse
import os
import random

PROJECTS_PER_SCALE = 500

BASES = ["python:3.12-slim", "python:3.11-slim-bookworm", "python:3.10", "python:3.12-alpine"]
SERVERS = ["gunicorn", "uwsgi", "uvicorn", "waitress"]


def dockerfile(r, name, good):
    base = r.choice(BASES)
    lines = [f"# syntax=docker/dockerfile:1", f"FROM {base} AS build", "WORKDIR /app"]
    lines.append("ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1")
    lines.append("COPY requirements.txt .")
    lines.append("RUN pip install --no-cache-dir -r requirements.txt \\\n    && rm -rf /root/.cache")
    if r.random() < 0.5:
        lines.append("RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
                     "      libpq5 curl \\\n    && rm -rf /var/lib/apt/lists/*")
    lines.append("COPY . .")
    lines.append(f"ARG VERSION={r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 50)}")
    lines.append(f'LABEL org.opencontainers.image.title="{name}"')
    port = r.choice([8000, 8080, 5000, 80])
    lines.append(f"EXPOSE {port}")
    if good:
        lines.append("RUN useradd --create-home --uid 10001 app")
        lines.append("USER app")
        lines.append("HEALTHCHECK CMD curl -fsS http://localhost:%d/health || exit 1" % port)
        server = r.choice(SERVERS)
        if server == "gunicorn":
            lines.append(f'CMD ["gunicorn", "--bind", "0.0.0.0:{port}", "--workers", "3", "{name}.wsgi:application"]')
        elif server == "uwsgi":
            lines.append('CMD ["uwsgi", "--ini", "deploy/uwsgi.ini"]')
        elif server == "uvicorn":
            lines.append(f'CMD ["uvicorn", "{name}.main:app", "--host", "0.0.0.0", "--port", "{port}"]')
        else:
            lines.append(f'CMD ["waitress-serve", "--port={port}", "{name}.wsgi:application"]')
    else:
        bad = r.choice(["flask", "runserver", "debug", "root"])
        if bad == "flask":
            lines.append("ENV FLASK_DEBUG=1")
            lines.append(f'CMD ["flask", "run", "--host=0.0.0.0", "--port={port}"]')
        elif bad == "runserver":
            lines.append(f'CMD python manage.py runserver 0.0.0.0:{port}')
        elif bad == "debug":
            lines.append("ENV DJANGO_DEBUG=True DEBUG=1")
            lines.append(f'CMD ["gunicorn", "--reload", "-b", "0.0.0.0:{port}", "{name}.wsgi"]')
        else:
            lines.append("RUN chmod -R 777 /app")
            lines.append(f'CMD ["python", "app.py"]')
    return "\n".join(lines) + "\n"


PLAIN_MODULE = '''"""{doc}"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import logging
from typing import Iterable, Optional

log = logging.getLogger(__name__)


@dataclasses.dataclass
class {cls}:
    id: int
    name: str
    amount: decimal.Decimal
    created: datetime.datetime
    note: Optional[str] = None

    def total(self, others: Iterable["{cls}"]) -> decimal.Decimal:
        value = self.amount
        for other in others:
            if other.id != self.id:
                value += other.amount
        return value

    def describe(self) -> str:
        return f"{{self.name}} ({{self.amount:.2f}}) on {{self.created:%Y-%m-%d}}"


def {func}(items: list[{cls}], limit: int = {limit}) -> list[{cls}]:
    """Keeps the {limit} largest items, newest first among equals."""
    ranked = sorted(items, key=lambda i: (i.amount, i.created), reverse=True)
    kept = ranked[:limit]
    log.debug("kept %d of %d", len(kept), len(items))
    return kept


def parse_{func}(rows: Iterable[dict]) -> list[{cls}]:
    out = []
    for n, row in enumerate(rows):
        try:
            out.append(
                {cls}(
                    id=int(row["id"]),
                    name=str(row.get("name", "")).strip(),
                    amount=decimal.Decimal(row["amount"]),
                    created=datetime.datetime.fromisoformat(row["created"]),
                    note=row.get("note"),
                )
            )
        except (KeyError, ValueError, decimal.InvalidOperation) as error:
            log.warning("row %d skipped: %s", n, error)
    return out
'''

FLASK_GOOD = '''"""The web application."""

import os

from flask import Flask, jsonify

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]


@app.route("/health")
def health():
    return jsonify(status="ok")


@app.route("/items/<int:item_id>")
def item(item_id):
    return jsonify(id=item_id, name="item-%d" % item_id)


def create_app():
    return app
'''

FLASK_BAD = '''"""The web application (run directly)."""

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "hello " + request.args.get("name", "world")


@app.route("/echo", methods=["POST"])
def echo():
    return request.get_data()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port={port}, debug=True)
'''

DJANGO_SETTINGS = '''"""Django settings for {name}."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "{secret}")
DEBUG = {debug}
ALLOWED_HOSTS = {hosts}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "{name}",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "{name}.urls"
WSGI_APPLICATION = "{name}.wsgi.application"
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "{name}"),
        "HOST": os.environ.get("DB_HOST", "db"),
    }}
}}
STATIC_ROOT = BASE_DIR / "static"
'''

WSGI = '''"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{name}.settings")
application = get_wsgi_application()
'''


def python_files(r, name, good):
    files = {}
    files[f"{name}/settings.py"] = DJANGO_SETTINGS.format(
        name=name,
        secret="dev-" + "".join(r.choice("abcdef0123456789") for _ in range(24)),
        debug="False" if good else "True",
        hosts='["%s.example.com"]' % name if good else '["*"]',
    )
    files[f"{name}/wsgi.py"] = WSGI.format(name=name)
    files["app.py"] = FLASK_GOOD if good else FLASK_BAD.format(port=r.choice([5000, 8000]))
    words = ["order", "invoice", "report", "account", "ledger", "batch", "shipment"]
    word = r.choice(words)
    files[f"{name}/{word}s.py"] = PLAIN_MODULE.format(
        doc=f"{word.title()} handling for {name}.",
        cls=word.title(),
        func=f"top_{word}s",
        limit=r.randint(3, 50),
    )
    return files


def views(r, name, routes=28):
    """A blueprint of about 300 lines: the one-file benchmark's input."""
    out = ['"""Views of %s."""' % name, "", "import os", "",
           "from flask import Blueprint, abort, jsonify, request", "",
           'bp = Blueprint("%s", __name__)' % name, 'PAGE = int(os.environ.get("PAGE", "%d"))' % r.randint(10, 50), ""]
    for i in range(routes):
        out += ["", f'@bp.route("/r{i}/<int:item_id>", methods=["GET", "POST"])',
                f"def route_{i}(item_id):",
                f'    """Route {i}: reads one item, or updates it from the form."""',
                "    if item_id < 0:", "        abort(404)",
                '    if request.method == "POST":',
                f'        value = request.form.get("value", "")[:PAGE]',
                f'        return jsonify(id=item_id, route={i}, value=value)',
                f"    return jsonify(id=item_id, route={i})"]
    out += ["", "", 'if __name__ == "__main__":',
            "    from flask import Flask", "", "    app = Flask(__name__)",
            "    app.register_blueprint(bp)", '    app.run(host="0.0.0.0", debug=True)']
    return "\n".join(out) + "\n"


def unit(r, name, good):
    server = "gunicorn --workers 3 --bind 127.0.0.1:8000 %s.wsgi:application" % name
    lines = ["[Unit]", f"Description={name} web application", "After=network.target", "",
             "[Service]", "Type=notify"]
    if good:
        lines += ["User=www-data", "Group=www-data", "NoNewPrivileges=yes", "ProtectSystem=strict",
                  "ProtectHome=yes", "PrivateTmp=yes", "ReadWritePaths=/var/lib/%s" % name]
    else:
        lines += ["User=root"] if r.random() < 0.5 else []
    lines += [f"WorkingDirectory=/srv/{name}", f"EnvironmentFile=-/etc/{name}/env",
              f"ExecStart=/srv/{name}/venv/bin/{server}" if good
              else f"ExecStart=/srv/{name}/venv/bin/python manage.py runserver 0.0.0.0:8000",
              "Restart=on-failure", "RestartSec=5", "", "[Install]", "WantedBy=multi-user.target"]
    return "\n".join(lines) + "\n"


def compose(r, name, good):
    port = r.choice([8000, 8080, 5000])
    web = [f"  web:", "    build: .", f"    image: registry.example.com/{name}:latest"]
    if good:
        web += [f'    command: ["gunicorn", "-b", "0.0.0.0:{port}", "{name}.wsgi"]', "    user: \"10001\"",
                "    read_only: true", "    environment:", "      DJANGO_DEBUG: \"false\""]
    else:
        web += [f"    command: python manage.py runserver 0.0.0.0:{port}", "    privileged: true",
                "    environment:", "      - DEBUG=1", "    volumes:",
                "      - /var/run/docker.sock:/var/run/docker.sock"]
    web += ["    ports:", f'      - "{port}:{port}"', "    depends_on:", "      - db"]
    db = ["  db:", "    image: postgres:16", "    environment:", f"      POSTGRES_DB: {name}",
          "    volumes:", "      - pgdata:/var/lib/postgresql/data"]
    return "\n".join(["services:"] + web + db + ["volumes:", "  pgdata: {}"]) + "\n"


def vhost(r, name, good):
    lines = ["<VirtualHost *:80>", f"    ServerName {name}.example.com",
             f"    WSGIDaemonProcess {name} user=www-data group=www-data processes=2 threads=15"
             if good else f"    WSGIDaemonProcess {name} processes=2 threads=15",
             f"    WSGIProcessGroup {name}",
             f"    WSGIScriptAlias / /srv/{name}/{name}/wsgi.py",
             f"    <Directory /srv/{name}/{name}>", "        <Files wsgi.py>",
             "            Require all granted", "        </Files>", "    </Directory>",
             f"    Alias /static/ /srv/{name}/static/"]
    if not good:
        lines.append(f"    DocumentRoot /srv/{name}")
        lines.append("    <Directory /srv/%s>\n        Options Indexes FollowSymLinks\n"
                     "        Require all granted\n    </Directory>" % name)
    lines += [f"    ErrorLog ${{APACHE_LOG_DIR}}/{name}-error.log", "</VirtualHost>"]
    return "\n".join(lines) + "\n"


def uwsgi(r, name, good):
    lines = ["[uwsgi]", f"module = {name}.wsgi:application", "master = true", "processes = 4"]
    if good:
        lines += ["socket = /run/uwsgi/%s.sock" % name, "uid = www-data", "gid = www-data",
                  "vacuum = true", "die-on-term = true"]
    else:
        lines += ["http = 0.0.0.0:8000", "py-autoreload = 1", "chmod-socket = 666"]
    return "\n".join(lines) + "\n"


def supervisord(r, name, good):
    lines = [f"[program:{name}]",
             f"command=/srv/{name}/venv/bin/gunicorn -b 127.0.0.1:8000 {name}.wsgi" if good
             else f"command=python /srv/{name}/app.py",
             f"directory=/srv/{name}", "autostart=true", "autorestart=true"]
    lines += ["user=www-data"] if good else []
    lines += [f"stdout_logfile=/var/log/{name}.log", "redirect_stderr=true"]
    return "\n".join(lines) + "\n"


def kubernetes(r, name, good):
    sec = ("        securityContext:\n          runAsNonRoot: true\n          runAsUser: 10001\n"
           "          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n"
           if good else "        securityContext:\n          privileged: true\n")
    cmd = (f'        command: ["gunicorn", "-b", "0.0.0.0:8000", "{name}.wsgi"]\n' if good
           else '        command: ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n')
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {r.randint(1, 5)}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: web
        image: registry.example.com/{name}:1.{r.randint(0, 30)}
{cmd}{sec}        ports:
        - containerPort: 8000
        resources:
          limits:
            memory: 512Mi
"""


def project(r, index):
    name = f"svc{index:05d}"
    good = r.random() < 0.5
    files = {
        "Dockerfile": dockerfile(r, name, good),
        "docker/Dockerfile.worker": dockerfile(r, name, r.random() < 0.5),
        "docker/Dockerfile.migrate": dockerfile(r, name, r.random() < 0.5),
        "docker/Dockerfile.dev": dockerfile(r, name, False),
        "docker-compose.yml": compose(r, name, good),
        f"deploy/{name}.service": unit(r, name, good),
        f"deploy/apache/{name}.conf": vhost(r, name, good),
    }
    files.update(python_files(r, name, good))
    # Not deployment files, but in every real project (the first marks the project root).
    files["pyproject.toml"] = f'[project]\nname = "{name}"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
    files["requirements.txt"] = "django>=4.2\nflask>=3.0\ngunicorn>=22\npsycopg[binary]>=3.1\n"
    if index == 1:
        files[f"{name}/views.py"] = views(r, name)
    if index % 2 == 0:
        files["deploy/uwsgi.ini"] = uwsgi(r, name, good)
        files[f"deploy/supervisor/{name}.conf"] = supervisord(r, name, good)
        files["k8s/deployment.yaml"] = kubernetes(r, name, good)
    return name, files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--projects", type=int, help="this many projects instead of 500 per scale")
    args = parser.parse_args()
    r = random.Random(args.seed)
    count = 0
    for index in range(args.projects or PROJECTS_PER_SCALE * args.scale):
        name, files = project(r, index)
        for rel, text in sorted(files.items()):
            path = os.path.join(args.out, name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            count += 1
    print(f"{args.out}: {count} files (scale {args.scale}, seed {args.seed})")


if __name__ == "__main__":
    main()
