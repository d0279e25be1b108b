"""The checks of 09_cloud_ml/02_serving_contracts: right, wrong and not attempted.

A small churn pipeline fitted on the course's table stands in for the notebook's model; the
rows are the same kind the notebook sends (one with a missing monthly charge).
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m09_02_serving_contracts import q1, q2, q3
from utils.datasets import load_dataset

FEATURES = ["region", "contract", "tenure_months", "monthly_charges", "support_calls"]
NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]


class UnsupportedContentType(ValueError):
    pass


@pytest.fixture(scope="module")
def churn():
    table = load_dataset("churn").drop_duplicates()
    table["region"] = table["region"].str.lower()
    return table


@pytest.fixture(scope="module")
def model(churn):
    prepare = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["region", "contract"]),
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC))
    return make_pipeline(prepare, LogisticRegression(max_iter=500)).fit(
        churn[FEATURES], churn["churned"])


@pytest.fixture(scope="module")
def rows(churn):
    frame = churn[FEATURES]
    return pd.concat([frame[frame["monthly_charges"].isna()].head(1), frame.dropna().head(5)])


# -- q1 ----------------------------------------------------------------------------------
def _text(body):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def input_fn(request_body, content_type):
    if content_type.split(";")[0].strip() != "text/csv":
        raise UnsupportedContentType(content_type)
    frame = pd.read_csv(io.StringIO(_text(request_body)), header=None, names=FEATURES)
    frame[NUMERIC] = frame[NUMERIC].apply(pd.to_numeric)
    return frame


def test_q1_right(rows):
    assert_passes(q1, input_fn, rows, UnsupportedContentType)


def test_q1_pending(rows):
    assert_pending(q1, ..., rows, UnsupportedContentType)


def test_q1_header_row_mistake(rows):
    def with_header(body, content_type):
        if content_type.split(";")[0] != "text/csv":
            raise UnsupportedContentType(content_type)
        frame = pd.read_csv(io.StringIO(_text(body)), names=FEATURES, header=0)
        return frame
    assert_rejects(q1, with_header, rows, UnsupportedContentType, mentions="header")


def test_q1_default_read_csv_names_columns_from_the_first_row(rows):
    def default(body, content_type):
        return pd.read_csv(io.StringIO(_text(body)))
    assert_rejects(q1, default, rows, UnsupportedContentType, mentions="header")


def test_q1_numbers_left_as_text(rows):
    def split_lines(body, content_type):
        if content_type.split(";")[0] != "text/csv":
            raise UnsupportedContentType(content_type)
        lines = [line.split(",") for line in _text(body).splitlines()]
        return pd.DataFrame(lines, columns=FEATURES)
    assert_rejects(q1, split_lines, rows, UnsupportedContentType, mentions="not numbers")


def test_q1_bad_numbers_coerced_to_nan(rows):
    def coerce(body, content_type):
        if content_type.split(";")[0] != "text/csv":
            raise UnsupportedContentType(content_type)
        frame = pd.read_csv(io.StringIO(_text(body)), header=None, names=FEATURES)
        frame[NUMERIC] = frame[NUMERIC].apply(pd.to_numeric, errors="coerce")
        return frame
    # a word where a number belongs silently becomes NaN: the check sends one and wants an error
    assert_rejects(q1, coerce, rows, UnsupportedContentType, mentions="must raise")


def test_q1_missing_value_filled(rows):
    def zero_fill(body, content_type):
        return input_fn(body, content_type).fillna({"monthly_charges": 0.0})
    assert_rejects(q1, zero_fill, rows, UnsupportedContentType, mentions="NaN")


def test_q1_any_content_type_accepted(rows):
    def no_type_check(body, content_type):
        return input_fn(body, "text/csv")
    assert_rejects(q1, no_type_check, rows, UnsupportedContentType, mentions="text/plain")


def test_q1_plain_value_error_for_the_content_type(rows):
    def value_error(body, content_type):
        if content_type.split(";")[0] != "text/csv":
            raise ValueError("unsupported")
        return input_fn(body, content_type)
    assert_rejects(q1, value_error, rows, UnsupportedContentType, mentions="names the problem")


def test_q1_exact_content_type_only(rows):
    def exact(body, content_type):
        if content_type != "text/csv":
            raise UnsupportedContentType(content_type)
        return input_fn(body, content_type)
    assert_rejects(q1, exact, rows, UnsupportedContentType, mentions="charset")


def test_q1_bytes_not_decoded(rows):
    def no_decode(body, content_type):
        return pd.read_csv(io.StringIO(body), header=None, names=FEATURES)  # bytes: TypeError
    assert_rejects(q1, no_decode, rows, UnsupportedContentType, mentions="input_fn(csv_bytes")


# -- q2 ----------------------------------------------------------------------------------
def vertex_request(frame):
    return {"instances": frame.astype(object).where(frame.notna(), None).to_dict("records")}


def test_q2_right(rows):
    assert_passes(q2, vertex_request, rows)


def test_q2_right_through_json(rows):
    assert_passes(q2, lambda frame: {"instances": json.loads(frame.to_json(orient="records"))},
                  rows)


def test_q2_pending(rows):
    assert_pending(q2, ..., rows)


def test_q2_nan_left_in(rows):
    assert_rejects(q2, lambda f: {"instances": f.to_dict(orient="records")}, rows,
                   mentions="NaN")


def test_q2_missing_value_filled(rows):
    assert_rejects(q2, lambda f: {"instances": f.fillna(0).to_dict("records")}, rows,
                   mentions="None")


def test_q2_column_dict(rows):
    assert_rejects(q2, lambda f: {"instances": f.to_dict()}, rows, mentions="orient")


def test_q2_value_lists(rows):
    assert_rejects(q2, lambda f: {"instances": f.astype(object).where(f.notna(), None)
                                  .values.tolist()}, rows, mentions="without names")


def test_q2_no_wrapper(rows):
    assert_rejects(q2, lambda f: vertex_request(f)["instances"], rows, mentions="dict")


def test_q2_wrong_key(rows):
    assert_rejects(q2, lambda f: {"data": vertex_request(f)["instances"]}, rows,
                   mentions="instances")


def test_q2_json_string(rows):
    assert_rejects(q2, lambda f: json.dumps(vertex_request(f)), rows, mentions="not a str")


def test_q2_rows_dropped(rows):
    assert_rejects(q2, lambda f: vertex_request(f.dropna()), rows, mentions="instances")


# -- q3 ----------------------------------------------------------------------------------
def make_run(model):
    def run(raw_data):
        frame = pd.DataFrame.from_records(json.loads(raw_data)["data"])
        return {"probabilities": model.predict_proba(frame[FEATURES])[:, 1].tolist()}
    return run


def test_q3_right(model, rows):
    assert_passes(q3, make_run(model), model, rows)


def test_q3_pending(model, rows):
    assert_pending(q3, ..., model, rows)


def test_q3_labels(model, rows):
    def run(raw):
        frame = pd.DataFrame.from_records(json.loads(raw)["data"])
        return {"probabilities": model.predict(frame[FEATURES]).tolist()}
    assert_rejects(q3, run, model, rows, mentions="labels")


def test_q3_class_zero(model, rows):
    def run(raw):
        frame = pd.DataFrame.from_records(json.loads(raw)["data"])
        return {"probabilities": model.predict_proba(frame[FEATURES])[:, 0].tolist()}
    assert_rejects(q3, run, model, rows, mentions="class 0")


def test_q3_numpy_array(model, rows):
    def run(raw):
        frame = pd.DataFrame.from_records(json.loads(raw)["data"])
        return {"probabilities": model.predict_proba(frame[FEATURES])[:, 1]}
    assert_rejects(q3, run, model, rows, mentions="tolist")


def test_q3_errors_swallowed(model, rows):
    good = make_run(model)

    def run(raw):
        try:
            return good(raw)
        except Exception as error:
            return {"error": str(error)}
    assert_rejects(q3, run, model, rows, mentions="500")


def test_q3_json_string_returned(model, rows):
    assert_rejects(q3, lambda raw: json.dumps(make_run(model)(raw)), model, rows,
                   mentions="string")


def test_q3_bare_list(model, rows):
    assert_rejects(q3, lambda raw: make_run(model)(raw)["probabilities"], model, rows,
                   mentions="dict")
