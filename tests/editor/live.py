"""A real Outcall server for browser tests and the editor benchmark.

``./manage.py runserver`` (Daphne's, so HTTP and WebSockets, with static
files served in DEBUG) on a free port of 127.0.0.1, over a database of its
own, migrated and loaded with the demo: a SQLite file in a temporary
directory, or, when ``DATABASE_URL`` names a PostgreSQL database, a fresh
database ``<that name>_live`` on the same server, dropped at the end. The
demo user ``demo`` is a publisher; ``author`` and ``viewer`` (password
``editor-pass``) are added with those roles, and an API token of the demo
team is issued for setting up scripts.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "editor-pass"

SETUP = f"""
from django.contrib.auth import get_user_model
from designer.models import ApiToken, Membership, Team
team = Team.objects.get(slug="demo")
for name, role in (("author", "author"), ("viewer", "viewer")):
    user = get_user_model().objects.create_user(name, password={PASSWORD!r})
    Membership.objects.create(user=user, team=team, role=role)
print(ApiToken.issue(team=team, name="tests")[1])
"""


class PostgresDatabase:
    """A database of its own beside the one ``url`` names."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.name = parts.path.lstrip("/") + "_live"
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        self.admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))

    def _run(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def create(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
        }
        self.env.update(OUTCALL_VAR_DIR=str(var_dir), DJANGO_DEBUG="1")
        self.postgres = None
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            self.postgres = PostgresDatabase(url)
            self.env["DATABASE_URL"] = self.postgres.url
        self.process = None
        self.token = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            check=False,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr}")
        return done.stdout

    def start(self) -> "LiveServer":
        if self.postgres is not None:
            self.postgres.create()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_demo")
        self.token = self.manage("shell", "-c", SETUP).strip().splitlines()[-1]
        self.log = open(self.var_dir / "server.log", "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "the server stopped: " + (self.var_dir / "server.log").read_text()
                )
            try:
                urllib.request.urlopen(self.url + "/login/", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError("the server did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.close()
        if self.postgres is not None:
            self.postgres.drop()

    def api(self, method: str, path: str, body=None):
        """Call the API with the demo team's token: (status, JSON answer)."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def copy_script(self, source: str, slug: str, document=None) -> None:
        """A new script ``slug`` of the demo team, a copy of ``source``'s draft
        (or holding ``document``)."""
        status, bundle = self.api("GET", f"/api/scripts/{source}/draft/export/")
        assert status == 200, bundle
        bundle["version"] = {}
        if document is not None:
            bundle["document"] = document
        status, answer = self.api("POST", f"/api/scripts/import/?slug={slug}", bundle)
        assert status == 201, answer
