"""Bad start-up input stops with one line that says what to do, a non-zero exit, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import APP_PYTHON, ROOT, stack_env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return stack_env(tmp_path)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_a_missing_python_is_named_with_what_to_install(tmp_path: Path) -> None:
    if Path("/usr/bin/python3.10").exists():
        pytest.skip("this machine has a system Python 3.10")
    env = {"PATH": "/usr/bin:/bin", "TIPLINE_PYTHON310": str(tmp_path / "nothing")}
    result = run(["bash", "scripts/find-python.sh", "3.10"], env)
    assert_one_line_error(result, "Python 3.10", "install")


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("not a url", "DATABASE_URL is not a database URL"),
        ("mysql://root@127.0.0.1/test", "unsupported database"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "cannot connect to the database"),
    ],
)
def test_a_bad_database_url_is_one_line(env: dict[str, str], url: str, needle: str) -> None:
    env["DATABASE_URL"] = url
    assert_one_line_error(run([str(APP_PYTHON), "-m", "routing", "check"], env), needle)


def test_an_unmigrated_database_says_to_migrate(env: dict[str, str]) -> None:
    assert_one_line_error(run([str(APP_PYTHON), "-m", "routing", "check"], env), "make db")


def test_a_missing_secret_is_named(env: dict[str, str]) -> None:
    del env["TIPLINE_INTAKE_SECRET"]
    assert_one_line_error(run([str(APP_PYTHON), "-m", "routing", "check"], env), "TIPLINE_INTAKE_SECRET")


def test_the_routing_service_names_a_port_in_use(env: dict[str, str], busy_port: int) -> None:
    assert run([str(APP_PYTHON), "-m", "routing", "migrate"], env).returncode == 0
    env["TIPLINE_ROUTING_PORT"] = str(busy_port)
    assert_one_line_error(run([str(APP_PYTHON), "-m", "routing", "serve"], env), str(busy_port))


def test_the_action_server_names_a_port_in_use(env: dict[str, str], busy_port: int) -> None:
    env["TIPLINE_ACTIONS_PORT"] = str(busy_port)
    assert_one_line_error(run([str(APP_PYTHON), "-m", "actions"], env), str(busy_port), "TIPLINE_ACTIONS_PORT")


def test_preflight_names_every_port_in_use(env: dict[str, str], busy_port: int) -> None:
    env["TIPLINE_ENGINE_PORT"] = str(busy_port)
    result = run([str(APP_PYTHON), "scripts/preflight.py"], env)
    assert result.returncode != 0
    assert f"port {busy_port} (the Rasa engine) is already in use" in result.stderr


def test_the_engine_without_a_model_says_how_to_train(env: dict[str, str], tmp_path: Path) -> None:
    env["TIPLINE_MODEL"] = str(tmp_path / "missing.tar.gz")
    assert_one_line_error(run(["bash", "scripts/run-engine.sh"], env), "make model")


def test_secrets_are_generated_once_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "secrets.sh"
    env = dict(os.environ)
    assert run([str(APP_PYTHON), "scripts/make-secrets.py", str(target)], env).returncode == 0
    first = target.read_text()
    assert run([str(APP_PYTHON), "scripts/make-secrets.py", str(target)], env).returncode == 0
    assert target.read_text() == first
    assert oct(target.stat().st_mode & 0o777) == "0o600"
