"""The offline sandbox used by the notebook runs really has no network."""

import nbformat
import pytest

from tests.offline import run_offline

pytestmark = pytest.mark.notebooks

REACH_OUT = """\
import socket
for host in ("pypi.org", "1.1.1.1"):
    try:
        socket.create_connection((host, 443), timeout=3)
        print("reached", host)
    except OSError as error:
        print("offline:", host, type(error).__name__)
"""


def test_a_kernel_in_the_sandbox_cannot_reach_any_host(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(REACH_OUT)]
    path = tmp_path / "reach.ipynb"
    nbformat.write(notebook, path)
    (result,) = run_offline(["--notebook", str(path)], tmp_path / "report").values()
    assert result["status"] == "ok", result["error"]
    executed = nbformat.read(result["output"], as_version=4)
    printed = executed.cells[0].outputs[0]["text"]
    assert "reached" not in printed
    assert printed.count("offline:") == 2
