"""The checks of 03_feature_engineering/01_scaling_encoding: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m03_01_scaling_encoding import CONTRACT_ORDER, q1, q2, q3

SEED = 42
NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]


@pytest.fixture(scope="module")
def cancer():
    frame = load_dataset("breast_cancer")
    X, y = frame.drop(columns="target"), frame["target"]
    X_train, X_test, _, _ = train_test_split(X, y, test_size=0.25, stratify=y,
                                             random_state=SEED)
    return X_train, X_test


@pytest.fixture(scope="module")
def churn():
    frame = load_dataset("churn").drop_duplicates()
    frame["region"] = frame["region"].str.lower()
    X, y = frame[["region", "contract", *NUMERIC]], frame["churned"]
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)


# -- q1 --------------------------------------------------------------------------------------
def test_q1_passes_on_a_scaler_fitted_on_the_training_rows(cancer):
    X_train, X_test = cancer
    robust = RobustScaler().fit(X_train)
    assert_passes(q1, robust, robust.transform(X_train), robust.transform(X_test),
                  X_train, X_test)
    robust.set_output(transform="pandas")  # DataFrames are what transform returns then
    assert_passes(q1, robust, robust.transform(X_train), robust.transform(X_test),
                  X_train, X_test)


def test_q1_pending(cancer):
    assert_pending(q1)
    assert_pending(q1, ..., ..., ..., *cancer)


def test_q1_rejects_another_scaler(cancer):
    X_train, X_test = cancer
    scaler = StandardScaler().fit(X_train)
    assert_rejects(q1, scaler, scaler.transform(X_train), scaler.transform(X_test),
                   X_train, X_test, mentions="RobustScaler")


def test_q1_rejects_the_class_itself(cancer):
    assert_rejects(q1, RobustScaler, None, None, *cancer, mentions="class")


def test_q1_rejects_an_unfitted_scaler(cancer):
    assert_rejects(q1, RobustScaler(), None, None, *cancer, mentions="not fitted")


def test_q1_rejects_a_scaler_fitted_on_all_rows(cancer):
    X_train, X_test = cancer
    leaky = RobustScaler().fit(pd.concat([X_train, X_test]))
    assert_rejects(q1, leaky, leaky.transform(X_train), leaky.transform(X_test),
                   X_train, X_test, mentions="every row")


def test_q1_rejects_a_scaler_fitted_on_the_test_rows(cancer):
    X_train, X_test = cancer
    wrong = RobustScaler().fit(X_test)
    assert_rejects(q1, wrong, wrong.transform(X_train), wrong.transform(X_test),
                   X_train, X_test, mentions="test rows")


def test_q1_rejects_fit_transform_on_the_test_set(cancer):
    X_train, X_test = cancer
    robust = RobustScaler().fit(X_train)
    assert_rejects(q1, robust, robust.transform(X_train), RobustScaler().fit_transform(X_test),
                   X_train, X_test, mentions="own medians")


def test_q1_rejects_raw_or_swapped_outputs(cancer):
    X_train, X_test = cancer
    robust = RobustScaler().fit(X_train)
    assert_rejects(q1, robust, X_train.to_numpy(), robust.transform(X_test), X_train, X_test,
                   mentions="raw training features")
    assert_rejects(q1, robust, robust.transform(X_test), robust.transform(X_train),
                   X_train, X_test, mentions="swapped")
    assert_rejects(q1, robust, robust.transform(X_train), X_test.to_numpy(), X_train, X_test,
                   mentions="raw test features")


def test_q1_rejects_a_scaler_fitted_on_some_columns(cancer):
    X_train, X_test = cancer
    robust = RobustScaler().fit(X_train.iloc[:, :5])
    assert_rejects(q1, robust, None, None, X_train, X_test, mentions="all the training features")


def test_q1_rejects_a_single_column_series(cancer):
    X_train, X_test = cancer
    robust = RobustScaler().fit(X_train)
    assert_rejects(q1, robust, X_train.iloc[:, 0], robust.transform(X_test), X_train, X_test,
                   mentions="Series")


# -- q2 --------------------------------------------------------------------------------------
def _encoder(order=CONTRACT_ORDER):
    return OrdinalEncoder(categories=[list(order)])


def test_q2_passes_on_the_explicit_order(churn):
    X_tr, X_te, _, _ = churn
    encoder = _encoder().fit(X_tr[["contract"]])
    codes = encoder.transform(X_te[["contract"]])
    assert_passes(q2, encoder, codes, X_tr, X_te)
    assert_passes(q2, encoder, codes.ravel(), X_tr, X_te)


def test_q2_pending(churn):
    X_tr, X_te, _, _ = churn
    assert_pending(q2)
    assert_pending(q2, ..., ..., X_tr, X_te)


def test_q2_rejects_the_default_alphabetical_order(churn):
    X_tr, X_te, _, _ = churn
    encoder = OrdinalEncoder().fit(X_tr[["contract"]])
    assert_rejects(q2, encoder, encoder.transform(X_te[["contract"]]), X_tr, X_te,
                   mentions="explicitly")


def test_q2_rejects_a_reversed_or_shuffled_order(churn):
    X_tr, X_te, _, _ = churn
    for order, mentions in ((CONTRACT_ORDER[::-1], "reverse"),
                            (["one-year", "month-to-month", "two-year"], "not the order")):
        encoder = _encoder(order).fit(X_tr[["contract"]])
        assert_rejects(q2, encoder, encoder.transform(X_te[["contract"]]), X_tr, X_te,
                       mentions=mentions)


def test_q2_rejects_one_hot_encoding(churn):
    X_tr, X_te, _, _ = churn
    encoder = OneHotEncoder().fit(X_tr[["contract"]])
    assert_rejects(q2, encoder, encoder.transform(X_te[["contract"]]), X_tr, X_te,
                   mentions="order")


def test_q2_rejects_an_unfitted_encoder_and_the_wrong_columns(churn):
    X_tr, X_te, _, _ = churn
    assert_rejects(q2, _encoder(), None, X_tr, X_te, mentions="not fitted")
    both = OrdinalEncoder(categories=[CONTRACT_ORDER, sorted(X_tr["region"].unique())])
    both.fit(X_tr[["contract", "region"]])
    assert_rejects(q2, both, None, X_tr, X_te, mentions="contract column only")


def test_q2_rejects_codes_of_the_training_rows(churn):
    X_tr, X_te, _, _ = churn
    encoder = _encoder().fit(X_tr[["contract"]])
    assert_rejects(q2, encoder, encoder.transform(X_tr[["contract"]]), X_tr, X_te,
                   mentions="TRAINING")


def test_q2_rejects_codes_that_do_not_match(churn):
    X_tr, X_te, _, _ = churn
    encoder = _encoder().fit(X_tr[["contract"]])
    codes = encoder.transform(X_te[["contract"]])
    assert_rejects(q2, encoder, codes[::-1], X_tr, X_te, mentions="not the codes")


# -- q3 --------------------------------------------------------------------------------------
def _pipe(numeric=None, region=None, contract=None, model=None, columns=None):
    numeric = numeric or make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                       StandardScaler())
    region = region or OneHotEncoder(handle_unknown="ignore")
    contract = contract or _encoder()
    columns = columns or {"numeric": NUMERIC, "region": ["region"], "contract": ["contract"]}
    return make_pipeline(ColumnTransformer([
        ("numeric", numeric, columns["numeric"]),
        ("region", region, columns["region"]),
        ("contract", contract, columns["contract"]),
    ]), model or LogisticRegression())


def test_q3_passes_on_the_reference_pipeline(churn):
    X_tr, X_te, y_tr, y_te = churn
    assert_passes(q3, _pipe().fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te)
    tolerant = _pipe(region=OneHotEncoder(handle_unknown="infrequent_if_exist",
                                          sparse_output=False))
    assert_passes(q3, tolerant.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te)


def test_q3_pending(churn):
    assert_pending(q3)
    assert_pending(q3, ..., *churn)


def test_q3_rejects_a_bare_column_transformer_or_model(churn):
    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe().fit(X_tr, y_tr)
    assert_rejects(q3, pipe[0], X_tr, y_tr, X_te, y_te, mentions="Pipeline")
    assert_rejects(q3, LogisticRegression(), X_tr, y_tr, X_te, y_te, mentions="Pipeline")


def test_q3_rejects_an_unfitted_pipeline(churn):
    X_tr, X_te, y_tr, y_te = churn
    assert_rejects(q3, _pipe(), X_tr, y_tr, X_te, y_te, mentions="not fitted")


def test_q3_rejects_handle_unknown_error(churn):
    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe(region=OneHotEncoder()).fit(X_tr, y_tr)
    assert_rejects(q3, pipe, X_tr, y_tr, X_te, y_te, mentions="handle_unknown")


def test_q3_rejects_ordinal_codes_for_region(churn):
    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe(region=OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
    assert_rejects(q3, pipe.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te, mentions="no order")


def test_q3_rejects_one_hot_or_alphabetical_contract(churn):
    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe(contract=OneHotEncoder(handle_unknown="ignore")).fit(X_tr, y_tr)
    assert_rejects(q3, pipe, X_tr, y_tr, X_te, y_te, mentions="ordinal codes")
    pipe = _pipe(contract=OrdinalEncoder()).fit(X_tr, y_tr)
    assert_rejects(q3, pipe, X_tr, y_tr, X_te, y_te, mentions="alphabetical")


def test_q3_rejects_an_imputer_without_indicator_or_scaler(churn):
    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe(numeric=make_pipeline(SimpleImputer(strategy="median"), StandardScaler()))
    assert_rejects(q3, pipe.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te, mentions="indicator")
    pipe = _pipe(numeric=make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                       MinMaxScaler()))
    assert_rejects(q3, pipe.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te, mentions="standardised")
    pipe = _pipe(numeric=make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()))
    assert_rejects(q3, pipe.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te, mentions="median")


def test_q3_rejects_wrongly_routed_columns(churn):
    X_tr, X_te, y_tr, y_te = churn
    dropped = _pipe(columns={"numeric": NUMERIC[:2], "region": ["region"],
                             "contract": ["contract"]})
    assert_rejects(q3, dropped.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te,
                   mentions="support_calls")
    one_hot_number = _pipe(columns={"numeric": NUMERIC[:2],
                                    "region": ["region", "support_calls"],
                                    "contract": ["contract"]})
    assert_rejects(q3, one_hot_number.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te,
                   mentions="numeric column")
    twice = _pipe(columns={"numeric": NUMERIC, "region": ["region"],
                           "contract": ["contract", "region"]})
    twice.steps[0][1].transformers[2] = ("contract", OrdinalEncoder(
        categories=[CONTRACT_ORDER, sorted(X_tr["region"].unique())]), ["contract", "region"])
    assert_rejects(q3, twice.fit(X_tr, y_tr), X_tr, y_tr, X_te, y_te, mentions="2 branches")


def test_q3_rejects_a_pipeline_fitted_on_all_rows(churn):
    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe().fit(pd.concat([X_tr, X_te]), pd.concat([y_tr, y_te]))
    assert_rejects(q3, pipe, X_tr, y_tr, X_te, y_te, mentions="every row")


def test_q3_rejects_shuffled_labels(churn):
    X_tr, X_te, y_tr, y_te = churn
    shuffled = pd.Series(np.random.default_rng(SEED).permutation(y_tr.to_numpy()),
                         index=y_tr.index)
    pipe = _pipe().fit(X_tr, shuffled)
    assert_rejects(q3, pipe, X_tr, y_tr, X_te, y_te, mentions="ROC AUC",
                   must_not_mention=("0.81", "0.82"))


def test_q3_rejects_another_model(churn):
    from sklearn.neighbors import KNeighborsClassifier

    X_tr, X_te, y_tr, y_te = churn
    pipe = _pipe(model=KNeighborsClassifier()).fit(X_tr, y_tr)
    assert_rejects(q3, pipe, X_tr, y_tr, X_te, y_te, mentions="LogisticRegression")
