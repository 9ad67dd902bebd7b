from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The engine, the action server and the routing service, started once for the session."""
    workdir: Path = tmp_path_factory.mktemp("stack")
    with running_stack(workdir) as running:
        yield running
