"""The ``mlcourse`` command: every Makefile target's tool behind one entry point."""

import os
import subprocess
import sys
import tomllib

from utils import cli
from utils.paths import REPO_ROOT


def run_cli(*args: str, workspace) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLCOURSE_WORKSPACE": str(workspace)}
    return subprocess.run([sys.executable, "-m", "utils.cli", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_entry_point_is_this_module():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["mlcourse"] == "utils.cli:main"
    assert callable(cli.main)


def test_progress_prints_its_table_and_nothing_on_stderr(tmp_path):
    done = run_cli("progress", workspace=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Course progress: 0/" in done.stdout
    assert done.stderr == ""  # no runpy RuntimeWarning before the table


def test_notebooks_check_reports_the_exercises_in_step(tmp_path):
    done = run_cli("notebooks", "--check", workspace=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_unknown_command_or_argument_is_a_clear_error(capsys):
    assert cli.main(["bogus"]) == 2
    assert "unknown command 'bogus'; commands: course, progress" in capsys.readouterr().err
    assert cli.main(["progress", "--all"]) == 2
    assert "takes no arguments" in capsys.readouterr().err
    assert cli.main([]) == 2 and "usage" in capsys.readouterr().out
