"""scripts/audit.py names the package, its version and the advisory of every finding."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit", SCRIPT)
assert spec is not None and spec.loader is not None
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_finding_names_package_version_advisory_and_fix() -> None:
    report = {
        "dependencies": [
            {
                "name": "aiohttp",
                "version": "3.9.1",
                "vulns": [
                    {
                        "id": "GHSA-5h86-8mv2-jq9f",
                        "fix_versions": ["3.9.2"],
                        "aliases": ["CVE-2024-23334"],
                        "description": "Directory traversal\\nwith follow_symlinks",
                    }
                ],
            },
            {"name": "yarl", "version": "1.9.4", "vulns": []},
            {"name": "private-package", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        ]
    }
    lines, findings, skipped = audit.summarize(report, "app.lock")
    first = "app.lock: aiohttp 3.9.1: GHSA-5h86-8mv2-jq9f (CVE-2024-23334), fixed in 3.9.2: Directory"
    assert lines[0].startswith(first)
    assert "2 of 3 packages audited, 1 known vulnerabilities" in lines[1]
    assert "NOT AUDITED" in lines[2] and "private-package" in lines[2]
    assert (findings, skipped) == (1, 1)
