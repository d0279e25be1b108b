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
