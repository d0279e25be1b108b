"""The code of the course is ruff-clean (settings in pyproject.toml)."""

import subprocess
import sys

from utils.paths import REPO_ROOT


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "utils", "tests", "solutions",
                           "conftest.py"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
