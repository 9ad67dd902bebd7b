"""Start the three services as real processes on free ports, for end-to-end tests.

Each stack gets its own SQLite database and secrets under a temporary folder, so tests never
touch var/ and can run beside `make run`.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venvs" / "app" / "bin" / "python"
MODEL = ROOT / "models" / "tipline.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    workdir: Path
    env: dict[str, str]
    engine_url: str
    actions_url: str
    routing_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def intake_secret(self) -> str:
        return self.env["TIPLINE_INTAKE_SECRET"]

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text()


def stack_env(workdir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_") and k != "DATABASE_URL"}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'tipline.db'}",
            "TIPLINE_INTAKE_SECRET": secrets.token_urlsafe(24),
            "TIPLINE_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "TIPLINE_SENDER_HASH_KEY": secrets.token_urlsafe(24),
            "TIPLINE_ENGINE_TOKEN": secrets.token_urlsafe(24),
            "TIPLINE_SIGNING_SECRET": secrets.token_urlsafe(24),
            # The example jurisdiction's webhook keys and senders; nothing listens at these
            # addresses unless a test starts a receiver there.
            "TIPLINE_SECRET_DISPATCH_CAD": secrets.token_urlsafe(24),
            "TIPLINE_SECRET_CRISIS_CENTER": secrets.token_urlsafe(24),
            "TIPLINE_SECRET_STATE_TIPLINE": secrets.token_urlsafe(24),
            "TIPLINE_SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
            "TIPLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TIPLINE_TWILIO_AUTH_TOKEN": secrets.token_urlsafe(24),
            "TIPLINE_DELIVERY_SANDBOX": f"http://127.0.0.1:{free_port()}",
        }
    )
    env.update(extra or {})
    return env


@contextmanager
def running_stack(workdir: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[Stack]:
    if not MODEL.exists():
        raise RuntimeError("no trained model: run 'make model' first")
    # A port given in extra_env is kept (a test that must know the engine's URL in advance picks it).
    ports = {
        name: int((extra_env or {}).get(f"TIPLINE_{name.upper()}_PORT") or free_port())
        for name in ("engine", "actions", "routing")
    }
    env = stack_env(
        workdir,
        {
            "TIPLINE_ENGINE_PORT": str(ports["engine"]),
            "TIPLINE_ACTIONS_PORT": str(ports["actions"]),
            "TIPLINE_ROUTING_PORT": str(ports["routing"]),
            "TIPLINE_ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
            "TIPLINE_ROUTING_URL": f"http://127.0.0.1:{ports['routing']}",
            **(extra_env or {}),
        },
    )
    subprocess.run([APP_PYTHON, "-m", "routing", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    stack = Stack(
        workdir=workdir,
        env=env,
        engine_url=f"http://127.0.0.1:{ports['engine']}",
        actions_url=f"http://127.0.0.1:{ports['actions']}",
        routing_url=f"http://127.0.0.1:{ports['routing']}",
    )
    commands = {
        "routing": ([str(APP_PYTHON), "-m", "routing", "serve"], stack.routing_url + "/healthz", 30),
        "actions": ([str(APP_PYTHON), "-m", "actions"], stack.actions_url + "/health", 60),
        "engine": ([str(ROOT / "scripts" / "run-engine.sh")], stack.engine_url + "/", 240),
    }
    try:
        for name, (command, _, _) in commands.items():
            log = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            stack.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        for name, (_, health, timeout) in commands.items():
            wait_healthy(health, stack.processes[name], timeout, workdir / f"{name}.log")
        yield stack
    finally:
        for process in stack.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in stack.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_fake_twilio(log: Path) -> Iterator[str]:
    """tests/support/fake_twilio.py as a process of the app environment on a free port; yields its URL."""
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(APP_PYTHON), "-m", "tests.support.fake_twilio", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url + "/_sent", process, 30, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
