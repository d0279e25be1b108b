"""Re-execute solution notebooks in place so their stored outputs are what a run gives.

``python -m utils.execute [solutions/NN_module/NN_topic.ipynb ...]`` (default: all solutions).
Runs the default parameters, in strict mode, from the notebook's own folder, with a fresh
temporary workspace: the same conditions as the nbval test that verifies the outputs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .exercises import STRICT_ENV
from .paths import WORKSPACE_ENV, course_notebooks

TIMEOUT_S = 600


def coalesce_streams(notebook: nbformat.NotebookNode) -> None:
    """Merge consecutive stream outputs of the same name (stdout, stderr) in every cell.

    A kernel may deliver one ``print`` in several chunks (more often on a busy machine), so
    without this the stored outputs would change shape from run to run; nbval merges streams
    the same way before comparing.
    """
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged


def execute_in_place(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="mlcourse-execute-") as scratch:
        saved = {name: os.environ.get(name) for name in (WORKSPACE_ENV, STRICT_ENV)}
        os.environ[WORKSPACE_ENV], os.environ[STRICT_ENV] = scratch, "1"
        try:
            NotebookClient(
                notebook,
                timeout=TIMEOUT_S,
                kernel_name="python3",
                record_timing=False,
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    coalesce_streams(notebook)
    nbformat.write(notebook, path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    paths = [Path(p) for p in argv] or course_notebooks("solutions")
    for path in paths:
        if not path.exists():
            print(f"no such notebook: {path}", file=sys.stderr)
            return 2
        print(f"executing {path} ...", flush=True)
        execute_in_place(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
