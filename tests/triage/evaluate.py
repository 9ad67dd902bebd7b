"""`make eval`: triage every labelled tip, print confusion matrices and the floors of issue 4.

`--file PATH` (`make eval-file FILE=PATH`) evaluates any labelled file of the same format
instead of tests/triage/tips (tests/triage/cases.py describes it), with the same metrics.

By default the tips go through the real path, `bin/tipline triage`, against a stack this
script starts on free ports (the trained NLU model, the triage code, the routing service).
`--offline` triages in-process without the NLU and routes with the routing service's policy
module; the regression test uses the same function. Exit status 1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from actions.triage.assess import load
from actions.triage.model import Conversation, Message, TriageResult
from routing.domain import Triage as RoutingTriage
from routing.policy import route
from tests.triage.cases import Case, load_cases, load_file
from tests.triage.metrics import evaluate, format_report

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_JURISDICTION = ROOT / "jurisdictions" / "example-county.yml"


def triage_offline(cases: Sequence[Case]) -> dict[str, dict[str, Any]]:
    """The triage code alone (no NLU), routed by the routing service's own policy module."""
    triage = load()
    results = {}
    for case in cases:
        conversation = Conversation(
            id=case.id,
            messages=(Message(case.text),),
            answers=dict(case.answers),
            reported_at=case.reported_at_datetime,
        )
        a = triage.assess(conversation)
        routed = route(
            RoutingTriage(
                category=str(a.category),
                urgency=str(a.urgency),
                secondary_categories=tuple(str(c) for c in a.secondary_categories),
                indicators=a.indicators,
            )
        )
        results[case.id] = TriageResult(case.id, a, routed.destinations).to_dict()
    return results


def run_tipline_triage(cases: Sequence[Case], env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Pipe the cases through `bin/tipline triage` against the stack that `env` points at."""
    lines = "".join(json.dumps(c.request()) + "\n" for c in cases)
    done = subprocess.run(
        [str(ROOT / "bin" / "tipline"), "triage"],
        input=lines,
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tipline triage failed ({done.returncode}):\n{done.stderr}")
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {r["id"]: r for r in results}


def default_table_jurisdiction(workdir: Path) -> Path:
    """The example jurisdiction without its own rules: the floors speak of the default table."""
    example = yaml.safe_load(EXAMPLE_JURISDICTION.read_text(encoding="utf-8"))
    example.pop("rules", None)
    path = workdir / "default-table.yml"
    path.write_text(yaml.safe_dump(example, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def triage_through_stack(cases: Sequence[Case]) -> dict[str, dict[str, Any]]:
    """Start the services on free ports and pipe the set through `bin/tipline triage`."""
    from tests.support.stack import free_port, running_stack
    from tests.support.texter import ACCOUNT_SID, TIPLINE_NUMBER

    with tempfile.TemporaryDirectory(prefix="tipline-eval-") as tmp:
        workdir = Path(tmp)
        engine_port = free_port()
        settings = {
            "TIPLINE_JURISDICTION": str(default_table_jurisdiction(workdir)),
            # The SMS channel is configured at start as a deployment's would be; nothing is sent.
            "TIPLINE_ENGINE_PORT": str(engine_port),
            "TIPLINE_PUBLIC_URL": f"http://127.0.0.1:{engine_port}",
            "TIPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TIPLINE_TWILIO_NUMBER": TIPLINE_NUMBER,
        }
        with running_stack(workdir, settings) as stack:
            env = dict(stack.env, TIPLINE_ENGINE_URL=stack.engine_url, TIPLINE_ROUTING_URL=stack.routing_url)
            return run_tipline_triage(cases, env)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offline", action="store_true", help="triage in-process, without the NLU")
    parser.add_argument("--quiet", action="store_true", help="do not list the tips triaged differently")
    parser.add_argument("--file", type=Path, help="a labelled YAML file instead of tests/triage/tips")
    args = parser.parse_args(argv)
    try:
        cases = load_file(args.file) if args.file else load_cases()
        if len({c.id for c in cases}) != len(cases):
            raise ValueError("case ids must be unique")
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        results = triage_offline(cases) if args.offline else triage_through_stack(cases)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    report = evaluate(cases, results)
    print(format_report(report, show_failures=not args.quiet))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
