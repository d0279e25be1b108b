"""The serving apps of 09_cloud_ml/02_serving_contracts, tested outside the notebook.

Every cell tagged ``serving-app`` in the solution is a ``%%writefile`` cell; these tests write
those files into a temporary folder, fit a small churn pipeline there, and exercise each
platform's contract: with FastAPI's TestClient (a good request gives the native model's
numbers, each malformed one its documented status), then once through a real uvicorn process
started by ``utils.servers.start_server``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tarfile
from pathlib import Path

import joblib
import nbformat
import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from utils.datasets import load_dataset
from utils.paths import REPO_ROOT
from utils.servers import python_command, start_server

NOTEBOOK = REPO_ROOT / "solutions" / "09_cloud_ml" / "02_serving_contracts.ipynb"
FEATURES = ["region", "contract", "tenure_months", "monthly_charges", "support_calls"]
NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]
VERTEX_HEALTH = "/v1/endpoints/1/deployedModels/2"
VERTEX_PREDICT = VERTEX_HEALTH + ":predict"


def serving_apps() -> dict[str, str]:
    """{relative path: source} of every %%writefile cell tagged serving-app."""
    apps = {}
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if "serving-app" in cell.metadata.get("tags", []):
            first, _, body = cell.source.partition("\n")
            assert first.startswith("%%writefile "), first
            apps[first.split(maxsplit=1)[1]] = body + "\n"
    return apps


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The apps' files, a fitted model, a model.tar.gz unpacked as SageMaker would, and rows."""
    root = tmp_path_factory.mktemp("contracts")
    for name, source in serving_apps().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source)
    churn = load_dataset("churn").drop_duplicates()
    churn["region"] = churn["region"].str.lower()
    churn = churn.sample(400, random_state=0)
    prepare = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["region", "contract"]),
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC))
    model = make_pipeline(prepare, LogisticRegression(max_iter=500)).fit(
        churn[FEATURES], churn["churned"])
    joblib.dump(model, root / "model.joblib")
    with tarfile.open(root / "model.tar.gz", "w:gz") as archive:
        archive.add(root / "model.joblib", arcname="model.joblib")
        archive.add(root / "sagemaker" / "code" / "inference.py", arcname="code/inference.py")
    with tarfile.open(root / "model.tar.gz") as archive:
        archive.extractall(root / "opt_ml" / "model", filter="data")
    (root / "azure" / "model").mkdir()
    shutil.copy(root / "model.joblib", root / "azure" / "model")
    frame = churn[FEATURES]
    rows = pd.concat([frame[frame["monthly_charges"].isna()].head(1), frame.dropna().head(4)])
    return {"root": root, "model": model, "rows": rows,
            "native": model.predict_proba(rows)[:, 1]}


def env_for(built) -> dict[str, dict[str, str]]:
    root = built["root"]
    opt_ml_model = root / "opt_ml" / "model"
    return {
        "sagemaker_host.py": {"MLCOURSE_OPT_ML_MODEL": str(opt_ml_model),
                              "SAGEMAKER_PROGRAM": "inference.py",
                              "SAGEMAKER_SUBMIT_DIRECTORY": str(opt_ml_model / "code")},
        "vertex_app.py": {"AIP_STORAGE_URI": str(root), "AIP_HEALTH_ROUTE": VERTEX_HEALTH,
                          "AIP_PREDICT_ROUTE": VERTEX_PREDICT},
        "azure_host.py": {"AZUREML_ENTRY_SCRIPT": str(root / "azure" / "score.py"),
                          "AZUREML_MODEL_DIR": str(root / "azure" / "model")},
    }


def client(built, app_file, monkeypatch) -> TestClient:
    for key, value in env_for(built)[app_file].items():
        monkeypatch.setenv(key, value)
    name = f"contract_{Path(app_file).stem}"
    spec = importlib.util.spec_from_file_location(name, built["root"] / app_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.pop(name, None)
    return TestClient(module.app)


def records(rows) -> list[dict]:
    return json.loads(rows.to_json(orient="records"))


def test_the_notebook_has_the_five_apps():
    assert set(serving_apps()) == {"sagemaker/code/inference.py", "sagemaker_host.py",
                                   "vertex_app.py", "azure/score.py", "azure_host.py"}


def test_sagemaker_contract(built, monkeypatch):
    api = client(built, "sagemaker_host.py", monkeypatch)
    rows, native = built["rows"], built["native"]
    assert api.get("/ping").status_code == 200
    csv_body = rows.to_csv(header=False, index=False)
    answer = api.post("/invocations", content=csv_body, headers={"Content-Type": "text/csv"})
    assert answer.status_code == 200 and np.allclose(answer.json(), native)
    answer = api.post("/invocations", content=json.dumps(records(rows)),
                      headers={"Content-Type": "application/json; charset=utf-8"})
    assert answer.status_code == 200 and np.allclose(answer.json(), native)
    answer = api.post("/invocations", content=csv_body,
                      headers={"Content-Type": "text/csv", "Accept": "text/csv"})
    assert answer.status_code == 200
    assert np.allclose([float(x) for x in answer.text.split()], native)
    # like SageMaker's scikit-learn container: any handler error is a bare 500 (reason in the log)
    bad = {
        ("text/plain", csv_body): 500,
        ("text/csv", rows.to_csv(header=True, index=False)): 500,
        ("text/csv", "north,month-to-month,3,70.5\n"): 500,
        ("application/json", "{not json"): 500,
    }
    for (content_type, body), status in bad.items():
        got = api.post("/invocations", content=body, headers={"Content-Type": content_type})
        assert got.status_code == status, (content_type, body[:40], got.text)
    got = api.post("/invocations", content=csv_body,
                   headers={"Content-Type": "text/csv", "Accept": "application/xml"})
    assert got.status_code == 500 and got.text == "Internal Server Error"


def test_vertex_contract(built, monkeypatch):
    api = client(built, "vertex_app.py", monkeypatch)
    assert api.get(VERTEX_HEALTH).status_code == 200
    answer = api.post(VERTEX_PREDICT, json={"instances": records(built["rows"])})
    assert answer.status_code == 200
    assert np.allclose(answer.json()["predictions"], built["native"])
    for body in ({"rows": records(built["rows"])}, {"instances": []},
                 {"instances": records(built["rows"])[0]}, {"instances": [{"region": "north"}]}):
        assert api.post(VERTEX_PREDICT, json=body).status_code == 400, body
    assert api.post(VERTEX_PREDICT, content="region=north").status_code == 400
    assert api.post("/predict", json={"instances": records(built["rows"])}).status_code == 404


def test_azure_contract(built, monkeypatch):
    api = client(built, "azure_host.py", monkeypatch)
    assert api.get("/").status_code == 200
    answer = api.post("/score", content=json.dumps({"data": records(built["rows"])}))
    assert answer.status_code == 200
    assert np.allclose(answer.json()["probabilities"], built["native"])
    for body in ("data=north", json.dumps({"rows": []}),
                 json.dumps({"data": [{"region": "north"}]})):
        assert api.post("/score", content=body).status_code == 500, body


def test_each_contract_in_a_real_process(built):
    """One real uvicorn process per contract, started and stopped like the notebook does."""
    root, rows, native = built["root"], built["rows"], built["native"]
    import httpx

    env = env_for(built)
    starts = {
        "sagemaker_host.py": (["sagemaker_host.py"], "/ping",
                              lambda port: {"SAGEMAKER_BIND_TO_PORT": str(port)}),
        "vertex_app.py": (["vertex_app.py"], VERTEX_HEALTH,
                          lambda port: {"AIP_HTTP_PORT": str(port)}),
        "azure_host.py": (["azure_host.py", "--port", "{port}"], "/", lambda port: {}),
    }
    from utils.servers import free_port

    for app_file, (args, health, port_env) in starts.items():
        port = free_port()
        server = start_server(python_command(*args), name=f"test-{Path(app_file).stem}",
                              port=port, health_path=health, cwd=root,
                              env={**env[app_file], **port_env(port), "BIND_HOST": "127.0.0.1"})
        try:
            if app_file == "sagemaker_host.py":
                answer = httpx.post(server.url + "/invocations",
                                    content=rows.to_csv(header=False, index=False),
                                    headers={"Content-Type": "text/csv"}).json()
            elif app_file == "vertex_app.py":
                answer = httpx.post(server.url + VERTEX_PREDICT,
                                    json={"instances": records(rows)}).json()["predictions"]
            else:
                answer = httpx.post(server.url + "/score", content=json.dumps(
                    {"data": records(rows)})).json()["probabilities"]
        finally:
            server.stop()
        assert np.allclose(answer, native), app_file
        assert not server.running()
