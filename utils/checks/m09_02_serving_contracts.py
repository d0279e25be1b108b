"""Checks for 09_cloud_ml/02_serving_contracts: SageMaker's CSV ``input_fn``, a Vertex AI request
body, and an Azure ML ``run()``.

The checks receive the learner's function first, then what the notebook gave them: the rows
every request sends (``rows``, columns in the contract's order, one missing value) and, for q1,
the ``UnsupportedContentType`` error class of the notebook's handlers; for q3, the trained
pipeline. Each check builds its own request bodies from those rows and its reference answers
from the model. pandas is imported at module level (cheap); scikit-learn is never imported here.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..check_helpers import call_learner, expect_frame, expect_function, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "09_cloud_ml/02_serving_contracts"

NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]


def _same_rows(frame: pd.DataFrame, rows: pd.DataFrame) -> bool:
    """Same values column by column (numbers within a tolerance, NaN where NaN), row order kept."""
    if len(frame) != len(rows):
        return False
    for column in rows.columns:
        got, want = frame[column].to_numpy(), rows[column].to_numpy()
        if column in NUMERIC:
            got = pd.to_numeric(pd.Series(got), errors="coerce").to_numpy(dtype=float)
            if not np.allclose(got, want.astype(float), equal_nan=True):
                return False
        elif [str(v) for v in got] != [str(v) for v in want]:
            return False
    return True


# -- q1: SageMaker input_fn for text/csv --------------------------------------------------
def _raises(function, *args) -> BaseException | None:
    try:
        with quiet():
            function(*args)
    except Exception as error:  # noqa: BLE001 (any error is what we look for)
        return error
    return None


def _with_bad_number(rows: pd.DataFrame) -> str:
    broken = rows.astype(object).copy()
    broken.iloc[-1, list(rows.columns).index("tenure_months")] = "twelve"
    return broken.to_csv(header=False, index=False)


def _check_q1(input_fn, rows, unsupported_error) -> str:
    expect_function(input_fn, "input_fn")
    features = list(rows.columns)
    body = rows.to_csv(header=False, index=False)
    frame = call_learner(input_fn, body.encode(), "text/csv",
                         call='input_fn(csv_bytes, "text/csv")')
    frame = expect_frame(frame, "input_fn(...)", "(one row per CSV line)")
    if len(frame) == len(rows) - 1:
        fail("one row is missing: the first CSV line was read as a header. SageMaker's CSV "
             "has no header row (`header=None`).")
    expect(len(frame) == len(rows),
           f"the body has {len(rows)} lines but `input_fn` returned {len(frame)} rows.")
    expect(list(frame.columns) == features,
           f"the columns should be named {features}, in that order; got "
           f"{list(frame.columns)[:6]}. CSV carries no names: give them yourself.")
    for column in NUMERIC:
        expect(pd.api.types.is_numeric_dtype(frame[column]),
               f"column `{column}` holds {frame[column].dtype} values, not numbers: convert the "
               "numeric columns (e.g. `pd.to_numeric`) so the model sees numbers, not text.")
    missing = rows.isna().to_numpy()
    expect(frame.isna().to_numpy().tolist() == missing.tolist(),
           "the missing value in the body (an empty field) should come back as NaN, and "
           "nothing else should be missing.")
    expect(_same_rows(frame.reset_index(drop=True), rows.reset_index(drop=True)),
           "the values differ from the rows that were sent: check the column order and the "
           "parsing.")
    again = call_learner(input_fn, body, "text/csv; charset=utf-8",
                         call='input_fn(csv_text, "text/csv; charset=utf-8")')
    expect(isinstance(again, pd.DataFrame) and len(again) == len(rows),
           "a `str` body with `text/csv; charset=utf-8` (a content type with a suffix) should "
           "be read like plain `text/csv`.")
    typo = _with_bad_number(rows)
    error = _raises(input_fn, typo, "text/csv")
    expect(error is not None,
           "a line with a word where a number belongs came back as a DataFrame: a float "
           "parsing problem must raise (the caller then gets a 500), not reach the model as text.")
    error = _raises(input_fn, rows.to_json(orient="records"), "text/plain")
    expect(error is not None,
           "a `text/plain` body was accepted: raise `UnsupportedContentType` for any content "
           "type other than text/csv.")
    expect(isinstance(error, unsupported_error),
           f"for `text/plain` you raised {type_name(error)}; raise `UnsupportedContentType`, so "
           "the endpoint's log names the problem (an unreadable content type), not a vague error.")
    return "CSV read without a header, named, typed, NaN kept; bad numbers and types refused."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Decode bytes first; compare only the part of the content type before `;`.",
        "`pd.read_csv(io.StringIO(text), header=None, names=FEATURES)` reads rows without a "
        "header and names the columns.",
        "Then `frame[numeric] = frame[numeric].apply(pd.to_numeric)`: a word in a numeric "
        "column raises there. For another content type, `raise UnsupportedContentType(...)`.",
    ],
)


# -- q2: a Vertex AI request body ---------------------------------------------------------
def _check_q2(vertex_request, rows) -> str:
    expect_function(vertex_request, "vertex_request")
    features = list(rows.columns)
    body = call_learner(vertex_request, rows.copy(), call="vertex_request(rows)")
    expect(isinstance(body, dict),
           f"`vertex_request` should return a dict (the JSON object), not a {type_name(body)}.")
    expect("instances" in body,
           f"the body has the keys {sorted(map(str, body))[:4]}; Vertex reads the rows from "
           "the key `\"instances\"`.")
    instances = body["instances"]
    if isinstance(instances, dict):
        fail("`instances` is a dict of columns (`to_dict()` without `orient=\"records\"`); "
             "Vertex wants a list, one instance per row.")
    expect(isinstance(instances, list),
           f"`instances` should be a list, one item per row, not a {type_name(instances)}.")
    expect(len(instances) == len(rows),
           f"{len(rows)} rows should give {len(rows)} instances, not {len(instances)}.")
    if instances and isinstance(instances[0], list | tuple):
        fail("each instance is a list of values without names; this container expects one "
             "object per row, feature name -> value.")
    expect(all(isinstance(item, dict) for item in instances),
           "each instance should be a dict, feature name -> value.")
    expect(all(list(item) == features for item in instances),
           f"each instance should have exactly the keys {features}, in the frame's column "
           "order.")
    try:
        json.dumps(body, allow_nan=False)
    except ValueError:
        fail("the body holds NaN, which is not valid JSON: turn missing values into None "
             "(JSON null).")
    except TypeError as error:
        fail(f"the body cannot be written as JSON ({error}): use plain Python values.")
    for index, missing in enumerate(rows.isna().to_numpy()):
        for column, is_missing in zip(features, missing, strict=True):
            if is_missing and instances[index][column] is not None:
                fail(f"a missing `{column}` was sent as {instances[index][column]!r}: the "
                     "server cannot tell it from a real value. Send None (JSON null).")
    expect(_same_rows(pd.DataFrame.from_records(instances, columns=features),
                      rows.reset_index(drop=True)),
           "the instances do not hold the rows' values in the rows' order.")
    return "one named instance per row, null for missing values, valid JSON."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "The body is `{\"instances\": [...]}` with one dict per row.",
        "`frame.to_dict(orient=\"records\")` gives one dict per row; missing values stay NaN "
        "there.",
        "Replace NaN by None first: `frame.astype(object).where(frame.notna(), None)`.",
    ],
)


# -- q3: Azure ML run() ------------------------------------------------------------------
def _check_q3(run, model, rows) -> str:
    expect_function(run, "run")
    features = list(rows.columns)
    records = json.loads(rows.to_json(orient="records"))
    raw = json.dumps({"data": records})
    answer = call_learner(run, raw, call="run(raw_data)")
    if isinstance(answer, str):
        fail("`run` returned a string; return a dict, which the server sends as JSON (an "
             "error message returned as text would reach the caller as a 200).")
    expect(isinstance(answer, dict),
           f"`run` should return a dict `{{\"probabilities\": [...]}}`, not a "
           f"{type_name(answer)}.")
    expect("probabilities" in answer,
           f"the answer has the keys {sorted(map(str, answer))[:4]}; return them under "
           "`\"probabilities\"`.")
    try:
        json.dumps(answer)
    except TypeError:
        fail("the answer cannot be written as JSON (a NumPy array?): convert with `.tolist()`.")
    values = answer["probabilities"]
    expect(isinstance(values, list) and len(values) == len(rows),
           f"`probabilities` should be a list with one number per record ({len(rows)}).")
    expect(all(isinstance(v, int | float) and not isinstance(v, bool) for v in values),
           "each probability should be one plain number.")
    reference = model.predict_proba(rows[features])
    got = np.asarray(values, dtype=float)
    if np.allclose(got, model.predict(rows[features])):
        fail("those are class labels (`predict`), not probabilities: use `predict_proba`.")
    if np.allclose(got, reference[:, 0]):
        fail("those are the probabilities of class 0 (staying); take column 1, churn.")
    expect(np.allclose(got, reference[:, 1]) and not any(math.isnan(v) for v in got),
           "the probabilities differ from the model's for the same records: build the frame "
           "from the records and keep the feature columns.")
    for broken, what in (("data=north", "a body that is not JSON"),
                         (json.dumps({"rows": records}), "a body without `data`")):
        error = _raises(run, broken)
        expect(error is not None,
               f"{what} got an answer instead of an error: let `run` raise, so the server "
               "answers 500 rather than a 200 the caller would take for a prediction.")
    return "probabilities of churn, as JSON, and malformed requests raise (500)."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`json.loads(raw_data)[\"data\"]` is a list of records.",
        "`pd.DataFrame.from_records(...)`, then `model.predict_proba(frame[FEATURES])[:, 1]`.",
        "Return `{\"probabilities\": probabilities.tolist()}`; no try/except around it.",
    ],
)
