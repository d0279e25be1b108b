"""The checks of 08_deployment_serving/02_onnx_runtime: right, wrong and not attempted.

The fixtures rebuild the notebook's models at small cost: the churn pipeline converted with
skl2onnx, and a small network (a few training steps) for the export exercise.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import onnxruntime as ort
import pytest
import torch
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from torch import nn

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m08_02_onnx_runtime import q1, q2, q3

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SEED = 42
CATEGORICAL = ["region", "contract"]
NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]


@pytest.fixture(scope="module")
def churn():
    raw = load_dataset("churn")
    frame = (raw.drop_duplicates().dropna(subset=["monthly_charges"])
             .assign(region=lambda f: f["region"].str.lower()))
    X, y = frame[CATEGORICAL + NUMERIC], frame["churned"]
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.25, stratify=y,
                                                   random_state=SEED)
    pipeline = Pipeline([
        ("prepare", ColumnTransformer([
            ("text", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
            ("numbers", StandardScaler(), NUMERIC)])),
        ("model", LogisticRegression()),
    ]).fit(X_train, y_train)
    types = ([(n, StringTensorType([None, 1])) for n in CATEGORICAL]
             + [(n, FloatTensorType([None, 1])) for n in NUMERIC])
    proto = to_onnx(pipeline, initial_types=types, target_opset={"": 17, "ai.onnx.ml": 3},
                    options={"zipmap": False})
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    raw_test = raw.loc[X_test.index, CATEGORICAL + NUMERIC]
    return pipeline, session, X_train, y_train, X_test, raw_test


# -- q1 -----------------------------------------------------------------------------------
def _column(records, name, dtype):
    return np.array([[r[name]] for r in records], dtype=dtype)


def to_feeds(records):
    feeds = {n: _column(records, n, object) for n in CATEGORICAL}
    feeds["region"] = np.array([[r["region"].lower()] for r in records], dtype=object)
    feeds.update({n: _column(records, n, np.float32) for n in NUMERIC})
    return feeds


def test_q1_passes(churn):
    pipeline, session, *_, raw_test = churn
    assert_passes(q1, to_feeds, session, pipeline, raw_test)

    def with_str_dtype(records):  # NumPy's own string dtype is fine too
        return to_feeds(records) | {n: _column(records, n, str) for n in ["contract"]}

    assert_passes(q1, with_str_dtype, session, pipeline, raw_test)


def test_q1_pending(churn):
    pipeline, session, *_, raw_test = churn
    assert_pending(q1)
    assert_pending(q1, lambda records: ..., session, pipeline, raw_test)


def test_q1_rejects_one_dimensional_arrays(churn):
    pipeline, session, *_, raw_test = churn
    assert_rejects(q1, lambda rs: {n: a.ravel() for n, a in to_feeds(rs).items()},
                   session, pipeline, raw_test, mentions="1-D")


def test_q1_rejects_float64_and_int64_numbers(churn):
    pipeline, session, *_, raw_test = churn
    assert_rejects(q1, lambda rs: to_feeds(rs) | {n: _column(rs, n, float) for n in NUMERIC},
                   session, pipeline, raw_test, mentions="float32")
    assert_rejects(q1, lambda rs: to_feeds(rs) | {"tenure_months": _column(rs, "tenure_months",
                                                                           np.int64)},
                   session, pipeline, raw_test, mentions="float32")


def test_q1_rejects_uncleaned_regions(churn):
    pipeline, session, *_, raw_test = churn
    assert_rejects(q1, lambda rs: to_feeds(rs) | {"region": _column(rs, "region", object)},
                   session, pipeline, raw_test, mentions="upper case")


def test_q1_rejects_missing_inputs_lists_frames_and_reordered_rows(churn):
    pipeline, session, *_, raw_test = churn
    assert_rejects(q1, lambda rs: {k: v for k, v in to_feeds(rs).items() if k != "contract"},
                   session, pipeline, raw_test, mentions="contract")
    assert_rejects(q1, lambda rs: to_feeds(rs) | {"extra": _column(rs, "region", object)},
                   session, pipeline, raw_test, mentions="extra")
    assert_rejects(q1, lambda rs: {n: v.tolist() for n, v in to_feeds(rs).items()},
                   session, pipeline, raw_test, mentions="np.array")
    assert_rejects(q1, lambda rs: __import__("pandas").DataFrame(rs), session, pipeline,
                   raw_test, mentions="dict")
    assert_rejects(q1, lambda rs: to_feeds(rs[::-1]), session, pipeline, raw_test,
                   mentions="order")
    assert_rejects(q1, lambda rs: 1 / 0, session, pipeline, raw_test, mentions="ZeroDivision")
    assert_rejects(q1, to_feeds({}), session, pipeline, raw_test, mentions="function itself")


# -- q2 -----------------------------------------------------------------------------------
def parity(native_proba, onnx_proba, native_labels, onnx_labels, atol=1e-5):
    diff = float(np.max(np.abs(np.asarray(native_proba) - np.asarray(onnx_proba))))
    equal = bool(np.array_equal(native_labels, onnx_labels))
    return {"max_abs_diff": diff, "labels_equal": equal, "ok": diff <= atol and equal}


@pytest.fixture(scope="module")
def outputs(churn):
    pipeline, session, *_, X_test, _ = churn
    feeds = to_feeds(X_test.to_dict("records"))
    labels, proba = session.run(None, feeds)
    return pipeline.predict_proba(X_test)[:, 1], proba[:, 1], pipeline.predict(X_test), labels


def test_q2_passes(outputs):
    assert_passes(q2, parity, *outputs)

    def with_isclose(a, b, la, lb, atol=1e-5):  # another right answer
        diff = np.abs(np.subtract(a, b)).max()
        same = (np.asarray(la) == np.asarray(lb)).all()
        return {"max_abs_diff": diff, "labels_equal": same,
                "ok": bool(np.allclose(a, b, rtol=0, atol=atol) and same)}

    assert_passes(q2, with_isclose, *outputs)


def test_q2_pending(outputs):
    assert_pending(q2)
    assert_pending(q2, lambda *args, **kwargs: ..., *outputs)


def test_q2_rejects_exact_equality(outputs):
    def exact(a, b, la, lb, atol=1e-5):
        return parity(a, b, la, lb, atol) | {"ok": bool(np.array_equal(a, b)
                                                         and np.array_equal(la, lb))}
    assert_rejects(q2, exact, *outputs, mentions="==")


def test_q2_rejects_mean_and_signed_differences(outputs):
    def mean(a, b, la, lb, atol=1e-5):
        diff = float(np.mean(np.abs(np.subtract(a, b))))
        return parity(a, b, la, lb, atol) | {"max_abs_diff": diff, "ok": diff <= atol}

    def signed(a, b, la, lb, atol=1e-5):
        diff = float(np.max(np.subtract(b, a)))
        return parity(a, b, la, lb, atol) | {"max_abs_diff": diff, "ok": diff <= atol}

    assert_rejects(q2, mean, *outputs, mentions="mean")
    assert_rejects(q2, signed, *outputs, mentions="absolute")


def test_q2_rejects_ignored_labels_fixed_tolerance_and_arrays(outputs):
    def no_labels(a, b, la, lb, atol=1e-5):
        return parity(a, b, la, lb, atol) | {"labels_equal": True,
                                              "ok": parity(a, b, la, la, atol)["ok"]}

    def labels_not_in_ok(a, b, la, lb, atol=1e-5):
        result = parity(a, b, la, lb, atol)
        return result | {"ok": result["max_abs_diff"] <= atol}

    def fixed(a, b, la, lb, atol=1e-5):
        return parity(a, b, la, lb, 1e-5)

    def per_row(a, b, la, lb, atol=1e-5):
        return parity(a, b, la, lb, atol) | {"labels_equal": np.equal(la, lb)}

    assert_rejects(q2, no_labels, *outputs, mentions="label")
    assert_rejects(q2, labels_not_in_ok, *outputs, mentions="equal labels")
    assert_rejects(q2, fixed, *outputs, mentions="atol")
    assert_rejects(q2, per_row, *outputs, mentions="one bool")
    assert_rejects(q2, lambda *args, **kwargs: (0.0, True, True), *outputs, mentions="dict")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def network(churn):
    pipeline, _, X_train, y_train, X_test, _ = churn
    prepare = pipeline.named_steps["prepare"]
    A_train = torch.tensor(prepare.transform(X_train), dtype=torch.float32)
    A_test = torch.tensor(prepare.transform(X_test), dtype=torch.float32)
    torch.manual_seed(SEED)
    net = nn.Sequential(nn.Linear(A_train.shape[1], 32), nn.ReLU(), nn.Dropout(0.2),
                        nn.Linear(32, 1), nn.Flatten(0))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    target = torch.tensor(y_train.to_numpy(), dtype=torch.float32)
    for _ in range(20):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(net(A_train), target).backward()
        optimizer.step()
    return nn.Sequential(net, nn.Sigmoid()).eval(), A_test


def export(model, path, example, dynamic=True, names=("features", "churn_probability"),
           **options):
    axes = {names[0]: {0: "batch"}, names[1]: {0: "batch"}} if dynamic is True else dynamic
    options = {"opset_version": 17} | options
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), path, dynamo=False, input_names=[names[0]],
                          output_names=[names[1]], dynamic_axes=axes or None, **options)
    return path


def test_q3_passes(network, tmp_path):
    scorer, A_test = network
    path = export(scorer, tmp_path / "net.onnx", A_test[:1])
    assert_passes(q3, path, scorer, A_test)
    assert_passes(q3, str(path), scorer, A_test)
    scorer.train()  # the learner's network left in training mode: the export is still right
    try:
        assert_passes(q3, path, scorer, A_test)
        assert scorer.training, "the check must not change the learner's model"
    finally:
        scorer.eval()


def test_q3_pending(network):
    scorer, A_test = network
    assert_pending(q3)
    assert_pending(q3, ..., scorer, A_test)


def test_q3_rejects_a_fixed_batch_axis(network, tmp_path):
    scorer, A_test = network
    path = export(scorer, tmp_path / "fixed.onnx", A_test[:1], dynamic=False)
    assert_rejects(q3, path, scorer, A_test, mentions="batch axis is fixed")


def test_q3_rejects_an_output_axis_left_to_the_exporter(network, tmp_path):
    scorer, A_test = network
    # input only: the exporter names the output's axis itself (Sigmoidchurn_probability_dim_0)
    input_only = export(scorer, tmp_path / "input_only.onnx", A_test[:1],
                        dynamic={"features": {0: "batch"}})
    assert_rejects(q3, input_only, scorer, A_test, mentions="output's axis 0")
    # lists of axes: each tensor gets its own generated name, not one shared batch axis
    lists = export(scorer, tmp_path / "lists.onnx", A_test[:1],
                   dynamic={"features": [0], "churn_probability": [0]})
    assert_rejects(q3, lists, scorer, A_test, mentions="same name")


def test_q3_rejects_another_opset_and_a_training_mode_export(network, tmp_path):
    scorer, A_test = network
    default_opset = export(scorer, tmp_path / "default_opset.onnx", A_test[:1],
                           opset_version=None)  # the exporter's own default (20 in 2.13)
    assert_rejects(q3, default_opset, scorer, A_test, mentions="opset_version=17")
    training = export(scorer, tmp_path / "training.onnx", A_test[:1],
                      training=torch.onnx.TrainingMode.TRAINING)
    assert_rejects(q3, training, scorer, A_test, mentions="training mode")


def test_q3_rejects_other_names_other_models_and_no_file(network, tmp_path):
    scorer, A_test = network
    renamed = export(scorer, tmp_path / "renamed.onnx", A_test[:1], names=("input", "output"))
    assert_rejects(q3, renamed, scorer, A_test, mentions="'features'")
    untrained = copy.deepcopy(scorer)
    with torch.no_grad():
        untrained[0][0].weight.mul_(-1.0)
    other = export(untrained, tmp_path / "other.onnx", A_test[:1])
    assert_rejects(q3, other, scorer, A_test, mentions="differ")
    logits = export(scorer[0], tmp_path / "logits.onnx", A_test[:1])
    assert_rejects(q3, logits, scorer, A_test, mentions="differ")
    assert_rejects(q3, tmp_path / "missing.onnx", scorer, A_test, mentions="no file")
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    assert_rejects(q3, tmp_path / "junk.onnx", scorer, A_test, mentions="onnx.load")
    assert_rejects(q3, 17, scorer, A_test, mentions="path")
