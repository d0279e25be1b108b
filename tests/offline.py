"""Run the course runner with no network: inside a fresh Linux network namespace.

The namespace has only a loopback interface (which Jupyter needs to talk to its kernels), so
any attempt to reach another host fails, exactly as on an offline laptop.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from utils.paths import REPO_ROOT


def offline_prefix() -> list[str]:
    """The command prefix that runs a command with no network, or skip if Linux can't."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        pytest.skip("offline runs need Linux network namespaces (unshare and ip)")
    probe = subprocess.run(["unshare", "-rn", "ip", "link", "set", "lo", "up"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.strip()}")
    return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


def run_offline(runner_args: list[str], report_dir: Path) -> dict[str, dict]:
    """``python -m utils.runner`` with no network; returns its results by notebook."""
    command = offline_prefix() + [sys.executable, "-m", "utils.runner", "--out", str(report_dir),
                                  *runner_args]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)
    results = report_dir / "results.json"
    assert results.exists(), f"the runner wrote no report:\n{done.stdout}\n{done.stderr}"
    return {result["notebook"]: result for result in json.loads(results.read_text())}
