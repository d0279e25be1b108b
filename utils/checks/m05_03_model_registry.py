"""Checks for 05_mlops/03_model_registry: a model logged with a signature and an input example,
champion and challenger compared by alias and the better one promoted, the champion called
over HTTP.

The checks receive the learner's answers first, then what the notebook gave them (the fitted
challenger, the registered versions, the client, the data). They read back from the MLflow
store what was really logged and where the aliases point, and compute every reference from
those inputs. MLflow, scikit-learn and pandas' heavier parts are imported inside the checks.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..check_helpers import expect_number, expect_type, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "05_mlops/03_model_registry"

TOLERANCE = 1e-9
RUN_NAME = "challenger-checked"
ALIASES = ("champion", "challenger")
LAYOUTS = ("dataframe_split", "dataframe_records", "inputs", "instances")


# -- q1: log the challenger with a signature and an input example ---------------------------
def _check_q1(model_info, challenger_model, X_train) -> str:
    import mlflow
    from mlflow.entities.model_registry import ModelVersion
    from mlflow.models.model import ModelInfo

    if isinstance(model_info, str):
        fail("`model_info` is a string; keep the `ModelInfo` object that "
             "`mlflow.sklearn.log_model(...)` returns.")
    if isinstance(model_info, ModelVersion):
        fail("`model_info` is a registered ModelVersion; the task asks you to log the model "
             "only and keep what `log_model` returns.")
    expect_type(model_info, ModelInfo, "model_info", "(what `mlflow.sklearn.log_model` returns)")
    with quiet():
        info = mlflow.models.get_model_info(model_info.model_uri)  # read back from the store
        run = mlflow.MlflowClient().get_run(info.run_id) if info.run_id else None
    expect(run is not None and run.info.run_name == RUN_NAME,
           f"log the model inside `mlflow.start_run(run_name=\"{RUN_NAME}\")`, so it belongs "
           "to a run of its own with that name.")
    signature = info.signature
    expect(signature is not None,
           "the model was logged without a signature, so it accepts any input. Pass "
           "`signature=infer_signature(...)` to `log_model`.")
    if signature.inputs.is_tensor_spec():
        fail("the signature was inferred from a NumPy array: the column names are lost and a "
             "caller's columns would be matched by position. Infer it from the DataFrame "
             "`X_train` itself, not `X_train.values`.")
    names = signature.inputs.input_names()
    expect(list(names) == [str(c) for c in X_train.columns],
           "the signature's input columns are not those of `X_train` (in its order): infer it "
           "from the training features, without the target.")
    expect(signature.outputs is not None,
           "the signature has no outputs: give `infer_signature` the model's predictions as "
           "its second argument.")
    with quiet():
        from mlflow.models import infer_signature

        reference = infer_signature(X_train, challenger_model.predict(X_train))
    expect(signature.inputs.to_dict() == reference.inputs.to_dict(),
           "the signature was not inferred from the training data: its column types or "
           "optional flags differ from `infer_signature(X_train, ...)`. Given only an input "
           "example, MLflow infers the signature from those few rows; pass "
           "`signature=infer_signature(X_train, challenger_model.predict(X_train))`.")
    expect(info.saved_input_example_info is not None,
           "the model was logged without an input example: pass a few training rows as "
           "`input_example=`.")
    with quiet():
        loaded = mlflow.sklearn.load_model(model_info.model_uri)
        rows = X_train.head(50)
        same = np.array_equal(loaded.predict(rows), challenger_model.predict(rows))
    expect(same, "the logged model does not predict like `challenger_model`: log that model.")
    return f"signature with {len(names)} named inputs, an input example, run {RUN_NAME!r}."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Inside `with mlflow.start_run(run_name=...):` call `mlflow.sklearn.log_model(...)` "
        "and keep what it returns; after the block, store it in `model_info`.",
        "`infer_signature(X_train, challenger_model.predict(X_train))` keeps the column names "
        "because `X_train` is a DataFrame; `input_example=X_train.head(3)`.",
        "`log_model(challenger_model, name=\"model\", signature=..., input_example=..., "
        "skops_trusted_types=skops.io.get_untrusted_types(data=skops.io.dumps(challenger_model)))`.",
    ],
)


# -- q2: compare by alias, promote the better one ----------------------------------------
def _expect_alias_uri(uri: object, name: str, model_name: str, alias: str) -> None:
    expect_type(uri, str, name, "(a model URI)")
    if re.fullmatch(rf"models:/{re.escape(model_name)}/\d+", uri.strip()):
        fail(f"`{name}` loads a version number: the numbers differ on every run and in every "
             "store. Load by alias, `models:/<name>@<alias>`.")
    if uri.startswith(("runs:/", "models:/m-")):
        fail(f"`{name}` points at one logged model, not at the registry: load by alias, "
             "`models:/<name>@<alias>`.")
    other = "challenger" if alias == "champion" else "champion"
    if uri == f"models:/{model_name}@{other}":
        fail(f"`{name}` names the @{other} alias; `{name}` should load @{alias}.")
    expect(uri == f"models:/{model_name}@{alias}",
           f"`{name}` should be the registry URI of the @{alias} alias of MODEL_NAME "
           "(`models:/<name>@<alias>`).")


def _auc_pair(model, X, y) -> tuple[float, float]:
    from sklearn.metrics import roc_auc_score

    return (roc_auc_score(y, model.predict_proba(X)[:, 1]), roc_auc_score(y, model.predict(X)))


def _same_auc(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def _check_q2(champion_uri, challenger_uri, scores, client, model_name, champion_version,
              challenger_version, X_val, y_val, X_test, y_test) -> str:
    import mlflow

    _expect_alias_uri(champion_uri, "champion_uri", model_name, "champion")
    _expect_alias_uri(challenger_uri, "challenger_uri", model_name, "challenger")
    expect_type(scores, dict, "scores", "({\"champion\": AUC, \"challenger\": AUC})")
    expect(sorted(map(str, scores)) == sorted(ALIASES),
           "`scores` should have exactly the keys 'champion' and 'challenger'.")
    got = {alias: expect_number(scores[alias], f"scores[{alias!r}]") for alias in ALIASES}
    versions = {"champion": str(champion_version.version),
                "challenger": str(challenger_version.version)}
    val, test, labels = {}, {}, {}
    with quiet():
        for alias, version in versions.items():
            model = mlflow.sklearn.load_model(f"models:/{model_name}/{version}")
            val[alias], labels[alias] = _auc_pair(model, X_val, y_val)
            test[alias], _ = _auc_pair(model, X_test, y_test)
    if all(_same_auc(got[a], test[a]) for a in ALIASES):
        fail("these are test-set scores. The test set is kept for the final number, after "
             "the decision: compare on X_val, y_val.")
    if all(_same_auc(got[a], labels[a]) for a in ALIASES):
        fail("these AUCs come from the 0/1 labels of `predict`; ROC AUC needs the scores of "
             "`predict_proba(X_val)[:, 1]`.")
    if (_same_auc(got["champion"], val["challenger"])
            and _same_auc(got["challenger"], val["champion"])):
        fail("the two scores are swapped: each key should hold the AUC of the model loaded "
             "with that alias.")
    better = "challenger" if val["challenger"] > val["champion"] else "champion"
    worse = "champion" if better == "challenger" else "challenger"
    current = str(client.get_model_version_by_alias(model_name, "champion").version)
    if (all(_same_auc(got[a], val[better]) for a in ALIASES)
            and current == versions[better] and not _same_auc(val[better], val[worse])):
        fail(f"both scores are the {better}'s: @champion already points at its version, moved "
             "there by an earlier run of this cell. Re-run the cell of section 2 that sets the "
             "aliases (`set_registered_model_alias`), then this cell again.")
    for alias in ALIASES:
        expect(_same_auc(got[alias], val[alias]),
               f"scores[{alias!r}] is not the validation ROC AUC of the model behind @{alias}: "
               "use `roc_auc_score(y_val, model.predict_proba(X_val)[:, 1])`.")
    if current == versions[worse]:
        fail("@champion points at the version with the LOWER validation AUC. A higher AUC is "
             "better: did you sort ascending, or compare the wrong way round?")
    expect(current == versions[better],
           "@champion points at a version this comparison did not involve (a version number "
           "typed by hand?): move it with `client.set_registered_model_alias` to the winner's "
           "version, read from `client.get_model_version_by_alias`.")
    return f"@champion is now the {better} (validation AUC {val[better]:.3f} vs {val[worse]:.3f})."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Both URIs have the form `models:/<registered name>@<alias>`; "
        "`mlflow.sklearn.load_model(uri)` gives back the fitted pipeline.",
        "Score each loaded model with `roc_auc_score(y_val, model.predict_proba(X_val)[:, 1])`; "
        "higher is better.",
        "If the challenger wins: `client.set_registered_model_alias(MODEL_NAME, \"champion\", "
        "client.get_model_version_by_alias(MODEL_NAME, \"challenger\").version)`.",
    ],
)


# -- q3: call the served champion over HTTP ------------------------------------------------
def _expect_payload(payload: object, rows: pd.DataFrame) -> None:
    if isinstance(payload, pd.DataFrame):
        fail("`payload` is the DataFrame itself; the body is a JSON-ready dict such as "
             "`{\"dataframe_split\": ...}`.")
    if isinstance(payload, str | bytes):
        fail("`payload` is a string: `to_json()` already makes JSON, and `json=` would encode "
             "it a second time. Build a dict (`to_dict(orient=\"split\")`) and let "
             "`requests` encode it.")
    expect_type(payload, dict, "payload", "(the JSON body you posted)")
    if "dataframe_split" not in payload:
        if set(map(str, payload)) <= {"columns", "index", "data"}:
            fail("`payload` is the table without its wrapper: the server needs to be told the "
                 "layout, `{\"dataframe_split\": <the table>}`.")
        others = [key for key in LAYOUTS if key in payload]
        if others:
            fail(f"`payload` uses the `{others[0]}` layout; the task asks for "
                 "`dataframe_split`.")
        fail("`payload` should be `{\"dataframe_split\": {\"columns\": [...], \"data\": [...]}}`.")
    expect(len(payload) == 1, "`payload` should hold one key only, `dataframe_split`.")
    split = payload["dataframe_split"]
    expect(isinstance(split, dict) and "columns" in split and "data" in split,
           "`payload[\"dataframe_split\"]` should be a dict with \"columns\" and \"data\" "
           "(what `to_dict(orient=\"split\")` gives).")
    expect([str(c) for c in split["columns"]] == [str(c) for c in rows.columns],
           "the columns you sent are not those of `request_rows`, in their order.")
    try:
        sent = pd.DataFrame(split["data"], columns=list(rows.columns))
    except (TypeError, ValueError) as error:
        fail(f"`payload[\"dataframe_split\"][\"data\"]` is not a table of rows: {error}")
    expect(len(sent) == len(rows),
           f"you sent {len(sent)} rows; send the {len(rows)} rows of `request_rows`.")
    same = all(
        np.allclose(pd.to_numeric(sent[c], errors="coerce"), rows[c], equal_nan=True)
        if pd.api.types.is_numeric_dtype(rows[c])
        else sent[c].astype(str).tolist() == rows[c].astype(str).tolist()
        for c in rows.columns)
    expect(same, "the rows you sent are not `request_rows`.")


def _check_q3(payload, predictions, request_rows, model_name) -> str:
    import mlflow

    _expect_payload(payload, request_rows)
    if isinstance(predictions, dict):
        fail("`predictions` is the whole response body; the server wraps the predictions as "
             "`{\"predictions\": [...]}`: keep only that list.")
    if hasattr(predictions, "status_code"):
        fail("`predictions` is the HTTP response; decode it with `.json()` and keep its "
             "\"predictions\".")
    expect(isinstance(predictions, list | np.ndarray | pd.Series),
           f"`predictions` should be the list the server returned, not a {type_name(predictions)}.")
    expect(len(predictions) == len(request_rows),
           f"`predictions` has {len(predictions)} values for {len(request_rows)} rows.")
    with quiet():
        champion = mlflow.pyfunc.load_model(f"models:/{model_name}@champion")
        expected = np.asarray(champion.predict(request_rows))
    try:
        answer = np.asarray(predictions, dtype=float)
    except (TypeError, ValueError):
        fail("`predictions` should hold numbers (the model's 0/1 labels).")
    expect(answer.shape == expected.shape and np.array_equal(answer, expected),
           "`predictions` are not what the @champion model predicts for `request_rows`: post "
           "them to the running server and keep its answer.")
    return f"the server answered {len(predictions)} predictions, the champion's own."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`request_rows.to_dict(orient=\"split\")` gives the columns and rows; wrap it as the "
        "value of the key \"dataframe_split\".",
        "`requests.post(server.url + \"/invocations\", json=payload, timeout=30)` sends it; "
        "`response.json()` decodes the answer.",
        "The answer is `{\"predictions\": [...]}`: "
        "`predictions = response.json()[\"predictions\"]`.",
    ],
)
