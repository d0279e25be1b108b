"""Checks for 03_feature_engineering/01_scaling_encoding: scalers, encoders, ColumnTransformer.

Every check receives the split the notebook made (``X_train``/``X_test`` of the breast-cancer
data, ``X_tr``/``X_te`` of the churn table) and computes its references from it, so the checks
stay right whatever ``SEED`` or ``TEST_SIZE`` the notebook ran with. The learner's estimators
are only read (attributes, ``transform``, ``predict_proba``); references are fitted afresh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import expect_fitted_on_training_rows, expect_type, is_fitted, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "03_feature_engineering/01_scaling_encoding"

CONTRACT_ORDER = ["month-to-month", "one-year", "two-year"]  # shortest commitment first
TOLERANCE = 1e-9
AUC_SLACK = 0.02  # a right pipeline may differ in details (solver, sparse output) by less


def _as_matrix(value: object, name: str) -> np.ndarray:
    """What ``transform`` returns (an array or, with pandas output, a DataFrame) as floats."""
    if isinstance(value, pd.Series):
        fail(f"`{name}` is a Series (one column): keep the 2-D table that `transform` returns.")
    expect(isinstance(value, np.ndarray | pd.DataFrame) or hasattr(value, "toarray"),
           f"`{name}` should be what `transform` returns (an array), not a "
           f"{type_name(value)}.")
    if hasattr(value, "toarray"):
        value = value.toarray()
    return np.asarray(value, dtype=float)


# -- q1: a RobustScaler fitted on the training rows ----------------------------------------
def _check_q1(robust, X_train_robust, X_test_robust, X_train, X_test) -> str:
    from sklearn.preprocessing import RobustScaler

    expect_type(robust, RobustScaler, "robust")
    expect(is_fitted(robust), "`robust` is not fitted yet: call `robust.fit(X_train)`.")
    train, test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    expect(robust.n_features_in_ == train.shape[1],
           f"`robust` was fitted on {robust.n_features_in_} column(s), but X_train has "
           f"{train.shape[1]}: fit it on all the training features.")
    center = np.asarray(robust.center_, dtype=float)
    if not np.allclose(center, np.median(train, axis=0)):
        if np.allclose(center, np.median(np.vstack([train, test]), axis=0)):
            fail("`robust` was fitted on every row, test rows included: its medians know the "
                 "test set (leakage). Fit it on X_train only.")
        if np.allclose(center, np.median(test, axis=0)):
            fail("`robust` was fitted on the test rows (a `fit` or `fit_transform` on X_test "
                 "refits it). Fit it on X_train; the test rows are only transformed.")
        fail("`robust`'s medians are not those of X_train: fit it on X_train, unchanged.")
    with quiet():
        train_ref, test_ref = robust.transform(X_train), robust.transform(X_test)

    scaled_train = _as_matrix(X_train_robust, "X_train_robust")
    if scaled_train.shape == test.shape and train.shape != test.shape:
        fail("`X_train_robust` has one row per TEST row: the two results look swapped.")
    expect(scaled_train.shape == train.shape,
           f"`X_train_robust` has shape {scaled_train.shape}, but X_train has shape "
           f"{train.shape}: transform all of X_train.")
    if np.allclose(scaled_train, train):
        fail("`X_train_robust` holds the raw training features: assign what "
             "`robust.transform(X_train)` returns.")
    expect(np.allclose(scaled_train, train_ref, atol=TOLERANCE),
           "`X_train_robust` is not X_train transformed by `robust`.")

    scaled_test = _as_matrix(X_test_robust, "X_test_robust")
    expect(scaled_test.shape == test.shape,
           f"`X_test_robust` has shape {scaled_test.shape}, but X_test has shape "
           f"{test.shape}: transform all of X_test.")
    if np.allclose(scaled_test, test):
        fail("`X_test_robust` holds the raw test features: transform them with `robust`.")
    with quiet():
        own_stats = RobustScaler().fit_transform(X_test)
    if np.allclose(scaled_test, own_stats) and not np.allclose(own_stats, test_ref):
        fail("`X_test_robust` was scaled with the test rows' own medians and IQRs (a "
             "`fit_transform` on the test set). Use `transform` with the scaler fitted on "
             "the training rows, so both sets are on the same scale.")
    expect(np.allclose(scaled_test, test_ref, atol=TOLERANCE),
           "`X_test_robust` is not X_test transformed by `robust`.")
    spread = np.subtract(*np.percentile(scaled_train, [75, 25], axis=0))
    return f"the training columns now have an IQR of {np.median(spread):.2f} (median)."


q1 = Exercise(name="q1", notebook=NOTEBOOK, check_fn=_check_q1, hints=[
    "Three lines: create and fit the scaler on the training features, then `transform` each "
    "set with it.",
    "`robust = RobustScaler().fit(X_train)` learns each column's median and IQR from the "
    "training rows only.",
    "`X_test_robust = robust.transform(X_test)`: never `fit_transform` the test set, it would "
    "be scaled with its own statistics.",
])


# -- q2: an ordinal encoder with the order of commitment -----------------------------------
def _order_feedback(order: list[str], name: str) -> None:
    if order == CONTRACT_ORDER:
        return
    if sorted(order) != sorted(CONTRACT_ORDER):
        fail(f"`{name}` knows the categories {order}: give it exactly the three contract "
             "values that appear in the data.")
    if order == CONTRACT_ORDER[::-1]:
        fail(f"`{name}` codes the contracts in reverse: the codes should grow with the length "
             "of the commitment, shortest first.")
    fail(f"the order you gave `{name}` is not the order of commitment length, so its codes "
         "would invent an order that does not exist.")


def _check_q2(contract_encoder, contract_codes, X_tr, X_te) -> str:
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    if isinstance(contract_encoder, OneHotEncoder):
        fail("`contract_encoder` is a OneHotEncoder: that drops the order of the contracts. "
             "Ordered categories get one ordinal code each.")
    expect_type(contract_encoder, OrdinalEncoder, "contract_encoder")
    if isinstance(contract_encoder.get_params()["categories"], str):
        fail("`contract_encoder` relies on the default (alphabetical) order of the categories; "
             "it happens to fit here, but pass the order explicitly with `categories=`.")
    expect(is_fitted(contract_encoder),
           "`contract_encoder` is not fitted yet: fit it on `X_tr[[\"contract\"]]`.")
    names = list(getattr(contract_encoder, "feature_names_in_", []))
    expect(contract_encoder.n_features_in_ == 1 and names in ([], ["contract"]),
           f"`contract_encoder` was fitted on {contract_encoder.n_features_in_} column(s) "
           f"{names}: fit it on the contract column only, as a one-column DataFrame.")
    _order_feedback([str(c) for c in contract_encoder.categories_[0]], "contract_encoder")

    codes = _as_matrix(contract_codes, "contract_codes")
    n_train, n_test = len(X_tr), len(X_te)
    if codes.shape[0] == n_train and n_train != n_test:
        fail("`contract_codes` has one code per TRAINING row: encode the test rows, X_te.")
    expect(codes.shape in ((n_test, 1), (n_test,)),
           f"`contract_codes` has shape {codes.shape}; it should hold one code per test row, "
           f"({n_test}, 1), as `transform` returns it.")
    reference = X_te["contract"].map({c: float(i) for i, c in enumerate(CONTRACT_ORDER)})
    expect(np.array_equal(codes.ravel(), reference.to_numpy(dtype=float)),
           "`contract_codes` are not the codes of X_te's contracts: "
           "`contract_encoder.transform(X_te[[\"contract\"]])`.")
    return "month-to-month → 0, one-year → 1, two-year → 2."


q2 = Exercise(name="q2", notebook=NOTEBOOK, check_fn=_check_q2, hints=[
    "`OrdinalEncoder(categories=[[...]])` takes one list of categories per column, in the "
    "order you want them coded.",
    "The list for `contract` starts with the shortest commitment: "
    "`[[\"month-to-month\", \"one-year\", \"two-year\"]]`.",
    "Fit on `X_tr[[\"contract\"]]` (double brackets: a one-column DataFrame), then "
    "`contract_codes = contract_encoder.transform(X_te[[\"contract\"]])`.",
])


# -- q3: ColumnTransformer + Pipeline on the churn table ------------------------------------
def _parts(transformer) -> list:
    """The estimators a ColumnTransformer branch applies, in order (a Pipeline unrolled)."""
    from sklearn.pipeline import Pipeline

    if isinstance(transformer, Pipeline):
        return [step for _, step in transformer.steps if step not in (None, "passthrough")]
    return [transformer]


def _routes(preprocess, X) -> dict[str, list[tuple[str, list]]]:
    """Input column -> [(branch name, the branch's estimators)] for every fitted branch."""
    from sklearn.compose import ColumnTransformer

    expect_type(preprocess, ColumnTransformer, "the pipeline's first step")
    routes: dict[str, list[tuple[str, list]]] = {c: [] for c in X.columns}
    for name, transformer, columns in preprocess.transformers_:
        if name == "remainder" and transformer == "drop":
            continue
        if callable(columns):
            columns = columns(X)
        if isinstance(columns, str | int):
            columns = [columns]
        columns = list(columns)
        if columns and isinstance(columns[0], bool | np.bool_):
            columns = [c for c, keep in zip(X.columns, columns, strict=True) if keep]
        columns = [X.columns[c] if isinstance(c, int | np.integer) else c for c in columns]
        if transformer == "drop":
            continue
        parts = [] if transformer == "passthrough" else _parts(transformer)
        for column in columns:
            routes.setdefault(column, []).append((name, parts))
    return routes


def _check_branch(column: str, parts: list, numeric: bool) -> None:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    kinds = [type_name(p) for p in parts] or ["passthrough"]
    if numeric:
        expect(not any(isinstance(p, OneHotEncoder | OrdinalEncoder) for p in parts),
               f"the numeric column `{column}` goes through an encoder ({', '.join(kinds)}): "
               "route it with the numeric columns.")
        imputers = [p for p in parts if isinstance(p, SimpleImputer)]
        scalers = [i for i, p in enumerate(parts) if isinstance(p, StandardScaler)]
        expect(imputers, f"`{column}` is not imputed ({', '.join(kinds)}): add a "
                         "SimpleImputer, or the missing values reach the model.")
        expect(imputers[0].get_params()["strategy"] == "median",
               f"`{column}` is imputed with the {imputers[0].get_params()['strategy']}; the task "
               "asks for the median.")
        expect(imputers[0].get_params()["add_indicator"],
               "the numeric imputer drops the fact that a value was missing: ask it for a "
               "missing-value indicator.")
        expect(scalers and scalers[0] > parts.index(imputers[0]),
               f"`{column}` should be imputed, then standardised (a StandardScaler after the "
               f"imputer); its branch is {', '.join(kinds)}.")
    elif column == "region":
        if any(isinstance(p, OrdinalEncoder) for p in parts):
            fail("`region` goes through an OrdinalEncoder: regions have no order, and ordinal "
                 "codes would invent one. One-hot encode it.")
        encoders = [p for p in parts if isinstance(p, OneHotEncoder)]
        expect(encoders, f"`region` should be one-hot encoded; its branch is {', '.join(kinds)}.")
        expect(encoders[0].get_params()["handle_unknown"] != "error",
               "the region encoder keeps `handle_unknown=\"error\"`: a region never seen in "
               "training would make every prediction request fail.")
    else:
        if any(isinstance(p, OneHotEncoder) for p in parts):
            fail("`contract` is one-hot encoded; the task asks for ordinal codes in the order of "
                 "commitment length.")
        encoders = [p for p in parts if isinstance(p, OrdinalEncoder)]
        expect(encoders, f"`contract` should get ordinal codes; its branch is {', '.join(kinds)}.")
        if isinstance(encoders[0].get_params()["categories"], str):
            fail("the contract encoder relies on the default (alphabetical) order: pass the "
                 "order explicitly with `categories=`.")
        _order_feedback([str(c) for c in encoders[0].categories_[0]], "the contract encoder")




def _reference_auc(X_tr, y_tr, X_te, y_te) -> float:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    numeric = [c for c in X_tr.columns if c not in ("region", "contract")]
    reference = make_pipeline(ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                  StandardScaler()), numeric),
        ("region", OneHotEncoder(handle_unknown="ignore"), ["region"]),
        ("contract", OrdinalEncoder(categories=[CONTRACT_ORDER]), ["contract"]),
    ]), LogisticRegression()).fit(X_tr, y_tr)
    return float(roc_auc_score(y_te, reference.predict_proba(X_te)[:, 1]))


def _check_q3(churn_pipe, X_tr, y_tr, X_te, y_te) -> str:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(churn_pipe, ColumnTransformer):
        fail("`churn_pipe` is the ColumnTransformer alone: put it in a Pipeline, followed by "
             "the LogisticRegression.")
    expect_type(churn_pipe, Pipeline, "churn_pipe")
    steps = [step for _, step in churn_pipe.steps]
    expect(len(steps) >= 2 and isinstance(steps[-1], LogisticRegression),
           f"the pipeline should end with a LogisticRegression; its last step is a "
           f"{type_name(steps[-1])}.")
    expect(isinstance(steps[0], ColumnTransformer),
           f"the pipeline should start with a ColumnTransformer that routes the columns; its "
           f"first step is a {type_name(steps[0])}.")
    expect(is_fitted(churn_pipe), "`churn_pipe` is not fitted yet: call "
                                  "`churn_pipe.fit(X_tr, y_tr)`.")
    numeric = [c for c in X_tr.columns if pd.api.types.is_numeric_dtype(X_tr[c])]
    for column, where in _routes(steps[0], X_tr).items():
        if not where:
            fail(f"the column `{column}` is routed to no transformer, so the ColumnTransformer "
                 "drops it silently.")
        expect(len(where) == 1,
               f"the column `{column}` is routed to {len(where)} branches "
               f"({', '.join(n for n, _ in where)}): give each column exactly one.")
        _check_branch(column, where[0][1], column in numeric)
    scalers = [p for _, t, _ in steps[0].transformers_ if t not in ("drop", "passthrough")
               for p in _parts(t) if isinstance(p, StandardScaler)]
    expect_fitted_on_training_rows(int(np.max(scalers[0].n_samples_seen_)), len(X_tr), len(X_te),
                                   "churn_pipe", why="otherwise the test set leaks into training")

    newcomers = X_te.head(3).copy()
    newcomers["region"] = "central"
    try:
        with quiet():
            churn_pipe.predict_proba(newcomers)
    except Exception as error:  # noqa: BLE001 - the learner's pipeline, any failure is feedback
        fail(f"the pipeline fails on a region it never saw in training ({type_name(error)}): "
             "make the region encoder tolerate unknown categories.")
    with quiet():
        auc = float(roc_auc_score(y_te, churn_pipe.predict_proba(X_te)[:, 1]))
        reference = _reference_auc(X_tr, y_tr, X_te, y_te)
    expect(auc >= reference - AUC_SLACK,
           f"the test ROC AUC is {auc:.3f}, lower than this pipeline reaches: check that it was "
           "fitted on X_tr with its own labels y_tr.")
    return f"test ROC AUC {auc:.3f}, and a new region no longer breaks predictions."


q3 = Exercise(name="q3", notebook=NOTEBOOK, check_fn=_check_q3, hints=[
    "Start from the demo's `preprocess`: a ColumnTransformer with one (name, transformer, "
    "columns) triple per branch, here three branches.",
    "Numeric branch: `make_pipeline(SimpleImputer(strategy=\"median\", add_indicator=True), "
    "StandardScaler())` on `NUMERIC`; region branch: "
    "`OneHotEncoder(handle_unknown=\"ignore\")` on `[\"region\"]`.",
    "Contract branch: `OrdinalEncoder(categories=[[\"month-to-month\", \"one-year\", "
    "\"two-year\"]])` on `[\"contract\"]`; then "
    "`churn_pipe = make_pipeline(that_column_transformer, LogisticRegression())` and fit it.",
])
