"""Checks for 01_python_for_ml/03_visualisation: figures, histograms, heatmaps, class balance.

The checks receive the learner's Figure, Axes, DataFrame or Series, read matplotlib objects
(Figures, Axes, their artists) and never change or close them; matplotlib is imported only
inside the checks. References are computed from the same penguins table the learner loads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import PENGUIN_MEASUREMENTS, course_dataset, expect_series, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "01_python_for_ml/03_visualisation"
MEASUREMENTS = list(PENGUIN_MEASUREMENTS)


def _penguins() -> pd.DataFrame:
    return course_dataset("penguins")


# -- helpers shared by several checks of this notebook ----------------------------------------
def _is_figure(value: object) -> bool:
    from matplotlib.figure import Figure

    return isinstance(value, Figure)


def _is_axes(value: object) -> bool:
    from matplotlib.axes import Axes

    return isinstance(value, Axes)


def _bars(ax) -> list:
    """The visible bars (Rectangles with a positive width and height) drawn on ``ax``."""
    from matplotlib.patches import Rectangle

    return [
        p for p in ax.patches
        if isinstance(p, Rectangle) and p.get_visible()
        and abs(p.get_width()) > 0 and abs(p.get_height()) > 0
    ]


def _bars_cover(bars: list, values: pd.Series) -> bool:
    """Do the bars span the range of ``values`` (and not much beyond it)?"""
    lows = [min(b.get_x(), b.get_x() + b.get_width()) for b in bars]
    highs = [max(b.get_x(), b.get_x() + b.get_width()) for b in bars]
    vmin, vmax = float(values.min()), float(values.max())
    slack = 0.1 * (vmax - vmin)
    return (
        min(lows) <= vmin + slack and max(highs) >= vmax - slack
        and min(lows) >= vmin - 2 * slack and max(highs) <= vmax + 2 * slack
    )


def _same_values(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    a, b = np.sort(np.asarray(a, dtype=float)), np.sort(np.asarray(b, dtype=float))
    return a.shape == b.shape and np.allclose(a, b, atol=atol)


# -- q1: a 1×2 figure, every panel labelled ------------------------------------------------
def _points(ax) -> np.ndarray:
    """(n, 2) array of every finite scatter point drawn on ``ax``."""
    from matplotlib.collections import PathCollection

    chunks = []
    for collection in ax.collections:
        if isinstance(collection, PathCollection):
            offsets = np.ma.filled(np.ma.asarray(collection.get_offsets(), dtype=float), np.nan)
            if offsets.ndim == 2 and offsets.shape[1] == 2:
                chunks.append(offsets)
    if not chunks:
        return np.empty((0, 2))
    points = np.vstack(chunks)
    return points[np.isfinite(points).all(axis=1)]


def _labels_present(ax, where: str) -> None:
    expect(ax.get_title().strip(), f"the {where} has no title: say what the panel shows.")
    expect(ax.get_xlabel().strip(),
           f"the {where} has no x-axis label: name the variable (and its unit).")
    expect(ax.get_ylabel().strip(),
           f"the {where} has no y-axis label: name what the height or position means.")


def _check_q1(fig: object) -> None:
    if not _is_figure(fig):
        if isinstance(fig, np.ndarray) or _is_axes(fig):
            fail("that looks like the Axes; pass the Figure, the first value that "
                 "`plt.subplots` returns.")
        fail(f"expected a matplotlib Figure, got {type_name(fig)}.")
    axes = list(fig.axes)
    expect(len(axes) == 2, f"the figure has {len(axes)} Axes; the task asks for two panels "
                           "(`plt.subplots(1, 2)`).")
    boxes = [ax.get_position() for ax in axes]
    expect(abs(boxes[0].y0 - boxes[1].y0) < 0.05 and abs(boxes[0].x0 - boxes[1].x0) > 0.05,
           "the two panels are stacked, not side by side: ask for 1 row and 2 columns.")
    left, right = sorted(axes, key=lambda ax: ax.get_position().x0)
    _labels_present(left, "left panel")
    _labels_present(right, "right panel")

    penguins = _penguins()
    both = penguins[["bill_length_mm", "bill_depth_mm"]].dropna()
    points = _points(left)
    expect(len(points), "the left panel has no scatter points: use `ax.scatter` or "
                        "`sns.scatterplot(..., ax=...)` on it.")
    expect(len(points) == len(both),
           f"the left scatter has {len(points)} points, but it should have one per penguin "
           "with both bill measurements.")
    if _same_values(points[:, 0], both["bill_depth_mm"], 1e-6) and _same_values(
            points[:, 1], both["bill_length_mm"], 1e-6):
        fail("x and y are swapped in the left scatter: bill length goes on x, depth on y.")
    expect(_same_values(points[:, 0], both["bill_length_mm"], 1e-6)
           and _same_values(points[:, 1], both["bill_depth_mm"], 1e-6),
           "the left scatter does not show bill length (x) against bill depth (y).")

    bars = _bars(right)
    expect(len(bars) >= 5, "the right panel should be a histogram (bars), with at least "
                           "5 bins.")
    expect(_bars_cover(bars, penguins["body_mass_g"].dropna()),
           "the histogram's bars do not span the body-mass values: did you plot another "
           "column?")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "One call makes the Figure and both Axes at once; then draw on each Axes object "
        "instead of using `plt.*`.",
        "`fig, axes = plt.subplots(1, 2, figsize=...)` gives an array of two Axes: "
        "`axes[0]` is the left one, `axes[1]` the right one.",
        "Draw with `axes[0].scatter(x, y)` and `axes[1].hist(values, bins=...)`; then call "
        "`set_title`, `set_xlabel` and `set_ylabel` on EACH Axes (or `ax.set(...)`).",
    ],
)


# -- q2: one histogram per species on one Axes, with a legend --------------------------------
def _legend_texts(ax) -> list[str] | None:
    legend = ax.get_legend()
    if legend is None:
        for fig_legend in getattr(ax.figure, "legends", []):
            legend = fig_legend
    if legend is None:
        return None
    return [text.get_text() for text in legend.get_texts()]


def _check_q2(ax: object) -> None:
    if _is_figure(ax):
        fail("that is the Figure; pass the Axes you drew on (the second value that "
             "`plt.subplots()` returns).")
    expect(_is_axes(ax), f"expected a matplotlib Axes, got {type_name(ax)}.")
    penguins = _penguins()
    bars = _bars(ax)
    expect(len(bars) >= 6, "there are hardly any bars: draw one histogram per species on "
                           "this Axes.")
    expect(_bars_cover(bars, penguins["flipper_length_mm"].dropna()),
           "the bars do not span the flipper-length values: did you plot another column?")
    colours = {tuple(np.round(bar.get_facecolor()[:3], 3)) for bar in bars}
    expect(len(colours) >= 3, "all bars have the same colour: give each species its own "
                              "colour (a `hue`, or one `ax.hist` call per species).")
    texts = _legend_texts(ax)
    expect(texts is not None, "there is no legend, so a reader cannot tell which colour is "
                              "which species: add one (`ax.legend()`, or seaborn's `hue`).")
    species = set(penguins["species"].unique())
    expect(set(texts) == species,
           f"the legend says {sorted(texts)}; its entries should be exactly the species "
           "names (pass `label=` to each `ax.hist` call).")
    expect(ax.get_xlabel().strip(), "the x-axis has no label: name the variable and its unit.")
    expect(ax.get_ylabel().strip(), "the y-axis has no label: say what the bar height counts.")
    expect(ax.get_title().strip(), "the plot has no title.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "All three histograms go on the same Axes, one colour per species, and the legend is "
        "what tells them apart.",
        "seaborn does the grouping for you: its `hue=` argument splits the data by a column "
        "and adds the legend. Pass `ax=` so it draws on your Axes.",
        "`sns.histplot` with its `data`, `x`, `hue` and `ax` arguments, then a title and "
        "labels on `flipper_ax`. (Or one `flipper_ax.hist(..., label=name, alpha=0.5)` per "
        "species, then `flipper_ax.legend()`.)",
    ],
)


# -- q3: correlation matrix of the measurements, as an annotated heatmap ---------------------
def _heatmap_mappable(ax):
    from matplotlib.collections import QuadMesh

    for collection in ax.collections:
        if isinstance(collection, QuadMesh):
            return collection
    return ax.images[-1] if ax.images else None


def _numbers(ax) -> list[float]:
    values = []
    for text in ax.texts:
        try:
            values.append(float(text.get_text().replace("\u2212", "-")))
        except ValueError:
            continue
    return values


def _check_q3(corr: object, ax: object) -> None:
    if isinstance(corr, np.ndarray):
        fail("`penguin_corr` is a NumPy array; keep it a DataFrame (call `.corr()` on the "
             "DataFrame) so rows and columns keep their names.")
    expect(isinstance(corr, pd.DataFrame),
           f"`penguin_corr` should be a DataFrame, got {type_name(corr)}.")
    labels = set(map(str, corr.columns))
    expect("year" not in labels, "`year` is a number but not a measurement: select the four "
                                 "measurement columns before `.corr()`.")
    expect(labels == set(MEASUREMENTS) and set(map(str, corr.index)) == set(MEASUREMENTS)
           and corr.shape == (4, 4),
           "rows and columns should be exactly the four measurement columns (MEASUREMENTS).")
    values = corr.loc[list(corr.columns)].to_numpy(dtype=float)
    expect(np.isfinite(values).all(), "the matrix has missing values.")
    expect(np.allclose(values, values.T, atol=1e-9),
           "the matrix is not symmetric: corr(a, b) must equal corr(b, a).")
    expect(np.allclose(np.diag(values), 1.0, atol=1e-9),
           "the diagonal is not 1 (a column is perfectly correlated with itself): did you "
           "compute a covariance (`.cov()`) instead?")
    reference = _penguins()[MEASUREMENTS].corr().loc[list(corr.columns), list(corr.columns)]
    expect(np.allclose(values, reference.to_numpy(), atol=0.01),
           "the values differ from the Pearson correlations of the measurements: use "
           "`.corr()` with its default method on the penguins table.")

    if _is_figure(ax):
        fail("that is the Figure; pass the Axes that holds the heatmap.")
    expect(_is_axes(ax), f"expected a matplotlib Axes for the heatmap, got {type_name(ax)}.")
    mappable = _heatmap_mappable(ax)
    expect(mappable is not None, "no heatmap found on this Axes: draw it with "
                                 "`sns.heatmap(..., ax=corr_ax)`.")
    shown = np.ma.filled(np.ma.asarray(mappable.get_array(), dtype=float), np.nan).ravel()
    shown = shown[np.isfinite(shown)]
    if len(shown) == values.size:
        same = _same_values(shown, values.ravel(), 0.01)
    else:  # a mask (say the upper triangle) hides some cells: each shown one must be in it
        same = len(shown) >= values.size // 2 - 2 and all(
            np.isclose(values.ravel(), cell, atol=0.01).any() for cell in shown)
    expect(same, "the heatmap's cells do not show `penguin_corr`: draw the matrix you computed.")
    norm = mappable.norm
    expect(norm.vmin is not None and norm.vmax is not None
           and np.isclose(norm.vmin, -1.0) and np.isclose(norm.vmax, 1.0),
           "fix the colour scale from -1 to 1 (`vmin`, `vmax`): a scale fitted to the data "
           "makes weak correlations look strong.")
    numbers = _numbers(ax)
    expect(len(numbers) >= len(shown),
           "the cells are not annotated: show the numbers in them (`annot=True`).")
    expect(_same_values(numbers[-len(shown):], shown, 0.051),
           "the numbers written in the cells do not match the correlations.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Two steps: select the measurement columns and compute their correlations; then draw "
        "that matrix as a heatmap on `corr_ax`.",
        "Select the columns with the `MEASUREMENTS` list, then call the DataFrame method "
        "for correlations: its default method is Pearson, and it skips missing values pair "
        "by pair.",
        "`sns.heatmap` draws it: besides the matrix, look at its `annot`, `fmt`, `vmin`, "
        "`vmax`, `cmap` and `ax` arguments.",
    ],
)


# -- q4: class balance as proportions ---------------------------------------------------------
def _check_q4(share: object) -> None:
    expect_series(share, "species_share",
                  "with one value per species (start from the `species` column)")
    penguins = _penguins()
    species = set(penguins["species"].unique())
    expect(set(map(str, share.index)) == species and len(share) == len(species),
           "the index should hold each species name exactly once.")
    values = pd.to_numeric(share, errors="coerce").copy()  # never touch the learner's Series
    expect(values.notna().all(), "the values should be numbers.")
    total = float(values.sum())
    if np.isclose(total, 100.0):
        fail("these look like percentages; give proportions between 0 and 1 that sum to 1.")
    if total > 1.5:
        fail("these look like counts; class balance is easier to compare as proportions "
             "that sum to 1.")
    expect(np.isclose(total, 1.0, atol=1e-6), "the proportions should sum to 1.")
    reference = penguins["species"].value_counts(normalize=True)
    values.index = values.index.map(str)
    if not np.allclose(values.reindex(reference.index), reference, atol=1e-9):
        fail("the proportions differ from the species column of the full table: did you "
             "drop rows with missing values first? Count every penguin.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Class balance answers: which share of the rows belongs to each class?",
        "Count how often each species occurs in the `species` column, then turn the counts "
        "into shares of the total.",
        "`Series.value_counts` has an argument that returns proportions instead of counts.",
    ],
)
