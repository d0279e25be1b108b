"""The Colab bootstrap: the first code cell of every notebook is exactly ``BOOTSTRAP``.

On Colab it clones the course and installs the course package (which pulls in only what Colab
lacks); anywhere else it does nothing. It cannot import ``utils`` (on Colab ``utils`` is not
there yet), so it lives here as text, and a structure test keeps every notebook's copy identical.
"""

COURSE_REPO = "https://github.com/mlcourse-org/ml-engineering-course.git"

BOOTSTRAP = f"""\
# Colab bootstrap: on Colab, fetch the course and install what Colab lacks; elsewhere a no-op.
import sys
if "google.colab" in sys.modules and "utils" not in sys.modules:
    !git clone -q --depth 1 {COURSE_REPO} /content/course 2>/dev/null; pip install -q -e /content/course
    sys.path.insert(0, "/content/course")"""


def sync_bootstrap() -> list[str]:
    """Make the first code cell of every solution exactly ``BOOTSTRAP``; return those changed.

    Change ``COURSE_REPO`` (or the bootstrap) here, then ``make notebooks`` spreads it.
    """
    import nbformat

    from .paths import course_notebooks

    changed = []
    for path in course_notebooks("solutions"):
        notebook = nbformat.read(path, as_version=4)
        first = next(c for c in notebook.cells if c.cell_type == "code")
        if first.source != BOOTSTRAP:
            first.source = BOOTSTRAP
            nbformat.write(notebook, path)
            changed.append(path.name)
    return changed


if __name__ == "__main__":
    for name in sync_bootstrap():
        print(f"bootstrap updated: {name}")
