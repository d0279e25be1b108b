"""The serving apps of module 08, tested in-process.

Each case takes the app that a solution notebook writes (its cell tagged ``serving-app``),
writes it to a temporary folder with a model file made here, imports it, and calls it with
FastAPI's ``TestClient`` used as a context manager, so that the app's lifespan loads the model
as under uvicorn. The contract every app serves: ``/health``, ``/predict`` and
``/predict/batch`` with the model version in every answer; each malformed payload gets a 422
that names the offending field, and the app keeps answering; a missing model file stops the
start with an error that says what to set.

To add an app: write a function that saves its model file into a folder and returns the
environment the app needs, and add an ``AppCase`` to ``APPS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.serving import churn_features, churn_pipeline, client_class, import_app, write_app

VERSION = "test-version-7"
MAX_BATCH = 5  # small, so that the oversized batch stays small


@pytest.fixture(scope="module")
def churn_data():
    X, y = churn_features()
    return X.head(600), y.head(600)


def joblib_pipeline(folder: Path, X, y) -> dict[str, str]:
    """01_fastapi_endpoint: the fitted scikit-learn pipeline, saved with joblib."""
    import joblib

    path = folder / "churn_model.joblib"
    joblib.dump(churn_pipeline(X, y), path)
    return {"CHURN_MODEL_PATH": str(path)}


def onnx_export(folder: Path, X, y) -> dict[str, str]:
    """04_onnx_service: the same pipeline exported with skl2onnx, one graph input per column
    (text as strings, numbers as float32), probabilities as a plain array."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    types = ([(name, StringTensorType([None, 1])) for name in ("region", "contract")]
             + [(name, FloatTensorType([None, 1]))
                for name in ("tenure_months", "monthly_charges", "support_calls")])
    path = folder / "churn.onnx"
    graph = to_onnx(churn_pipeline(X, y), initial_types=types, options={"zipmap": False})
    path.write_bytes(graph.SerializeToString())
    return {"CHURN_MODEL_PATH": str(path)}


@dataclass(frozen=True)
class AppCase:
    notebook: str                                            # the solution that writes the app
    make_model: Callable[[Path, object, object], dict[str, str]]  # -> the app's environment
    model_env: str                                           # the variable naming the model file


APPS = [
    pytest.param(AppCase("08_deployment_serving/01_fastapi_endpoint", joblib_pipeline,
                         "CHURN_MODEL_PATH"), id="01_fastapi_endpoint"),
    pytest.param(AppCase("08_deployment_serving/04_onnx_service", onnx_export,
                         "CHURN_MODEL_PATH"), id="04_onnx_service"),
]


@pytest.fixture(params=APPS)
def app_case(request, tmp_path, monkeypatch, churn_data):
    """(case, imported app module, a valid record), with the model and environment in place."""
    case = request.param
    X, y = churn_data
    env = case.make_model(tmp_path, X, y)
    for name, value in {**env, "MODEL_VERSION": VERSION, "MAX_BATCH": str(MAX_BATCH)}.items():
        monkeypatch.setenv(name, value)
    module = import_app(write_app(case.notebook, tmp_path, f"app_{tmp_path.name}"))
    record = X.iloc[0].to_dict()
    return case, module, record


def _without(record: dict, field: str) -> dict:
    return {key: value for key, value in record.items() if key != field}


# (name, path, body made from one valid record, the field the error must name)
MALFORMED = [
    ("missing field", "/predict", lambda r: _without(r, "contract"), "contract"),
    ("wrong type", "/predict", lambda r: {**r, "tenure_months": "twelve"}, "tenure_months"),
    ("out of range: negative tenure", "/predict", lambda r: {**r, "tenure_months": -1},
     "tenure_months"),
    ("out of range: bill of zero", "/predict", lambda r: {**r, "monthly_charges": 0},
     "monthly_charges"),
    ("out of range: too many calls", "/predict", lambda r: {**r, "support_calls": 10_000},
     "support_calls"),
    ("unknown category", "/predict", lambda r: {**r, "contract": "weekly"}, "contract"),
    ("unknown region", "/predict", lambda r: {**r, "region": "mars"}, "region"),
    ("extra field (a sixth feature)", "/predict", lambda r: {**r, "customer_id": "C1"},
     "customer_id"),
    ("not an object", "/predict", lambda r: list(r.values()), "body"),
    ("empty batch", "/predict/batch", lambda r: {"records": []}, "records"),
    ("oversized batch", "/predict/batch", lambda r: {"records": [r] * (MAX_BATCH + 1)},
     "records"),
    ("bad record inside a batch", "/predict/batch",
     lambda r: {"records": [r, {**r, "tenure_months": -3}]}, "tenure_months"),
    ("batch without its records key", "/predict/batch", lambda r: [r], "body"),
]


def test_health_and_a_good_payload_carry_the_version(app_case):
    case, module, record = app_case
    with client_class()(module.app) as client:
        assert client.get("/health").json() == {"status": "ok", "model_version": VERSION}
        answer = client.post("/predict", json=record)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"churn_probability", "churn", "model_version"}
        assert body["model_version"] == VERSION
        assert 0.0 <= body["churn_probability"] <= 1.0
        assert body["churn"] == (body["churn_probability"] >= 0.5)


def test_batch_answers_each_record_in_order(app_case):
    case, module, record = app_case
    records = [record, {**record, "contract": "two-year", "tenure_months": 70},
               {**record, "contract": "month-to-month", "tenure_months": 1, "support_calls": 6}]
    with client_class()(module.app) as client:
        singles = [client.post("/predict", json=r).json()["churn_probability"] for r in records]
        answer = client.post("/predict/batch", json={"records": records})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["model_version"] == VERSION
        batch = [p["churn_probability"] for p in body["predictions"]]
        assert batch == pytest.approx(singles, abs=1e-6)
        assert all(p["model_version"] == VERSION for p in body["predictions"])
        full = client.post("/predict/batch", json={"records": [record] * MAX_BATCH})
        assert full.status_code == 200, "a batch of exactly MAX_BATCH records is allowed"


def test_region_in_upper_case_gets_the_same_answer(app_case):
    case, module, record = app_case
    with client_class()(module.app) as client:
        lower = client.post("/predict", json=record).json()["churn_probability"]
        upper = client.post("/predict", json={**record, "region": record["region"].upper()})
        assert upper.status_code == 200
        assert upper.json()["churn_probability"] == pytest.approx(lower, abs=1e-9)


def test_boundaries_are_inclusive_where_zero_is_valid(app_case):
    case, module, record = app_case
    with client_class()(module.app) as client:
        answer = client.post("/predict", json={**record, "tenure_months": 0, "support_calls": 0})
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("name, path, make_body, field", MALFORMED,
                         ids=[case[0] for case in MALFORMED])
def test_malformed_payload_gets_422_naming_the_field(app_case, name, path, make_body, field):
    case, module, record = app_case
    with client_class()(module.app) as client:
        answer = client.post(path, json=make_body(record))
        assert answer.status_code == 422, f"{name}: {answer.status_code} {answer.text}"
        errors = answer.json()["detail"]
        assert any(field in [str(part) for part in error["loc"]] for error in errors), errors
        assert all(error["msg"] for error in errors)
        assert client.get("/health").status_code == 200, "the app keeps serving"


def test_a_missing_model_file_stops_the_start_with_a_clear_error(app_case, monkeypatch,
                                                                 tmp_path):
    case, module, record = app_case
    monkeypatch.setenv(case.model_env, str(tmp_path / "no-such-model.file"))
    with pytest.raises(RuntimeError) as raised:
        with client_class()(module.app):
            pass
    message = str(raised.value)
    assert case.model_env in message and "no-such-model.file" in message, message


def test_the_model_is_loaded_once_at_start_up(app_case):
    """Loaded in the lifespan, not per request: requests still work once the file is gone."""
    case, module, record = app_case
    model_file = Path(os.environ[case.model_env])
    with client_class()(module.app) as client:
        model_file.unlink()
        answer = client.post("/predict", json=record)
        assert answer.status_code == 200, "the app reads the model file for each request"


# -- 04_onnx_service only: what makes it the lighter process ----------------------------------
ONNX_APP = "08_deployment_serving/04_onnx_service"


def test_the_onnx_app_imports_neither_scikit_learn_nor_torch(tmp_path, churn_data):
    """Imported and started in a fresh Python, the app loads none of the training libraries."""
    import subprocess
    import sys

    env = {**os.environ, **onnx_export(tmp_path, *churn_data), "MODEL_VERSION": VERSION}
    write_app(ONNX_APP, tmp_path, "onnx_app")
    probe = ("import sys, onnx_app\n"
             "from fastapi.testclient import TestClient\n"
             "with TestClient(onnx_app.app) as client:\n"
             "    assert client.get('/health').status_code == 200\n"
             "print(sorted({'sklearn', 'torch', 'pandas', 'scipy', 'skl2onnx', 'onnx'}"
             " & set(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_the_onnx_app_answers_as_the_pipeline(tmp_path, monkeypatch, churn_data):
    """Parity: the graph's probabilities and decisions equal the scikit-learn pipeline's."""
    X, y = churn_data
    env = onnx_export(tmp_path, X, y)
    for name, value in {**env, "MODEL_VERSION": VERSION, "MAX_BATCH": "100"}.items():
        monkeypatch.setenv(name, value)
    module = import_app(write_app(ONNX_APP, tmp_path, f"app_{tmp_path.name}"))
    rows = X.tail(100)
    pipeline = churn_pipeline(X, y)
    with client_class()(module.app) as client:
        answer = client.post("/predict/batch", json={"records": rows.to_dict(orient="records")})
    assert answer.status_code == 200, answer.text
    predictions = answer.json()["predictions"]
    assert [p["churn_probability"] for p in predictions] == pytest.approx(
        list(pipeline.predict_proba(rows)[:, 1]), abs=1e-6)
    assert [p["churn"] for p in predictions] == [bool(v) for v in pipeline.predict(rows)]
