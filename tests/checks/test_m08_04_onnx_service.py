"""Tests of the checks of 08_deployment_serving/04_onnx_service: right, wrong, not attempted.

q2 calls a real service: the notebook's own ONNX app (its `serving-app` cell), run under
uvicorn on loopback for this module's tests and stopped at the end.
"""

from __future__ import annotations

from importlib import metadata

import httpx
import nbformat
import numpy as np
import pandas as pd
import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m08_04_onnx_service import q1, q2, q3
from utils.paths import SOLUTIONS_DIR
from utils.servers import python_command, start_server

SEED = 42
MAX_BATCH = 32
TEXT = ["region", "contract"]
NUMBERS = ["tenure_months", "monthly_charges", "support_calls"]
NOTEBOOK = SOLUTIONS_DIR / "08_deployment_serving" / "04_onnx_service.ipynb"


@pytest.fixture(scope="module")
def churn():
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = load_dataset("churn").drop_duplicates().dropna(subset=["monthly_charges"])
    frame["region"] = frame["region"].str.lower()
    X, y = frame[TEXT + NUMBERS], frame["churned"]
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.25, stratify=y,
                                                   random_state=SEED)
    pipeline = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), TEXT),
                                (StandardScaler(), NUMBERS)),
        LogisticRegression(),
    ).fit(X_train, y_train)
    return pipeline, X_test.head(100)


@pytest.fixture(scope="module")
def session(churn, tmp_path_factory):
    import onnxruntime as ort
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    pipeline, _ = churn
    types = ([(name, StringTensorType([None, 1])) for name in TEXT]
             + [(name, FloatTensorType([None, 1])) for name in NUMBERS])
    path = tmp_path_factory.mktemp("onnx") / "churn.onnx"
    path.write_bytes(to_onnx(pipeline, initial_types=types,
                             options={"zipmap": False}).SerializeToString())
    return ort.InferenceSession(path, providers=["CPUExecutionProvider"]), path


def reference_inputs(session_):
    def onnx_inputs(frame):
        return {item.name: frame[[item.name]].to_numpy(
                    dtype=np.float32 if item.type == "tensor(float)" else object)
                for item in session_.get_inputs()}
    return onnx_inputs


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_the_reference(churn, session):
    pipeline, frame = churn
    assert_passes(q1, reference_inputs(session[0]), session[0], pipeline, frame)


def test_q1_passes_with_str_arrays(churn, session):
    pipeline, frame = churn

    def onnx_inputs(frame):
        feeds = {name: frame[[name]].to_numpy().astype(str) for name in TEXT}
        return feeds | {name: frame[[name]].to_numpy(np.float32) for name in NUMBERS}
    assert_passes(q1, onnx_inputs, session[0], pipeline, frame)


def test_q1_pending(churn, session):
    pipeline, frame = churn
    assert_pending(q1)
    assert_pending(q1, ..., session[0], pipeline, frame)
    assert_pending(q1, lambda frame: ..., session[0], pipeline, frame)


def test_q1_rejects_float64_and_one_dimensional_arrays(churn, session):
    pipeline, frame = churn

    def float64(frame):
        return {name: frame[[name]].to_numpy() for name in TEXT + NUMBERS}

    def flat(frame):
        return {name: frame[name].to_numpy(np.float32 if name in NUMBERS else object)
                for name in TEXT + NUMBERS}
    assert_rejects(q1, float64, session[0], pipeline, frame, mentions="float32")
    assert_rejects(q1, flat, session[0], pipeline, frame, mentions="reshape(-1, 1)")


def test_q1_rejects_made_up_names_frames_and_the_result(churn, session):
    pipeline, frame = churn

    def one_array(frame):
        return {**{name: frame[[name]].to_numpy() for name in TEXT},
                "X": frame[NUMBERS].to_numpy(np.float32)}

    def frames(frame):
        return {name: frame[[name]] for name in TEXT + NUMBERS}
    assert_rejects(q1, one_array, session[0], pipeline, frame, mentions="not inputs of the graph")
    assert_rejects(q1, frames, session[0], pipeline, frame, mentions="NumPy")
    assert_rejects(q1, reference_inputs(session[0])(frame), session[0], pipeline, frame,
                   mentions="pass the function itself")


def test_q1_rejects_swapped_columns_sorted_rows_and_crashes(churn, session):
    pipeline, frame = churn
    right = reference_inputs(session[0])

    def swapped(frame):
        feeds = right(frame)
        feeds["tenure_months"], feeds["support_calls"] = (feeds["support_calls"],
                                                          feeds["tenure_months"])
        return feeds

    def sorted_rows(frame):
        return right(frame.sort_values("monthly_charges"))

    def crashes(frame):
        return {name: frame[[name]].to_numpy(np.float32) for name in TEXT + NUMBERS}
    assert_rejects(q1, swapped, session[0], pipeline, frame, mentions="its own column")
    assert_rejects(q1, sorted_rows, session[0], pipeline, frame, mentions="order")
    assert_rejects(q1, crashes, session[0], pipeline, frame, mentions="raised")


# -- q2 -----------------------------------------------------------------------------------
def serving_app_source() -> str:
    cell = next(c for c in nbformat.read(NOTEBOOK, as_version=4).cells
                if "serving-app" in c.metadata.get("tags", []))
    return cell.source.split("\n", 1)[1]  # without the %%writefile line


@pytest.fixture(scope="module")
def service(session, tmp_path_factory):
    folder = tmp_path_factory.mktemp("service")
    (folder / "onnx_app.py").write_text(serving_app_source())
    command = python_command("-m", "uvicorn", "onnx_app:app", "--host", "127.0.0.1",
                             "--port", "{port}")
    server = start_server(command, cwd=folder, name="m08-04-check-service", timeout=60,
                          env={"CHURN_MODEL_PATH": str(session[1]), "MODEL_VERSION": "test",
                               "MAX_BATCH": str(MAX_BATCH)})
    yield server.url
    server.stop()


def _post(url, frame):
    answer = httpx.post(url + "/predict/batch",
                        json={"records": frame.to_dict(orient="records")}, timeout=30)
    answer.raise_for_status()
    return answer.json()["predictions"]


def in_slices(field="churn_probability", last=True):
    def predict_over_http(url, frame):
        stop = len(frame) if last else len(frame) - len(frame) % MAX_BATCH
        values = []
        for start in range(0, stop, MAX_BATCH):
            values += [p[field] for p in _post(url, frame.iloc[start:start + MAX_BATCH])]
        return np.array(values, dtype=float)
    return predict_over_http


def test_q2_passes_on_slices(churn, service):
    pipeline, frame = churn
    assert_passes(q2, in_slices(), service, pipeline, frame, MAX_BATCH)
    assert_passes(q2, in_slices(), service, pipeline, frame.head(10), MAX_BATCH)


def test_q2_pending(churn, service):
    pipeline, frame = churn
    assert_pending(q2)
    assert_pending(q2, ..., service, pipeline, frame, MAX_BATCH)
    assert_pending(q2, lambda url, frame: ..., service, pipeline, frame, MAX_BATCH)


def test_q2_rejects_one_request_and_a_lost_last_slice(churn, service):
    pipeline, frame = churn

    def all_at_once(url, frame):
        return np.array([p["churn_probability"] for p in _post(url, frame)])
    assert_rejects(q2, all_at_once, service, pipeline, frame, MAX_BATCH, mentions="slices")
    assert_rejects(q2, in_slices(last=False), service, pipeline, frame, MAX_BATCH,
                   mentions="last")


def test_q2_rejects_decisions_staying_and_order(churn, service):
    pipeline, frame = churn
    right = in_slices()
    assert_rejects(q2, in_slices("churn"), service, pipeline, frame, MAX_BATCH,
                   mentions="decisions")
    assert_rejects(q2, lambda url, frame: 1 - right(url, frame), service, pipeline, frame,
                   MAX_BATCH, mentions="staying")
    assert_rejects(q2, lambda url, frame: np.sort(right(url, frame)), service, pipeline,
                   frame, MAX_BATCH, mentions="order")


def test_q2_rejects_one_request_per_customer(churn, service):
    pipeline, frame = churn

    def singles(url, frame):
        return np.array([httpx.post(url + "/predict", json=record).json()["churn_probability"]
                         for record in frame.to_dict(orient="records")])
    assert_rejects(q2, singles, service, pipeline, frame, MAX_BATCH, mentions="one per customer")


def test_q2_allows_a_health_probe_and_names_any_other_route(churn, service):
    pipeline, frame = churn
    right = in_slices()

    def probe_first(url, frame):
        httpx.get(url + "/health", timeout=30).raise_for_status()
        return right(url, frame)

    def with_docs(url, frame):
        httpx.get(url + "/openapi.json", timeout=30).raise_for_status()
        return right(url, frame)

    assert_passes(q2, probe_first, service, pipeline, frame, MAX_BATCH)
    assert_rejects(q2, with_docs, service, pipeline, frame, MAX_BATCH,
                   mentions="`/openapi.json`", must_not_mention=("per customer",))


def test_q2_rejects_lists_and_tables(churn, service):
    pipeline, frame = churn
    right = in_slices()
    assert_rejects(q2, lambda url, frame: list(right(url, frame)), service, pipeline, frame,
                   MAX_BATCH, mentions="NumPy array")
    assert_rejects(q2, lambda url, frame: np.c_[1 - right(url, frame), right(url, frame)],
                   service, pipeline, frame, MAX_BATCH, mentions="1-D")


# -- q3 -----------------------------------------------------------------------------------
def pins(*names):
    return [f"{name}=={metadata.version(name)}" for name in names]


SERVICE = ("fastapi", "uvicorn", "pydantic", "numpy", "onnxruntime")


def test_q3_passes_on_exact_pins():
    assert_passes(q3, pins(*SERVICE))
    assert_passes(q3, pins(*SERVICE, "starlette") + ["# the service only", ""])
    assert_passes(q3, tuple(pins(*SERVICE)))


def test_q3_pending():
    assert_pending(q3)


def test_q3_rejects_ranges_bare_names_and_a_string():
    right = pins(*SERVICE)
    assert_rejects(q3, [*right[:-1], "onnxruntime>=1.20"], mentions="exact pin")
    assert_rejects(q3, [*right[:-1], "onnxruntime"], mentions="exact pin")
    assert_rejects(q3, "\n".join(right), mentions="one string")


def test_q3_rejects_training_libraries_and_a_missing_server():
    assert_rejects(q3, pins(*SERVICE, "scikit-learn"), mentions="scikit-learn")
    assert_rejects(q3, pins(*SERVICE, "skl2onnx", "pandas"), mentions="not to serve")
    assert_rejects(q3, pins("fastapi", "pydantic", "numpy", "onnxruntime"), mentions="uvicorn")


def test_q3_rejects_the_whole_environment_wrong_versions_and_duplicates():
    from utils.paths import REPO_ROOT

    everything = [line for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
                  if "==" in line and not line.startswith("#")]
    assert_rejects(q3, everything, mentions="needed to train or export")
    right = pins(*SERVICE)
    assert_rejects(q3, [*right[:-1], "onnxruntime==1.0.0"], mentions="installed here",
                   must_not_mention=(metadata.version("onnxruntime"),))
    assert_rejects(q3, [*right, right[0]], mentions="twice")
    assert_rejects(q3, [*right, "not-a-package==1.0"], mentions="not installed")
    assert_rejects(q3, [*right, 3], mentions="string")


def test_q3_rejects_packages_only_the_notebook_uses():
    # the service's dependencies (starlette, protobuf) may be pinned; the notebook's tools not
    assert_passes(q3, pins(*SERVICE, "starlette", "protobuf", "pydantic-core"))
    assert_passes(q3, [*pins("fastapi", "pydantic", "numpy", "onnxruntime"),
                       f"uvicorn[standard]=={metadata.version('uvicorn')}"])
    assert_rejects(q3, pins(*SERVICE, "httpx"), mentions="httpx")
    assert_rejects(q3, pins(*SERVICE, "psutil"), mentions="leave it out")


def test_the_service_is_stopped_by_its_fixture():
    pd.DataFrame()  # the module's server fixture stops the service; conftest checks leftovers
