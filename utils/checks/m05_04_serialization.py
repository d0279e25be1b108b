"""Checks for 05_mlops/04_serialization: a PyTorch state_dict saved and loaded safely, a Keras
model saved in the .keras format, a model logged with a data hash and versions.

The checks receive the learner's answers first, then what the notebook gave them (the trained
network, the prepared test rows, the training table). q1 also hands the learner's loader a
booby-trapped file, made in a temporary folder that is removed afterwards; q3 reads the run
back from the MLflow store. PyTorch, Keras, MLflow and scikit-learn are imported inside the
checks, so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..check_helpers import (
    call_learner,
    expect_function,
    expect_mlflow_run,
    expect_type,
    quiet,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "05_mlops/04_serialization"

RUN_NAME = "with-provenance"
KERAS_PARTS = ("config.json", "model.weights.h5")


def _expect_saved_file(value: object, name: str) -> Path:
    expect(isinstance(value, str | os.PathLike),
           f"`{name}` should be a path (str or Path), not a {type_name(value)}.")
    path = Path(value)
    expect(path.is_file(), f"there is no file at `{name}`: save to exactly that path.")
    return path


# -- q1: state_dict saved, loaded with weights_only=True, eval mode --------------------------
class _Trap:
    """Unpickling this object creates a folder: proof that a loader ran code from a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.makedirs, (self.marker,)


def _runs_code(load_churn_net) -> bool:
    """Does the learner's loader execute what a file tells it to?"""
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        marker, trap = Path(tmp) / "the-file-ran-code", Path(tmp) / "trap.pt"
        torch.save(_Trap(str(marker)), trap)
        try:
            with quiet():
                load_churn_net(trap)
        except Exception:  # refusing the file is the right behaviour
            pass
        return marker.exists()


def _check_q1(load_churn_net, torch_path, net, A_test) -> str:
    import pickle

    import torch

    expect_function(load_churn_net, "load_churn_net")
    path = _expect_saved_file(torch_path, "TORCH_PATH")
    try:
        saved = torch.load(path, weights_only=True)
    except pickle.UnpicklingError:
        fail("`TORCH_PATH` holds the whole model object, which only an unsafe load can "
             "read. Save the parameters: `torch.save(net.state_dict(), TORCH_PATH)`.")
    expect(isinstance(saved, dict),
           f"`TORCH_PATH` holds a {type_name(saved)}; save `net.state_dict()`, the dict of "
           "parameter tensors.")
    reference = net.state_dict()
    expect(list(saved) == list(reference)
           and all(torch.equal(saved[k], reference[k]) for k in reference),
           "the weights in `TORCH_PATH` are not those of the trained `net`: save "
           "`net.state_dict()` after training.")
    restored = call_learner(load_churn_net, path, call="load_churn_net(TORCH_PATH)")
    expect(restored is not net, "`load_churn_net` returned `net` itself; build a fresh "
                                "`ChurnNet` and load the weights from the file into it.")
    expect(isinstance(restored, type(net)),
           f"`load_churn_net` should return a {type(net).__name__}, not a "
           f"{type_name(restored)} (`load_state_dict` returns a report, not the model).")
    expect(not restored.training,
           "the loaded network is still in training mode, so dropout changes every "
           "prediction: call `.eval()` before returning it.")
    was_training = net.training
    net.eval()
    with torch.no_grad():
        same = torch.allclose(restored(A_test), net(A_test), atol=1e-6)
    net.train(was_training)
    expect(same, "the loaded network does not predict like `net`: load the weights from "
                 "`path` into it with `load_state_dict`.")
    if _runs_code(load_churn_net):
        fail("your loader ran code stored in a file: it loads with `weights_only=False`. Use "
             "`torch.load(path, weights_only=True)`, which only accepts tensors and plain "
             "containers.")
    return "fresh network, same predictions, evaluation mode, and a booby-trapped file refused."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Saving: `torch.save(net.state_dict(), TORCH_PATH)`, the parameters only.",
        "Loading: build `ChurnNet(n_features=6)`, then `model.load_state_dict(...)` with the "
        "dict that `torch.load(path, weights_only=True)` returns.",
        "`load_state_dict` returns a report of missing keys, not the model: return "
        "`model.eval()` (which returns the model) on the last line.",
    ],
)


# -- q2: the .keras format -----------------------------------------------------------------
def _check_q2(keras_restored, keras_path, keras_model, A_test) -> str:
    import keras

    expect(keras_restored is not keras_model,
           "`keras_restored` is `keras_model` itself: nothing was loaded. Load it from "
           "`KERAS_PATH` with `keras.models.load_model`.")
    path = _expect_saved_file(keras_path, "KERAS_PATH")
    if not zipfile.is_zipfile(path):
        fail("the file at `KERAS_PATH` is not a `.keras` archive (weights only, or the "
             "legacy HDF5 format): save the whole model with `keras_model.save(KERAS_PATH)`.")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    expect(all(part in names for part in KERAS_PARTS),
           "the archive at `KERAS_PATH` lacks the architecture or the weights: save it with "
           "`keras_model.save(...)`.")
    expect_type(keras_restored, keras.Model, "keras_restored",
                "(what `keras.models.load_model` returns)")
    rows = np.asarray(A_test, dtype=np.float32)
    with quiet():
        ours = keras_model.predict(rows, verbose=0)
        theirs = keras_restored.predict(rows, verbose=0)
        from_file = keras.models.load_model(path).predict(rows, verbose=0)
    expect(np.allclose(from_file, ours, atol=1e-6),
           "the model in `KERAS_PATH` does not predict like `keras_model`: save the trained "
           "model.")
    expect(np.allclose(theirs, ours, atol=1e-6),
           "`keras_restored` does not predict like `keras_model`: load it from `KERAS_PATH`.")
    return f"a .keras archive ({', '.join(sorted(names))}), same predictions."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "A Keras model saves itself: `keras_model.save(path)`; the `.keras` suffix picks the "
        "format.",
        "`keras.models.load_model(path)` rebuilds the model from the file.",
        "`keras_model.save(KERAS_PATH)`, then "
        "`keras_restored = keras.models.load_model(KERAS_PATH)`.",
    ],
)


# -- q3: a data hash and versions recorded with the model ----------------------------------
def _fingerprint(frame) -> str:
    """The notebook's fingerprint: SHA-256 of the row hashes (values only, not the index) and
    the column names."""
    import pandas as pd

    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(rows.tobytes() + "|".join(map(str, frame.columns)).encode()).hexdigest()


def _check_q3(provenance_run_id, train, X_test) -> str:
    import platform

    import mlflow
    import pandas as pd
    import sklearn

    run = expect_mlflow_run(provenance_run_id, "provenance_run_id")
    expect(run.info.run_name == RUN_NAME,
           f"the run should be named {RUN_NAME!r} (`mlflow.start_run(run_name=...)`).")
    tags, params = run.data.tags, run.data.params
    if "data_sha256" not in tags:
        if "data_sha256" in params:
            fail("`data_sha256` was logged as a parameter; the task asks for tags "
                 "(`mlflow.set_tags`).")
        fail("no tag `data_sha256`: the model's run does not say which data it learned from.")
    recorded = tags["data_sha256"]
    if recorded != _fingerprint(train):
        if recorded == _fingerprint(X_test):
            fail("`data_sha256` is the hash of the test rows; record the data the model was "
                 "trained on, `train`.")
        if recorded == _fingerprint(train.iloc[:, :-1]):
            fail("`data_sha256` is the hash of the features only; hash the training table "
                 "`train`, target included.")
        fail("`data_sha256` is not the `fingerprint` of the training table `train`.")
    for tag, version in (("python", platform.python_version()),
                         ("scikit-learn", sklearn.__version__), ("pandas", pd.__version__)):
        expect(tag in tags, f"no tag `{tag}`: record the version the model ran with.")
        expect(tags[tag] == version,
               f"the `{tag}` tag does not match the version this kernel runs: read it from the "
               "environment instead of typing it.")
    with quiet():
        models = mlflow.search_logged_models(
            experiment_ids=[run.info.experiment_id],
            filter_string=f"source_run_id = '{run.info.run_id}'", output_format="list")
    expect(models, "no model was logged in this run: log `pipeline` inside the same "
                   "`with mlflow.start_run(...)` block, so tags and model belong together.")
    with quiet():
        signature = mlflow.models.get_model_info(f"models:/{models[0].model_id}").signature
    expect(signature is not None,
           "the model was logged without a signature: pass "
           "`signature=infer_signature(X_train, pipeline.predict(X_train))` to `log_model`, "
           "as in section 4.")
    return "data hash, Python, scikit-learn and pandas versions, and the model, all in one run."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Open `with mlflow.start_run(run_name=\"with-provenance\") as provenance_run:` and do "
        "everything inside it.",
        "`mlflow.set_tags({...})` with `fingerprint(train)`, `platform.python_version()`, "
        "`sklearn.__version__` and `pd.__version__`; then `mlflow.sklearn.log_model(...)` as "
        "in section 4.",
        "After the block: `provenance_run_id = provenance_run.info.run_id`.",
    ],
)
