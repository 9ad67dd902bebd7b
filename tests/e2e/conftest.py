from __future__ import annotations

import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, free_port, running_fake_twilio, running_stack
from tests.support.texter import ACCOUNT_SID, TIPLINE_NUMBER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def fake_twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Twilio's Messages API on this machine, checking every request against Twilio's API description."""
    with running_fake_twilio(tmp_path_factory.mktemp("twilio") / "fake-twilio.log") as url:
        yield url


@pytest.fixture(scope="session")
def public_info_url() -> Iterator[str]:
    """GET /public/jurisdiction's documented shape, served from tests/fixtures, so page tests know what to expect."""
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(FIXTURES)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        url = f"http://127.0.0.1:{port}/public_jurisdiction.json"
        for _ in range(50):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
        server.terminate()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fake_twilio: str, public_info_url: str) -> Iterator[Stack]:
    """The engine, the action server and the routing service, started once for the session.

    The engine's SMS channel is configured as a deployment would be, except that its replies go to the
    local fake Twilio and its public URL is the engine's own; the channels read the jurisdiction's
    public information from tests/fixtures.
    """
    workdir: Path = tmp_path_factory.mktemp("stack")
    engine_port = free_port()
    sms = {
        "TIPLINE_ENGINE_PORT": str(engine_port),
        "TIPLINE_PUBLIC_URL": f"http://127.0.0.1:{engine_port}",
        "TIPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TIPLINE_TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TIPLINE_TWILIO_NUMBER": TIPLINE_NUMBER,
        "TIPLINE_TWILIO_API_URL": fake_twilio,
        "TIPLINE_PUBLIC_INFO_URL": public_info_url,
    }
    with running_stack(workdir, sms) as running:
        yield running
