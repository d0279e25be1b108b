"""One look for every figure of the course."""

from __future__ import annotations

import matplotlib as mpl

COURSE_PALETTE = ["#3B6FB6", "#E07B39", "#4E9F50", "#C8453C", "#8064A2", "#7F7F7F"]


def set_style() -> None:
    """Apply the course's figure style: readable sizes, light grid, a colour-blind-safe cycle."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=COURSE_PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 80,
            "savefig.dpi": 100,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "mlcourse",  # stable SVG ids
        }
    )
