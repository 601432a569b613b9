"""Security scans of a default bake: bandit on its code, pip-audit on its locked packages."""

import json
import subprocess
import sys

import pytest

from helpers.processes import describe, project_env, run
from helpers.tools import run_tool

# bandit's -ll: report findings of medium severity and above.
BANDIT = ["-m", "bandit", "-q", "-ll", "-r", "app", "config.py", "config_checks.py", "manage.py"]
AUDIT_TIMEOUT = 180


def test_bandit_finds_nothing_of_medium_or_high_severity(default_bake):
    result = run(default_bake.path, *BANDIT, env=project_env())

    assert result.returncode == 0, describe(result)


def test_pip_audit_finds_no_known_vulnerability_in_the_pins(default_bake, tmp_path):
    """Needs the vulnerability database (PyPI's JSON API): without it, skipped, never passed.

    Audits what the image installs: the runtime part of uv.lock, exported as
    the generated CI exports it.
    """
    pins = tmp_path / "requirements.txt"
    export = run_tool(
        "uv", "export", "--locked", "--offline", "--no-dev", "--no-emit-project",
        "--format", "requirements.txt", "--quiet", "--output-file", str(pins),
        cwd=default_bake.path,
    )  # fmt: skip
    assert export.returncode == 0, describe(export)
    report = tmp_path / "audit.json"
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes"]
    command += ["--progress-spinner", "off", "-r", str(pins)]
    command += ["--format", "json", "--output", str(report)]
    result = subprocess.run(
        command,
        cwd=default_bake.path,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=AUDIT_TIMEOUT,
        check=False,
    )
    if not report.exists() or not report.read_text(encoding="utf-8").strip():
        pytest.skip(
            f"pip-audit could not reach its vulnerability database:\n{result.stderr[-800:]}"
        )
    dependencies = json.loads(report.read_text(encoding="utf-8"))["dependencies"]
    audited = [dependency for dependency in dependencies if "skip_reason" not in dependency]
    if not audited:
        pytest.skip(
            "pip-audit's vulnerability database knows none of the pinned versions "
            "(unreachable or a mirror without advisories): NOT audited"
        )

    vulnerable = {d["name"]: d["vulns"] for d in audited if d.get("vulns")}
    assert not vulnerable, json.dumps(vulnerable, indent=2)
    assert result.returncode == 0, describe(result)
