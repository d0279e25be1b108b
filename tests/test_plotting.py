"""Every figure gets the course's style, without the cost of importing seaborn."""

import subprocess
import sys

import matplotlib as mpl

from utils.plotting import COURSE_PALETTE, set_style


def test_set_style_applies_the_course_palette_and_sizes():
    set_style()
    colours = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    assert colours == COURSE_PALETTE
    assert tuple(mpl.rcParams["figure.figsize"]) == (7.0, 4.0)
    assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["font.family"] == ["DejaVu Sans"]  # the same on every machine


def test_setting_up_a_notebook_imports_neither_seaborn_nor_scipy():
    code = "import sys, utils; utils.setup_course(); print('seaborn' in sys.modules, " \
           "'scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "False False", done.stderr
