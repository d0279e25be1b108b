"""Checks for 01_python_for_ml/02_pandas: selection, missing values, groupby, merge, cleaning.

The checks receive the learner's answers (q4 also the lookup table it merged). Every reference
is computed here from the same data the learner was given (the course loader), so the checks
compare results, never code, and never print the expected values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import (
    PENGUIN_MEASUREMENTS,
    call_learner,
    course_dataset,
    expect_frame,
    expect_function,
    expect_series,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "01_python_for_ml/02_pandas"

MEASUREMENTS = list(PENGUIN_MEASUREMENTS)
Q1_COLUMNS = ["island", "flipper_length_mm", "body_mass_g"]
Q1_MIN_FLIPPER = 200
REGIONS = {"north", "south", "east", "west"}


def _cell(value: object) -> tuple:
    """A sortable, comparable stand-in for one cell: missing values sort last, floats rounded."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return (1, "")
    if isinstance(value, float | np.floating):
        return (0, round(float(value), 6))
    return (0, value)


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The rows of ``frame[columns]`` as sorted tuples: compares tables whatever their order."""
    values = frame[columns].reset_index(drop=True)
    return sorted(tuple(_cell(v) for v in row)
                  for row in values.itertuples(index=False, name=None))


# -- q1: selection with .loc and a boolean mask ---------------------------------------------
def _check_q1(big_chinstraps: object) -> None:
    frame = expect_frame(big_chinstraps, "big_chinstraps",
                         "(pass a list of column names to .loc to keep a DataFrame)")
    expect(list(frame.columns) == Q1_COLUMNS,
           "keep exactly the columns island, flipper_length_mm and body_mass_g, in that order: "
           "pass that list as the second argument of .loc[rows, columns].")
    source = course_dataset("penguins")
    reference = source.loc[(source["species"] == "Chinstrap")
                           & (source["flipper_length_mm"] >= Q1_MIN_FLIPPER), Q1_COLUMNS]
    flippers = pd.to_numeric(frame["flipper_length_mm"], errors="coerce")
    if (flippers < Q1_MIN_FLIPPER).any():
        if len(frame) > len(reference):
            fail("you kept rows that meet only one of the two conditions (some have flippers "
                 "shorter than 200 mm): both must hold, so combine the masks with & (not |).")
        fail("some rows have flippers shorter than 200 mm: check the flipper condition.")
    expect(flippers.notna().all(), "some rows have no flipper length: they cannot match "
           "the condition, so the mask should have left them out.")
    if len(frame) > len(reference):
        fail("you kept more rows than asked for: are they all Chinstrap penguins? Both "
             "conditions must hold, so combine the two masks with & (not |).")
    if len(frame) < len(reference):
        boundary = int((reference["flipper_length_mm"] == Q1_MIN_FLIPPER).sum())
        if boundary and not (flippers == Q1_MIN_FLIPPER).any():
            fail("the penguins with a flipper of exactly 200 mm are missing: 'at least 200' "
                 "means >=, not >.")
        fail("some Chinstrap penguins with long flippers are missing: check both conditions.")
    expect(_rows(frame, Q1_COLUMNS) == _rows(reference, Q1_COLUMNS),
           "the rows are not the ones asked for: select from `penguins` with one boolean "
           "mask for the species and one for the flipper length.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Build two boolean masks, one for the species and one for the flipper length, and "
        "combine them so that both must hold.",
        "Wrap each comparison in parentheses and combine with &: Python's `and` does not work "
        "on Series. 'At least 200' includes 200.",
        "Use penguins.loc[mask, ['island', 'flipper_length_mm', 'body_mass_g']].",
    ],
)


# -- q2: counting and dropping missing values -----------------------------------------------
def _check_q2(missing_per_column: object, penguins_measured: object) -> None:
    source = course_dataset("penguins")
    if isinstance(missing_per_column, pd.DataFrame):
        fail("`missing_per_column` is a DataFrame of True/False; sum it to get one count "
             "per column (a Series).")
    expect_series(missing_per_column, "missing_per_column", "(one count per column)")
    if len(missing_per_column) == len(source) and len(source) != source.shape[1]:
        fail("`missing_per_column` has one value per row: you summed across each row "
             "(axis=1). Sum down the columns instead (the default, axis=0).")
    expect(set(missing_per_column.index) == set(source.columns),
           "`missing_per_column` should be indexed by the column names of `penguins`, "
           "one entry per column.")
    counts = pd.to_numeric(missing_per_column.reindex(source.columns), errors="coerce")
    reference = source.isna().sum()
    if not np.allclose(counts, reference) and np.allclose(counts, source.isna().mean()):
        fail("`missing_per_column` holds fractions, not counts: .mean() gives the share of "
             "missing values, .sum() counts them.")
    expect(np.allclose(counts, reference),
           "the counts in `missing_per_column` are not the number of missing values of each "
           "column: mark the missing cells, then count them per column.")

    frame = expect_frame(penguins_measured, "penguins_measured", "(penguins without the rows "
                          "that miss a measurement)")
    expect(set(frame.columns) == set(source.columns),
           "`penguins_measured` should keep every column of `penguins`: drop rows, not columns.")
    expect(not frame[MEASUREMENTS].isna().any().any(),
           "`penguins_measured` still has rows with a missing measurement.")
    kept = source.dropna(subset=MEASUREMENTS)
    if len(frame) == len(source.dropna()) and len(kept) != len(source.dropna()):
        fail("you also dropped penguins whose only gap is `sex`: their measurements are "
             "complete. Tell dropna which columns to look at with subset=.")
    expect(len(frame) == len(kept),
           "`penguins_measured` does not have the expected number of rows: drop only the rows "
           "where one of the four measurements is missing.")
    expect(_rows(frame, MEASUREMENTS) == _rows(kept, MEASUREMENTS),
           "the rows of `penguins_measured` are not those of `penguins` with complete "
           "measurements.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "isna() turns the table into True/False; True counts as 1 when you add it up.",
        "Summing the True/False table down each column (the default axis) gives one count per "
        "column.",
        "dropna() drops a row with ANY missing value, sex included. Its `subset=` argument "
        "restricts the test to the columns you name: here, the four measurements.",
    ],
)


# -- q3: groupby with named aggregation -----------------------------------------------------
def _check_q3(mass_by_species_sex: object) -> None:
    if isinstance(mass_by_species_sex, pd.Series):
        fail("`mass_by_species_sex` is a Series: use .agg with named aggregations "
             "(new_name=(column, function)) to get a DataFrame with both columns.")
    frame = expect_frame(mass_by_species_sex, "mass_by_species_sex",
                         "with one row per (species, sex)")
    names = [str(n) for n in frame.index.names]
    if {"species", "sex"} <= set(frame.columns):
        fail("species and sex are columns, not the index: keep groupby's default "
             "(as_index=True, no reset_index) so that the rows are indexed by (species, sex).")
    if names == ["species"] or names == ["sex"]:
        fail("group by both columns at once: pass the list ['species', 'sex'] to groupby.")
    if names == ["sex", "species"]:
        fail("the index levels are in the order (sex, species): group by "
             "['species', 'sex'], species first.")
    expect(names == ["species", "sex"],
           "the rows should be indexed by (species, sex): group by ['species', 'sex'].")
    missing_columns = {"mean_mass_g", "n_penguins"} - set(frame.columns)
    expect(not missing_columns,
           "name the columns mean_mass_g and n_penguins with named aggregation: "
           ".agg(mean_mass_g=(column, function), n_penguins=(column, function)).")
    source = course_dataset("penguins")
    grouped = source.groupby(["species", "sex"])["body_mass_g"]
    reference = grouped.agg(["mean", "median", "sum", "count", "size"])
    if frame.index.get_level_values("sex").isna().any():
        fail("there is a group for penguins of unknown sex: keep groupby's default, which "
             "leaves out rows whose key is missing.")
    expect(len(frame) == len(reference) and set(frame.index) == set(reference.index),
           "the groups are not one per (species, sex) combination found in `penguins`.")
    frame = frame.loc[reference.index]
    means = pd.to_numeric(frame["mean_mass_g"], errors="coerce")
    if not np.allclose(means, reference["mean"]):
        if np.allclose(means, reference["median"]):
            fail("mean_mass_g holds medians: the task asks for the mean.")
        if np.allclose(means, reference["sum"]):
            fail("mean_mass_g holds sums of body mass: use 'mean', not 'sum'.")
        fail("mean_mass_g is not the mean body_mass_g of each group: check the column and "
             "the function in its (column, function) pair.")
    counts = pd.to_numeric(frame["n_penguins"], errors="coerce")
    expect(np.allclose(counts, reference["count"]) or np.allclose(counts, reference["size"]),
           "n_penguins is not the number of penguins in each group: count the rows "
           "('size' or 'count').")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Group by two columns at once, then compute two summaries of body_mass_g per group.",
        "Named aggregation: .agg(new_column=(source_column, function_name), ...).",
        "penguins.groupby(['species', 'sex']).agg(mean_mass_g=('body_mass_g', 'mean'), "
        "n_penguins=(...)): fill in the second pair.",
    ],
)


# -- q4: a validated left merge with an indicator ----------------------------------------------
def _check_q4(penguins_species: object, species_info: object) -> None:
    info = expect_frame(species_info, "species_info", "(the lookup table of the exercise)")
    expect("species" in info.columns and info["species"].is_unique,
           "`species_info` was changed: it should have one row per species. Re-run the cell "
           "that builds it.")
    frame = expect_frame(penguins_species, "penguins_species", "(the merged table)")
    reference = course_dataset("penguins").merge(info, on="species", how="left",
                                                 validate="many_to_one", indicator=True)
    expect("_merge" in frame.columns,
           "there is no `_merge` column: ask merge for it with indicator=True.")
    flags = frame["_merge"].astype(str)
    unmatched = int((reference["_merge"] == "left_only").sum())
    if len(frame) < len(reference):
        fail("penguins were lost in the merge: an inner merge keeps only the species found "
             "in both tables. Keep every penguin with how='left'.")
    if len(frame) > len(reference):
        if (flags == "right_only").any() and (flags == "left_only").any():
            fail("there are rows for species that no penguin has: an outer merge adds them. "
                 "Keep exactly the penguins with how='left'.")
        fail("the merge made extra rows: a key must appear once in `species_info` "
             "(validate='many_to_one' checks that for you).")
    if unmatched and (flags == "right_only").sum() == unmatched and not (
            flags == "left_only").any():
        fail("the tables are the other way round: put `penguins` on the left "
             "(penguins.merge(species_info, ...)), so `_merge` reads left_only for penguins "
             "without facts.")
    missing = [c for c in reference.columns if c not in frame.columns]
    expect(not missing, "some columns of `penguins` or `species_info` are missing from the "
           "merged table: merge the whole tables on 'species'.")
    expect(flags.value_counts().to_dict() == reference["_merge"].astype(str).value_counts()
           .to_dict(),
           "the `_merge` flags do not say which penguins found their species in `species_info`:"
           " merge on the 'species' column with how='left'.")
    columns = [c for c in reference.columns if c != "_merge"]
    ours = frame[columns].assign(_merge=flags)
    theirs = reference[columns].assign(_merge=reference["_merge"].astype(str))
    expect(_rows(ours, list(ours.columns)) == _rows(theirs, list(theirs.columns)),
           "the merged rows do not match: each penguin should get the facts of its own species.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Every penguin must stay in the result, matched or not, and each species may appear "
        "at most once in `species_info`.",
        "That is a left merge (how='left'), validated as many-to-one; indicator=True adds the "
        "`_merge` column.",
        "Call penguins.merge(species_info, on=..., how=..., validate=..., indicator=True).",
    ],
)


# -- q5: a method-chained cleaning function -----------------------------------------------------
def _reference_clean(raw: pd.DataFrame) -> pd.DataFrame:
    deduped = raw.drop_duplicates()
    return deduped.assign(
        region=deduped["region"].str.lower(),
        monthly_charges=deduped["monthly_charges"].fillna(deduped["monthly_charges"].median()),
    )


def _messy_sample() -> pd.DataFrame:
    """A second, smaller input with the same defects, so a hard-coded answer cannot pass."""
    sample = course_dataset("churn").drop_duplicates().sample(n=300, random_state=7)
    sample = sample.reset_index(drop=True)
    rows = sample.index
    sample.loc[rows[::25], "monthly_charges"] = np.nan
    sample.loc[rows[3::10], "region"] = sample.loc[rows[3::10], "region"].str.upper()
    return pd.concat([sample, sample.iloc[[1, 3, 8, 13]]], ignore_index=True)


def _compare_cleaned(result: pd.DataFrame, raw: pd.DataFrame, label: str) -> None:
    expected = _reference_clean(raw)
    expect(set(result.columns) == set(raw.columns),
           f"{label}: keep the same columns as the input, no more, no fewer.")
    charges = pd.to_numeric(result["monthly_charges"], errors="coerce")
    expect(charges.notna().all(),
           f"{label}: monthly_charges still has missing values: fill them (fillna).")
    if len(result) < len(expected):
        if len(result) == len(raw.drop_duplicates().dropna()):
            fail(f"{label}: rows were dropped because of their missing charge: fill the gaps "
                 "with the median instead of dropping those customers.")
        fail(f"{label}: rows are missing: remove only exact duplicate rows.")
    if len(result) > len(expected):
        fail(f"{label}: duplicate rows remain: remove them with drop_duplicates().")
    regions = set(result["region"].astype(str))
    if any(r.lower() in REGIONS and r != r.lower() for r in regions):
        fail(f"{label}: region still has upper-case values: lower-case it with .str.lower().")
    expect(regions <= REGIONS, f"{label}: region should only hold north, south, east and west.")

    gaps = raw.loc[raw["monthly_charges"].isna(), "customer_id"].unique()
    by_id = result.assign(monthly_charges=charges).set_index("customer_id")
    expect(by_id.index.is_unique, f"{label}: a customer appears twice: drop the duplicates.")
    filled = by_id.loc[by_id.index.intersection(gaps), "monthly_charges"]
    medians = [raw["monthly_charges"].median(), raw.drop_duplicates()["monthly_charges"].median()]
    if not any(np.allclose(filled, m) for m in medians):
        if np.allclose(filled, raw.drop_duplicates()["monthly_charges"].mean()) or np.allclose(
                filled, raw["monthly_charges"].mean()):
            fail(f"{label}: the gaps were filled with the mean: the task asks for the median, "
                 "which outliers cannot drag.")
        fail(f"{label}: the missing charges were not filled with the median of "
             "monthly_charges of the frame passed to the function.")
    ours = by_id.reset_index()[list(expected.columns)]
    ours = ours.astype({"region": str})
    theirs = expected.astype({"region": str})
    same = _rows(ours.drop(columns="monthly_charges"), [c for c in ours.columns
                                                          if c != "monthly_charges"])
    expect(same == _rows(theirs.drop(columns="monthly_charges"),
                         [c for c in theirs.columns if c != "monthly_charges"]),
           f"{label}: other columns changed: only region and the missing monthly_charges should.")
    kept = raw["monthly_charges"].notna()
    known = raw.loc[kept].drop_duplicates("customer_id").set_index("customer_id")
    expect(np.allclose(by_id.loc[known.index, "monthly_charges"], known["monthly_charges"]),
           f"{label}: charges that were already known changed: fill only the missing ones.")


def _check_q5(clean_churn: object) -> None:
    function = expect_function(clean_churn, "clean_churn")
    for label, raw in (("on the churn table", course_dataset("churn")),
                       ("on a smaller messy sample", _messy_sample())):
        untouched = raw.copy()
        result = call_learner(function, raw, call="clean_churn(raw)")
        try:
            pd.testing.assert_frame_equal(raw, untouched)
        except AssertionError:
            fail(f"{label}: your function changed the frame it was given. Return a new frame "
                 "(a method chain with .assign) instead of assigning into `raw`.")
        expect(result is not None,
               "clean_churn returned None: end the function with `return cleaned`.")
        expect(isinstance(result, pd.DataFrame),
               f"clean_churn should return a pandas DataFrame, not a {type(result).__name__}.")
        _compare_cleaned(result, raw, label)


q5 = Exercise(
    name="q5",
    notebook=NOTEBOOK,
    check_fn=_check_q5,
    hints=[
        "Three steps, in a chain that starts from `raw`: remove duplicate rows, fix region, "
        "fill the missing charges. Never assign into `raw` itself.",
        "drop_duplicates() removes exact duplicate rows; .str.lower() lower-cases a text column.",
        "Inside .assign, a lambda receives the frame at that point of the chain: "
        "monthly_charges=lambda d: d['monthly_charges'].fillna(...) with the median of "
        "d['monthly_charges'].",
    ],
)
