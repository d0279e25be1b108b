"""`make lab` works as root too (Docker, many cloud VMs): JupyterLab refuses root without
--allow-root, so the Makefile passes that flag when, and only when, the user is root."""

import os
import shutil
import subprocess

import pytest

from utils.paths import REPO_ROOT

NOBODY = 65534


def lab_command(prefix=(), **kwargs) -> str:
    """The command `make lab` would run (make -n prints it without running it)."""
    run = subprocess.run(
        [*prefix, "make", "--no-print-directory", "-n", "-o", ".venv/.installed", "lab"],
        cwd=REPO_ROOT, capture_output=True, text=True, **kwargs)
    if run.returncode:
        pytest.skip(f"cannot run make -n lab this way here: {run.stderr.strip()[:200]}")
    (line,) = [line for line in run.stdout.splitlines() if "jupyter lab" in line]
    assert "--ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks" in line
    return line


def test_make_lab_passes_allow_root_only_when_run_as_root():
    assert ("--allow-root" in lab_command().split()) == (os.geteuid() == 0)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run make as another user")
def test_as_root_a_normal_user_does_not_get_allow_root():
    assert "--allow-root" not in lab_command(user=NOBODY, group=NOBODY).split()


@pytest.mark.skipif(os.geteuid() == 0 or not shutil.which("unshare"),
                    reason="needs a normal user and unshare (a user namespace maps it to root)")
def test_a_normal_user_mapped_to_root_gets_allow_root():
    assert "--allow-root" in lab_command(prefix=["unshare", "--map-root-user"]).split()
