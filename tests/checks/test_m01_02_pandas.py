"""Checks of 01_python_for_ml/02_pandas: right answers pass, placeholders wait, mistakes fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.check_helpers import PENGUIN_MEASUREMENTS
from utils.checks.m01_02_pandas import q1, q2, q3, q4, q5

MEASUREMENTS = list(PENGUIN_MEASUREMENTS)
Q1_COLUMNS = ["island", "flipper_length_mm", "body_mass_g"]


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    return load_dataset("penguins")


@pytest.fixture(scope="module")
def species_info() -> pd.DataFrame:
    return pd.DataFrame({
        "species": ["Adelie", "Gentoo", "Emperor"],
        "scientific_name": ["Pygoscelis adeliae", "Pygoscelis papua", "Aptenodytes forsteri"],
    })


# -- q1 ---------------------------------------------------------------------------------------
def test_q1_passes_on_right_answer(penguins):
    mask = (penguins["species"] == "Chinstrap") & (penguins["flipper_length_mm"] >= 200)
    assert_passes(q1, penguins.loc[mask, Q1_COLUMNS])
    assert_passes(q1, penguins.query("species == 'Chinstrap' and flipper_length_mm >= 200")
                  [Q1_COLUMNS].reset_index(drop=True))


def test_q1_pending():
    assert_pending(q1)


def test_q1_rejects_strict_comparison(penguins):
    mask = (penguins["species"] == "Chinstrap") & (penguins["flipper_length_mm"] > 200)
    assert_rejects(q1, penguins.loc[mask, Q1_COLUMNS], mentions=">=")


def test_q1_rejects_or_instead_of_and(penguins):
    mask = (penguins["species"] == "Chinstrap") | (penguins["flipper_length_mm"] >= 200)
    assert_rejects(q1, penguins.loc[mask, Q1_COLUMNS], mentions="&")


def test_q1_rejects_all_columns_and_junk(penguins):
    mask = (penguins["species"] == "Chinstrap") & (penguins["flipper_length_mm"] >= 200)
    assert_rejects(q1, penguins.loc[mask], mentions="columns")
    assert_rejects(q1, penguins.loc[mask, "body_mass_g"], mentions="Series")
    assert_rejects(q1, [1, 2, 3], mentions="DataFrame")


def test_q1_rejects_species_condition_forgotten(penguins):
    """Only the flipper condition: long-flippered Gentoos come in."""
    assert_rejects(q1, penguins.loc[penguins["flipper_length_mm"] >= 200, Q1_COLUMNS],
                   mentions="Chinstrap", must_not_mention=("20 ",))


# -- q2 ---------------------------------------------------------------------------------------
def test_q2_passes_on_right_answer(penguins):
    assert_passes(q2, penguins.isna().sum(), penguins.dropna(subset=MEASUREMENTS))


def test_q2_pending(penguins):
    assert_pending(q2)
    assert_pending(q2, ..., ...)
    assert_pending(q2, penguins.isna().sum(), ...)


def test_q2_rejects_dropna_without_subset(penguins):
    assert_rejects(q2, penguins.isna().sum(), penguins.dropna(), mentions="subset",
                   must_not_mention=("342",))


def test_q2_rejects_fractions_and_wrong_axis(penguins):
    complete = penguins.dropna(subset=MEASUREMENTS)
    assert_rejects(q2, penguins.isna().mean(), complete, mentions="fractions")
    assert_rejects(q2, penguins.isna().sum(axis=1), complete, mentions="axis")
    assert_rejects(q2, penguins.isna(), complete, mentions="sum")


def test_q2_rejects_dropped_columns(penguins):
    assert_rejects(q2, penguins.isna().sum(), penguins.dropna(axis=1), mentions="columns")


# -- q3 ---------------------------------------------------------------------------------------
def _named_agg(frame: pd.DataFrame, keys: list[str], function: str = "mean") -> pd.DataFrame:
    return frame.groupby(keys).agg(mean_mass_g=("body_mass_g", function),
                                   n_penguins=("body_mass_g", "size"))


def test_q3_passes_on_right_answer(penguins):
    assert_passes(q3, _named_agg(penguins, ["species", "sex"]))
    counted = penguins.groupby(["species", "sex"]).agg(
        n_penguins=("species", "count"), mean_mass_g=("body_mass_g", "mean"))
    assert_passes(q3, counted)  # 'count' of a complete column, columns in another order


def test_q3_rejects_keys_as_columns_or_in_the_wrong_order(penguins):
    """The task asks for a frame indexed by (species, sex), in that order."""
    assert_rejects(q3, _named_agg(penguins, ["species", "sex"]).reset_index(),
                   mentions="not the index")
    assert_rejects(q3, _named_agg(penguins, ["sex", "species"]), mentions="(sex, species)")


def test_q3_pending():
    assert_pending(q3)


def test_q3_rejects_species_only(penguins):
    assert_rejects(q3, _named_agg(penguins, ["species"]), mentions="both")


def test_q3_rejects_sum_and_median(penguins):
    wrong = _named_agg(penguins, ["species", "sex"], "sum")
    right_first = f"{_named_agg(penguins, ['species', 'sex'])['mean_mass_g'].iloc[0]:.1f}"
    assert_rejects(q3, wrong, mentions="sum", must_not_mention=(right_first,))
    assert_rejects(q3, _named_agg(penguins, ["species", "sex"], "median"), mentions="median")


def test_q3_rejects_unnamed_columns_and_series(penguins):
    plain = penguins.groupby(["species", "sex"])["body_mass_g"].agg(["mean", "size"])
    assert_rejects(q3, plain, mentions="mean_mass_g")
    series = penguins.groupby(["species", "sex"])["body_mass_g"].mean()
    assert_rejects(q3, series, mentions="Series")


def test_q3_rejects_group_of_unknown_sex(penguins):
    with_nan = penguins.groupby(["species", "sex"], dropna=False).agg(
        mean_mass_g=("body_mass_g", "mean"), n_penguins=("body_mass_g", "size"))
    assert_rejects(q3, with_nan, mentions="unknown sex")


# -- q4 ---------------------------------------------------------------------------------------
def test_q4_passes_on_right_answer(penguins, species_info):
    merged = penguins.merge(species_info, on="species", how="left", validate="many_to_one",
                            indicator=True)
    assert_passes(q4, merged, species_info)
    assert_passes(q4, merged.sample(frac=1.0, random_state=0), species_info)


def test_q4_pending(species_info):
    assert_pending(q4, ..., species_info)


def test_q4_rejects_inner_merge(penguins, species_info):
    inner = penguins.merge(species_info, on="species", how="inner", indicator=True)
    assert_rejects(q4, inner, species_info, mentions="how='left'",
                   must_not_mention=(str(len(penguins)),))


def test_q4_rejects_missing_indicator(penguins, species_info):
    assert_rejects(q4, penguins.merge(species_info, on="species", how="left"), species_info,
                   mentions="indicator=True")


def test_q4_rejects_outer_and_swapped_merges(penguins, species_info):
    outer = penguins.merge(species_info, on="species", how="outer", indicator=True)
    assert_rejects(q4, outer, species_info, mentions="outer")
    swapped = species_info.merge(penguins, on="species", how="right", indicator=True)
    assert_rejects(q4, swapped, species_info, mentions="left")


# -- q5 ---------------------------------------------------------------------------------------
def right_clean(raw: pd.DataFrame) -> pd.DataFrame:
    return (
        raw.drop_duplicates()
        .assign(
            region=lambda d: d["region"].str.lower(),
            monthly_charges=lambda d: d["monthly_charges"].fillna(d["monthly_charges"].median()),
        )
    )


def test_q5_passes_on_right_answer():
    assert_passes(q5, right_clean)

    def fill_first(raw):  # median before dropping duplicates, index reset: also right
        median = raw["monthly_charges"].median()
        return (raw.fillna({"monthly_charges": median}).drop_duplicates()
                .assign(region=lambda d: d["region"].str.lower()).reset_index(drop=True))

    assert_passes(q5, fill_first)


def test_q5_pending():
    def placeholder(raw):
        cleaned = ...  # your code here
        return cleaned

    assert_pending(q5, placeholder)
    assert_pending(q5)


def test_q5_rejects_dropna_instead_of_fillna():
    def drops(raw):
        return raw.drop_duplicates().dropna().assign(region=lambda d: d["region"].str.lower())

    assert_rejects(q5, drops, mentions="fill")


def test_q5_rejects_mean_instead_of_median():
    def with_mean(raw):
        return raw.drop_duplicates().assign(
            region=lambda d: d["region"].str.lower(),
            monthly_charges=lambda d: d["monthly_charges"].fillna(d["monthly_charges"].mean()),
        )

    median = load_dataset("churn").drop_duplicates()["monthly_charges"].median()
    assert_rejects(q5, with_mean, mentions="median", must_not_mention=(f"{median:.2f}",))


def test_q5_rejects_mutating_the_input():
    def in_place(raw):
        raw["region"] = raw["region"].str.lower()
        raw["monthly_charges"] = raw["monthly_charges"].fillna(raw["monthly_charges"].median())
        return raw.drop_duplicates()

    assert_rejects(q5, in_place, mentions="changed the frame")


def test_q5_rejects_forgotten_steps():
    def keeps_duplicates(raw):
        return right_clean(raw.drop_duplicates()).pipe(lambda d: pd.concat([d, d.tail(3)]))

    assert_rejects(q5, keeps_duplicates, mentions="duplicate")

    def keeps_case(raw):
        return right_clean(raw).assign(region=raw.drop_duplicates()["region"])

    assert_rejects(q5, keeps_case, mentions="lower")


def test_q5_rejects_hard_coded_median():
    median = load_dataset("churn").drop_duplicates()["monthly_charges"].median()

    def hard_coded(raw):
        return raw.drop_duplicates().assign(
            region=lambda d: d["region"].str.lower(),
            monthly_charges=lambda d: d["monthly_charges"].fillna(median),
        )

    assert_rejects(q5, hard_coded, mentions="messy sample")


def test_q5_rejects_junk():
    assert_rejects(q5, pd.DataFrame(), mentions="function")
    assert_rejects(q5, lambda raw: None, mentions="return")
    assert_rejects(q5, lambda raw: np.zeros(3), mentions="DataFrame")
