"""pip-audit of a lock file against PyPI's advisories, with one line per finding.

    python scripts/audit.py requirements/app.lock            # fails on any known vulnerability
    python scripts/audit.py requirements/engine.lock --report-only

A finding reads `package version: ADVISORY (aliases), fixed in X: summary`. Packages PyPI gave
no data for are listed as not audited; with --strict they fail the run too (pip-audit's own
--strict). Without network access to PyPI's per-release data nothing can be audited, and this
says so instead of passing quietly.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venvs" / "app" / "bin" / "pip-audit"


def summarize(report: dict[str, Any], name: str) -> tuple[list[str], int, int]:
    """pip-audit's JSON report as lines to print: (lines, known vulnerabilities, packages not audited)."""
    dependencies = report.get("dependencies", [])
    findings = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dep, vuln in findings:
        aliases = f" ({', '.join(vuln['aliases'])})" if vuln.get("aliases") else ""
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
        summary = " ".join((vuln.get("description") or "").split())[:200]
        lines.append(f"{name}: {dep['name']} {dep['version']}: {vuln['id']}{aliases}, fixed in {fixed}: {summary}")
    audited = len(dependencies) - len(skipped)
    lines.append(f"{name}: {audited} of {len(dependencies)} packages audited, {len(findings)} known vulnerabilities")
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        lines.append(f"{name}: NOT AUDITED (PyPI gave no advisory data for these releases): {names}")
    return lines, len(findings), len(skipped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path)
    parser.add_argument("--report-only", action="store_true", help="list findings but exit 0 (the engine's old pins)")
    parser.add_argument("--strict", action="store_true", help="a package that could not be audited fails the run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report_file = Path(folder) / "audit.json"
        run = subprocess.run(
            [
                str(PIP_AUDIT),
                "-r",
                str(args.lock),
                "--require-hashes",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--aliases",
                "on",
                "--desc",
                "on",
                "--format",
                "json",
                "--output",
                str(report_file),
            ],
            capture_output=True,
            text=True,
        )
        if not report_file.exists():
            print(f"audit: pip-audit did not run: {run.stderr.strip()[-2000:]}", file=sys.stderr)
            return 2
        report = json.loads(report_file.read_text())
    lines, findings, skipped = summarize(report, args.lock.name)
    print("\n".join(lines))
    if findings and not args.report_only:
        return 1
    if skipped and args.strict:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
