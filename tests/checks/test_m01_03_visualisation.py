"""Checks of 01_python_for_ml/03_visualisation: right answers pass, placeholders are ⏳, and
the mistakes learners really make are rejected with feedback that does not leak the answer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import seaborn as sns  # noqa: E402

from utils import load_dataset  # noqa: E402
from utils.checks.m01_03_visualisation import MEASUREMENTS, q1, q2, q3, q4  # noqa: E402

from .helpers import assert_passes, assert_pending, assert_rejects  # noqa: E402


@pytest.fixture(scope="module")
def penguins():
    return load_dataset("penguins")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- q1 ----------------------------------------------------------------------------------------
def overview(penguins, *, labels=True, rows=1, swap=False):
    fig, axes = plt.subplots(rows, 3 - rows)
    x, y = ("bill_depth_mm", "bill_length_mm") if swap else ("bill_length_mm", "bill_depth_mm")
    axes[0].scatter(penguins[x], penguins[y])
    axes[1].hist(penguins["body_mass_g"].dropna(), bins=20)
    if labels:
        axes[0].set(title="Bills", xlabel="Bill length (mm)", ylabel="Bill depth (mm)")
        axes[1].set(title="Mass", xlabel="Body mass (g)", ylabel="Count")
    return fig, axes


def test_q1_passes_on_matplotlib_and_seaborn(penguins):
    fig, _ = overview(penguins)
    assert_passes(q1, fig)
    fig, axes = plt.subplots(1, 2, layout="constrained")
    sns.scatterplot(data=penguins, x="bill_length_mm", y="bill_depth_mm", hue="species",
                    ax=axes[0])
    sns.histplot(data=penguins, x="body_mass_g", ax=axes[1])
    axes[0].set_title("Bills")
    axes[1].set_title("Mass")
    assert_passes(q1, fig)


def test_q1_does_not_change_the_figure(penguins):
    fig, axes = overview(penguins)
    before = [(ax.get_title(), len(ax.patches), len(ax.collections)) for ax in axes]
    q1.verdict(fig)
    assert [(ax.get_title(), len(ax.patches), len(ax.collections)) for ax in axes] == before
    assert plt.fignum_exists(fig.number)


def test_q1_pending():
    assert_pending(q1)


def test_q1_rejects_unlabeled_axes(penguins):
    fig, _ = overview(penguins, labels=False)
    assert_rejects(q1, fig, mentions="title")
    fig, axes = overview(penguins)
    axes[1].set_ylabel("")
    assert_rejects(q1, fig, mentions="y-axis label")


def test_q1_rejects_stacked_panels(penguins):
    fig, _ = overview(penguins, rows=2)
    assert_rejects(q1, fig, mentions="side by side")


def test_q1_rejects_swapped_axes(penguins):
    fig, _ = overview(penguins, swap=True)
    assert_rejects(q1, fig, mentions="swapped")


def test_q1_rejects_wrong_histogram_column(penguins):
    fig, axes = overview(penguins)
    axes[1].clear()
    axes[1].hist(penguins["flipper_length_mm"].dropna(), bins=20)
    axes[1].set(title="Mass", xlabel="Body mass (g)", ylabel="Count")
    assert_rejects(q1, fig, mentions="body-mass")


def test_q1_rejects_axes_and_junk(penguins):
    _, axes = overview(penguins)
    assert_rejects(q1, axes, mentions="Figure")
    assert_rejects(q1, 42, mentions="Figure")
    assert_rejects(q1, plt.figure(), mentions="0 Axes")


# -- q2 ----------------------------------------------------------------------------------------
def labelled(ax):
    ax.set(title="Flippers", xlabel="Flipper length (mm)", ylabel="Count")
    return ax


def per_species_hist(penguins, column="flipper_length_mm", legend=True):
    _, ax = plt.subplots()
    for name, group in penguins.groupby("species"):
        ax.hist(group[column].dropna(), bins=15, alpha=0.5, label=name)
    if legend:
        ax.legend()
    return labelled(ax)


def test_q2_passes_on_seaborn_and_a_loop(penguins):
    _, ax = plt.subplots()
    sns.histplot(data=penguins, x="flipper_length_mm", hue="species", ax=ax)
    assert_passes(q2, labelled(ax))
    assert_passes(q2, per_species_hist(penguins))


def test_q2_pending():
    assert_pending(q2)


def test_q2_rejects_a_missing_legend(penguins):
    assert_rejects(q2, per_species_hist(penguins, legend=False), mentions="legend")


def test_q2_rejects_one_histogram_for_all_species(penguins):
    _, ax = plt.subplots()
    ax.hist(penguins["flipper_length_mm"].dropna(), bins=25)
    assert_rejects(q2, labelled(ax), mentions="colour")


def test_q2_rejects_another_column(penguins):
    assert_rejects(q2, per_species_hist(penguins, column="body_mass_g"), mentions="flipper")


def test_q2_rejects_missing_labels(penguins):
    ax = per_species_hist(penguins)
    ax.set_xlabel("")
    assert_rejects(q2, ax, mentions="x-axis")


def test_q2_rejects_figure_and_junk(penguins):
    ax = per_species_hist(penguins)
    assert_rejects(q2, ax.figure, mentions="Axes")
    assert_rejects(q2, "histogram", mentions="Axes")


# -- q3 ----------------------------------------------------------------------------------------
def heatmap(corr, **kwargs):
    options = {"annot": True, "fmt": ".2f", "vmin": -1, "vmax": 1, "cmap": "vlag"}
    options.update(kwargs)
    _, ax = plt.subplots()
    sns.heatmap(corr, ax=ax, **{k: v for k, v in options.items() if v is not None})
    return ax


def test_q3_passes(penguins):
    corr = penguins[MEASUREMENTS].corr()
    assert_passes(q3, corr, heatmap(corr))
    complete_rows = penguins.dropna()[MEASUREMENTS].corr()  # also a sound choice
    assert_passes(q3, complete_rows, heatmap(complete_rows, fmt=".1f"))
    upper = np.triu(np.ones(corr.shape, dtype=bool), k=1)  # a popular style: hide one half
    assert_passes(q3, corr, heatmap(corr, mask=upper))


def test_q3_pending():
    assert_pending(q3, ..., ...)


def test_q3_rejects_the_year_column(penguins):
    corr = penguins.corr(numeric_only=True)
    assert_rejects(q3, corr, heatmap(corr), mentions="year",
                   must_not_mention=("0.87", "0.871", "0.66"))


def test_q3_rejects_spearman(penguins):
    corr = penguins[MEASUREMENTS].corr(method="spearman")
    assert_rejects(q3, corr, heatmap(corr), mentions="Pearson", must_not_mention=("0.87",))


def test_q3_rejects_covariance(penguins):
    cov = penguins[MEASUREMENTS].cov()
    assert_rejects(q3, cov, heatmap(cov), mentions="covariance")


def test_q3_rejects_unannotated_heatmap(penguins):
    corr = penguins[MEASUREMENTS].corr()
    assert_rejects(q3, corr, heatmap(corr, annot=None, fmt=None), mentions="annot")


def test_q3_rejects_a_colour_scale_fitted_to_the_data(penguins):
    corr = penguins[MEASUREMENTS].corr()
    assert_rejects(q3, corr, heatmap(corr, vmin=None, vmax=None), mentions="-1 to 1")


def test_q3_rejects_a_heatmap_of_something_else(penguins):
    corr = penguins[MEASUREMENTS].corr()
    other = penguins[MEASUREMENTS].corr(method="kendall")
    assert_rejects(q3, corr, heatmap(other), mentions="heatmap")


def test_q3_rejects_junk(penguins):
    corr = penguins[MEASUREMENTS].corr()
    assert_rejects(q3, corr.to_numpy(), heatmap(corr), mentions="DataFrame")
    assert_rejects(q3, corr, corr, mentions="Axes")
    _, empty = plt.subplots()
    assert_rejects(q3, corr, empty, mentions="no heatmap")


# -- q4 ----------------------------------------------------------------------------------------
def test_q4_passes(penguins):
    assert_passes(q4, penguins["species"].value_counts(normalize=True))
    assert_passes(q4, penguins.groupby("species").size() / len(penguins))


def test_q4_pending():
    assert_pending(q4)


def test_q4_rejects_counts(penguins):
    assert_rejects(q4, penguins["species"].value_counts(), mentions="counts",
                   must_not_mention=("0.44", "0.442", "44.2"))


def test_q4_rejects_percentages(penguins):
    assert_rejects(q4, penguins["species"].value_counts(normalize=True) * 100,
                   mentions="percentages")


def test_q4_rejects_dropped_rows(penguins):
    assert_rejects(q4, penguins.dropna()["species"].value_counts(normalize=True),
                   mentions="drop", must_not_mention=("0.44", "0.442"))


def test_q4_rejects_junk(penguins):
    assert_rejects(q4, penguins[["species"]].value_counts(normalize=True).to_frame(),
                   mentions="Series")
    assert_rejects(q4, [0.44, 0.36, 0.2], mentions="Series")
    assert_rejects(q4, penguins["island"].value_counts(normalize=True), mentions="species")
