"""Production mode (Procfile.prod) as real processes, for the fault tests.

Each stack gets its own PostgreSQL cluster (Debian's initdb/pg_ctl, run as the `postgres` user,
data under a temporary folder) and its own redis-server, both on free ports, so a test may stop,
kill or restart them without touching the shared instances other tests use. The services are the
lines of Procfile.prod, each started the way honcho starts it (`sh -c LINE`) in its own process
group, so one of them can be killed and started again on its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.routing import EXAMPLE_SECRETS
from tests.support.stack import APP_PYTHON, MODEL, ROOT, free_port, stack_env, wait_healthy
from tests.support.texter import TIPLINE_NUMBER

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PROCFILE = ROOT / "Procfile.prod"
# The servers haproxy.cfg checks, and the backend that checks each.
BALANCED = {
    "engine1": "engine_by_sender",
    "engine2": "engine_by_sender",
    "actions1": "actions",
    "actions2": "actions",
}


def procfile(path: Path = PROCFILE) -> dict[str, str]:
    """name -> command of each line of a Procfile."""
    lines = (line.split(":", 1) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#"))
    return {name.strip(): command.strip() for name, command in lines}


class PostgresCluster:
    """A throw-away PostgreSQL cluster: trust authentication on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL 15's programs are missing in {PG_BIN} (Debian: postgresql-15)")
        self.port = free_port()
        # Under /tmp, not pytest's tmp_path: initdb runs as `postgres`, which cannot enter root's folders.
        self.root = Path(tempfile.mkdtemp(prefix="tipline-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        shutil.chown(self.root, "postgres", "postgres")
        initdb = (PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._as_postgres(*initdb)

    def _as_postgres(self, *command: object) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, command)], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> None:
        self._as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """redis-server on a free port, no persistence."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class ProductionStack:
    workdir: Path
    env: dict[str, str]
    postgres: PostgresCluster
    redis: RedisServer
    commands: dict[str, str]
    health: dict[str, str]  # service -> URL that answers 200 once it is ready (workers: none)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _log_sizes: dict[str, int] = field(default_factory=dict)  # where each service's latest start begins

    @property
    def engine_url(self) -> str:
        """The balancer's engine side: what residents' channels reach."""
        return f"http://127.0.0.1:{self.env['TIPLINE_ENGINE_PORT']}"

    @property
    def rest_token(self) -> str:
        """The bearer token of production's REST channel (credentials.prod.yml)."""
        return self.env["TIPLINE_REST_TOKEN"]

    @property
    def public_origin(self) -> str:
        """The public page's origin, the only one the engines allow cross-origin (CORS)."""
        parts = urlsplit(self.env["TIPLINE_PUBLIC_URL"])
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def routing_url(self) -> str:
        return self.env["TIPLINE_ROUTING_URL"]

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def tracker_store_url(self) -> str:
        return self.env["TIPLINE_TRACKER_STORE_URL"]

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def start(self, name: str) -> None:
        path = self.workdir / f"{name}.log"
        self._log_sizes[name] = path.stat().st_size if path.exists() else 0
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            ["sh", "-c", self.commands[name]],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, name: str, timeout: float = 600) -> float:
        """Seconds until `name` answers its health check (workers: until they log that they started)."""
        started = time.monotonic()
        if name in self.health:
            wait_healthy(self.health[name], self.processes[name], timeout, self.workdir / f"{name}.log")
            if name in BALANCED:  # and back in the balancer's rotation (health checks every second)
                deadline = time.monotonic() + 10
                while not self.in_rotation(name):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the balancer did not take {name} back:\n{self.log('balancer')[-2000:]}")
                    time.sleep(0.2)
        else:
            deadline = started + timeout
            while not re.search(r"outbox worker \S+ started", self.log(name)[self._log_sizes[name] :]):
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{self.log(name)[-3000:]}")
                time.sleep(0.2)
        return time.monotonic() - started

    def in_rotation(self, name: str) -> bool:
        """The balancer's latest word on the server `name`: UP."""
        said = re.findall(rf"Server {BALANCED[name]}/{name} is (UP|DOWN)", self.log("balancer"))
        return bool(said) and said[-1] == "UP"

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown of any kind, as when a machine or a container dies."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart(self, name: str, timeout: float = 600) -> float:
        """Start a killed service again; seconds until it is ready."""
        self.start(name)
        return self.wait_ready(name, timeout)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def running_production_stack(workdir: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[ProductionStack]:
    """Procfile.prod on free ports with its own PostgreSQL and Redis; yields once every service is ready."""
    if not MODEL.exists():
        raise RuntimeError("no trained model: run 'make model' first")
    if shutil.which("haproxy") is None:
        raise RuntimeError("haproxy is missing: run 'make haproxy'")
    postgres = PostgresCluster()
    redis = RedisServer(workdir / "redis.log")
    ports = {
        name: free_port() for name in ("ENGINE", "ENGINE1", "ENGINE2", "ACTIONS", "ACTIONS1", "ACTIONS2", "ROUTING")
    }
    try:
        postgres.start()
        postgres.create_database("tipline")
        postgres.create_database("tipline_tracker")
        redis.start()
        env = stack_env(
            workdir,
            {
                **{f"TIPLINE_{name}_PORT": str(port) for name, port in ports.items()},
                "TIPLINE_BALANCER_HOST": "127.0.0.1",
                "TIPLINE_ACTIONS_URL": f"http://127.0.0.1:{ports['ACTIONS']}/webhook",
                "TIPLINE_ROUTING_URL": f"http://127.0.0.1:{ports['ROUTING']}",
                "DATABASE_URL": postgres.url("tipline"),
                "TIPLINE_TRACKER_STORE_URL": postgres.url("tipline_tracker"),
                "TIPLINE_REDIS_URL": redis.url,
                # What Twilio calls (signatures are checked against this string; nothing connects to
                # it): production mode needs https, which a TLS terminator in front would serve.
                "TIPLINE_PUBLIC_URL": "https://tipline.example.org",
                "TIPLINE_REST_TOKEN": secrets.token_urlsafe(24),
                "TIPLINE_TWILIO_NUMBER": TIPLINE_NUMBER,
                **EXAMPLE_SECRETS,
                **(extra_env or {}),
            },
        )
        subprocess.run([APP_PYTHON, "-m", "routing", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
        stack = ProductionStack(
            workdir=workdir,
            env=env,
            postgres=postgres,
            redis=redis,
            commands=procfile(),
            health={
                "balancer": f"http://127.0.0.1:{ports['ENGINE']}/",
                "engine1": f"http://127.0.0.1:{ports['ENGINE1']}/",
                "engine2": f"http://127.0.0.1:{ports['ENGINE2']}/",
                "actions1": f"http://127.0.0.1:{ports['ACTIONS1']}/health",
                "actions2": f"http://127.0.0.1:{ports['ACTIONS2']}/health",
                "routing": f"http://127.0.0.1:{ports['ROUTING']}/healthz",
            },
        )
        try:
            for name in stack.commands:
                stack.start(name)
            # The balancer last: its health check needs an engine, and the others fail fast on exit.
            for name in sorted(stack.commands, key=lambda name: name == "balancer"):
                stack.wait_ready(name)
            yield stack
        finally:
            stack.stop_all()
    finally:
        redis.stop()
        postgres.remove()
