"""The Colab bootstrap: the first code cell of every notebook is exactly ``bootstrap(notebook)``.

On Colab it clones the course from ``COURSE_REPO`` and installs the course package with its
module's extra, ``.[mNN]`` (declared in pyproject.toml: what that module needs beyond Colab's
own packages, pinned as in requirements.txt); anywhere else it does nothing. It cannot import
``utils`` (on Colab ``utils`` is not there yet), so it lives here as text: ``make notebooks``
writes it into every solution (and so every exercise), and tests keep every copy identical.
"""

from __future__ import annotations

import re
from pathlib import Path

# The one setting: where the published course lives. Colab works once the course is there.
COURSE_REPO = "https://github.com/mlcourse-org/ml-engineering-course.git"

TEMPLATE = """\
# Colab bootstrap: on Colab, fetch the course and install what this module needs; elsewhere a no-op.
import sys
if "google.colab" in sys.modules and "utils" not in sys.modules:
    !git clone -q --depth 1 {repo} /content/course 2>/dev/null; pip install -q -e "/content/course[{extra}]"
    sys.path.insert(0, "/content/course")"""


def module_extra(notebook: str | Path) -> str:
    """The extra of a notebook's module: ``05_mlops/01_tracking`` (or its path) -> ``m05``."""
    for part in reversed(Path(notebook).parts[:-1] or Path(notebook).parts):
        if match := re.match(r"(\d\d)_", part):
            return f"m{match.group(1)}"
    raise ValueError(f"{notebook}: no NN_module folder in its path")


def bootstrap(notebook: str | Path) -> str:
    """The first code cell of a notebook (a path, or an id such as ``01_python_for_ml/01_numpy``)."""
    return TEMPLATE.format(repo=COURSE_REPO, extra=module_extra(notebook))


def sync_bootstrap() -> list[str]:
    """Make the first code cell of every solution exactly its bootstrap; return those changed.

    Change ``COURSE_REPO``, a module's extra or the template here, then ``make notebooks``
    spreads it (the generator copies it into the exercises).
    """
    import nbformat

    from . import paths

    changed = []
    for path in paths.course_notebooks("solutions"):
        notebook = nbformat.read(path, as_version=4)
        first = next(c for c in notebook.cells if c.cell_type == "code")
        wanted = bootstrap(path)
        if first.source != wanted:
            first.source = wanted
            nbformat.write(notebook, path)
            changed.append(path.name)
    return changed


if __name__ == "__main__":
    for name in sync_bootstrap():
        print(f"bootstrap updated: {name}")
