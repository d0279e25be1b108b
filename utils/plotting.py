"""One look for every figure of the course."""

from __future__ import annotations

COURSE_PALETTE = ["#3B6FB6", "#E07B39", "#4E9F50", "#C8453C", "#8064A2", "#7F7F7F"]


def set_style() -> None:
    """Apply the course's figure style: readable sizes, light grid, a colour-blind-safe cycle.

    Uses matplotlib's copy of seaborn's white-grid style, so lessons that never use seaborn
    do not pay for importing it (and SciPy with it). matplotlib itself is imported here, not
    at module level, so that ``import utils`` (and every check module) stays light.
    """
    import matplotlib as mpl
    import matplotlib.style

    matplotlib.style.use("seaborn-v0_8-whitegrid")
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=COURSE_PALETTE),
            # matplotlib's own font: the style's list prefers Arial or Liberation Sans when
            # installed, so figures (and the sizes nbval compares) would depend on the machine
            "font.family": "DejaVu Sans",
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 80,
            "savefig.dpi": 100,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "mlcourse",  # stable SVG ids
        }
    )
