"""Checks for 05_mlops/01_experiment_tracking: a run with per-epoch metrics, an artifact and a
tag, a grid as nested runs, the best run found with ``search_runs``.

Every check receives the learner's run id first, reads the run back from the tracking store
MLflow is pointed at (the notebook's ``use_experiment`` set it), and verifies what was logged
there, not what the learner's Python objects hold. Where a value can be recomputed (the
validation loss per epoch, the F1 of each class weight) the check retrains the same small model
from the data it was given. MLflow and scikit-learn are imported inside the checks.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import expect_frame, expect_mlflow_run, quiet
from ..exercises import Exercise, expect, fail

NOTEBOOK = "05_mlops/01_experiment_tracking"

TOLERANCE = 1e-6
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CLASS_WEIGHTS = (None, "balanced")


def _sgd_losses(X_train, y_train, X_eval, y_eval, alpha: float, epochs: int, seed: int):
    """The log-loss on (X_eval, y_eval) after each epoch of the notebook's SGD model."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import log_loss

    model = SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed)
    losses = []
    with quiet():
        for _ in range(epochs):
            model.partial_fit(X_train, y_train, classes=[0, 1])
            losses.append(log_loss(y_eval, model.predict_proba(X_eval)))
    return np.array(losses)


def _same_number(text: str, number: float) -> bool:
    try:
        return abs(float(text) - float(number)) <= 1e-12 * max(1.0, abs(float(number)))
    except ValueError:
        return False


# -- q1: a run with parameters and a validation loss per epoch ----------------------------
def _check_q1(run_id, X_train, y_train, X_val, y_val, alpha, epochs, seed) -> str:
    from mlflow import MlflowClient

    run = expect_mlflow_run(run_id, "run_id")
    params, metrics = run.data.params, run.data.metrics
    for key in ("alpha", "epochs"):
        if key not in params and key in metrics:
            fail(f"`{key}` was logged as a metric; it is a setting, so log it as a parameter "
                 "(`mlflow.log_param` or `log_params`).")
        expect(key in params, f"the run has no parameter `{key}`: log it with "
                              "`mlflow.log_param(s)`.")
    expect(_same_number(params["alpha"], alpha),
           "the parameter `alpha` does not hold the alpha the task asks for (10 * ALPHA).")
    expect(_same_number(params["epochs"], epochs),
           "the parameter `epochs` does not hold the number of epochs the model was trained for.")
    expect("val_loss" in metrics,
           "the run has no metric named `val_loss`"
           + (f" (it has {', '.join(sorted(metrics))})." if metrics else "."))
    history = MlflowClient().get_metric_history(run.info.run_id, "val_loss")
    if len(history) == 1:
        fail("`val_loss` holds a single value: it was logged once, after training. Log it "
             "inside the epoch loop, once per epoch, with `step=epoch`.")
    steps = sorted(m.step for m in history)
    if len(set(steps)) == 1:
        fail(f"`val_loss` has {len(history)} values, all at step {steps[0]}: pass "
             "`step=epoch` to `log_metric`, so that each value is placed at its epoch.")
    expect(len(history) == epochs,
           f"`val_loss` has {len(history)} values; train for `epochs` epochs and log one value "
           "per epoch.")
    expect(steps == list(range(epochs)) or steps == list(range(1, epochs + 1)),
           "the steps of `val_loss` should number the epochs, 0, 1, 2, ... (`step=epoch`).")
    logged = np.array([m.value for m in sorted(history, key=lambda m: m.step)])
    if np.allclose(logged, _sgd_losses(X_train, y_train, X_val, y_val, alpha, epochs, seed),
                   atol=TOLERANCE):
        return f"{epochs} epochs logged; the validation loss went from {logged[0]:.3f} to " \
               f"{logged[-1]:.3f}."
    if np.allclose(logged, _sgd_losses(X_train, y_train, X_train, y_train, alpha, epochs, seed),
                   atol=TOLERANCE):
        fail("these values are the loss on the TRAINING rows; `val_loss` is measured on "
             "`X_val_s`, `y_val`.")
    fail("the values of `val_loss` do not match the validation log-loss of "
         "`SGDClassifier(loss='log_loss', alpha=10 * ALPHA, random_state=SEED)` trained with "
         "`partial_fit` on `X_train_s`: check the model, the data and that `log_loss` gets "
         "`predict_proba`'s probabilities.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Open the run with `with mlflow.start_run() as new_run:` and put the training loop "
        "inside the block; `new_run.info.run_id` is the id.",
        "`mlflow.log_params({\"alpha\": ..., \"epochs\": ...})` once, then in the loop after each "
        "`partial_fit`: `mlflow.log_metric(\"val_loss\", ..., step=epoch)`.",
        "The validation loss of one epoch is `log_loss(y_val, model.predict_proba(X_val_s))`.",
    ],
)


def _artifact_paths(client, run_id: str, path: str | None = None) -> list[str]:
    """Every file artifact of a run, folders walked."""
    found = []
    for item in client.list_artifacts(run_id, path):
        found += _artifact_paths(client, run_id, item.path) if item.is_dir else [item.path]
    return found


# -- q2: a figure as an artifact, and a tag -------------------------------------------------
def _check_q2(artifact_run_id) -> str:
    from mlflow import MlflowClient

    run = expect_mlflow_run(artifact_run_id, "artifact_run_id")
    client = MlflowClient()
    paths = _artifact_paths(client, run.info.run_id)
    if "confusion_matrix.png" not in paths:
        pngs = [p for p in paths if p.endswith(".png")]
        if pngs:
            fail(f"the run has an image artifact, but not under the name `confusion_matrix.png` "
                 f"(it has {', '.join(pngs)}): log it at the top level under exactly that name.")
        fail("the run has no artifact `confusion_matrix.png`. Saving a figure with `savefig` "
             "only writes it to your disk; `mlflow.log_figure(fig, \"confusion_matrix.png\")` "
             "stores it with the run.")
    with open(client.download_artifacts(run.info.run_id, "confusion_matrix.png"), "rb") as f:
        head = f.read(8)
    expect(head == PNG_MAGIC, "`confusion_matrix.png` is not a PNG image: log the figure "
                              "itself with `mlflow.log_figure`.")
    tags, params = run.data.tags, run.data.params
    if "dataset" not in tags and "dataset" in params:
        fail("`dataset` was logged as a parameter; the task asks for a tag "
             "(`mlflow.set_tag`). Tags are labels you can change later, parameters are inputs.")
    expect("dataset" in tags, "the run has no tag `dataset`: set it with `mlflow.set_tag`.")
    expect(tags["dataset"] == "churn", "the tag `dataset` should say which data the run used, "
                                       "`churn`.")
    return "the confusion matrix is stored with the run, and the run is tagged."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Everything goes inside one `with mlflow.start_run() as artifact_run:` block.",
        "Draw the matrix as in the lesson (`ConfusionMatrixDisplay.from_estimator(sgd, X_val_s, "
        "y_val, ax=ax)`), then `mlflow.log_figure(fig, \"confusion_matrix.png\")`.",
        "`mlflow.set_tag(\"dataset\", \"churn\")` in the same block; after the block, "
        "`artifact_run_id = artifact_run.info.run_id`.",
    ],
)


# -- q3: a grid as nested runs --------------------------------------------------------------
def _check_q3(parent_id, X_train, y_train, X_val, y_val) -> str:
    import mlflow
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    parent = expect_mlflow_run(parent_id, "parent_id")
    expect("mlflow.parentRunId" not in parent.data.tags,
           "`parent_id` holds a child run (it has a parent itself); store the id of the "
           "parent run, the one the children are nested in.")
    experiment = [parent.info.experiment_id]
    children = mlflow.search_runs(
        experiment_ids=experiment, output_format="list",
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    if not children:
        siblings = mlflow.search_runs(
            experiment_ids=experiment, output_format="list",
            filter_string=f"attributes.start_time >= {parent.info.start_time}")
        if any("class_weight" in r.data.params and r.info.run_id != parent.info.run_id
               for r in siblings):
            fail("the parent run has no child runs, but runs with a `class_weight` were "
                 "logged after it: start each child with `mlflow.start_run(nested=True)` "
                 "inside the parent's `with` block.")
        fail("the parent run has no child runs: inside its `with` block, start one run per "
             "class weight with `mlflow.start_run(nested=True)`.")
    if "class_weight" in parent.data.params and len(children) < len(CLASS_WEIGHTS):
        fail("the parent run itself logs a `class_weight`: each class weight needs its own "
             "child run.")
    weights = [r.data.params.get("class_weight") for r in children]
    expect(None not in weights, "a child run has no parameter `class_weight`: log it with "
                                "`mlflow.log_param(\"class_weight\", str(class_weight))`.")
    expect(len(children) == len(CLASS_WEIGHTS),
           f"the parent run has {len(children)} child runs; the grid has "
           f"{len(CLASS_WEIGHTS)} values of `class_weight`, one child each.")
    expect(sorted(weights) == sorted(str(w) for w in CLASS_WEIGHTS),
           "the children's `class_weight` parameters should be `None` and `balanced` (one "
           "child each, logged as `str(class_weight)`).")
    with quiet():
        for child in children:
            expect("val_f1" in child.data.metrics,
                   "a child run has no metric `val_f1`: log the F1 of its model on the "
                   "validation set.")
            weight = child.data.params["class_weight"]
            model = make_pipeline(StandardScaler(), LogisticRegression(
                class_weight=None if weight == "None" else weight)).fit(X_train, y_train)
            value = child.data.metrics["val_f1"]
            if abs(value - f1_score(y_val, model.predict(X_val))) <= TOLERANCE:
                continue
            if abs(value - f1_score(y_train, model.predict(X_train))) <= TOLERANCE:
                fail(f"the child with class_weight={weight} logged the F1 on the TRAINING "
                     "rows; `val_f1` is measured on `X_val`, `y_val`.")
            fail(f"the `val_f1` of the child with class_weight={weight} does not match "
                 "the validation F1 of `make_pipeline(StandardScaler(), "
                 "LogisticRegression(class_weight=...))` fitted on `X_train`, `y_train`.")
    return "two child runs nested in one parent run."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "The shape: `with mlflow.start_run() as parent:` and, inside it, a loop with "
        "`with mlflow.start_run(nested=True):` for each class weight.",
        "In each child: fit the pipeline, `mlflow.log_param(\"class_weight\", "
        "str(class_weight))` and `mlflow.log_metric(\"val_f1\", f1_score(y_val, "
        "clf.predict(X_val)))`.",
        "After the parent's block: `parent_id = parent.info.run_id`.",
    ],
)


# -- q4: the best child of the grid, found with search_runs ----------------------------------
def _check_q4(ranked, best_run_id, grid_run_id) -> str:
    import mlflow

    grid = expect_mlflow_run(grid_run_id, "grid_run_id")
    frame = expect_frame(ranked, "ranked", "(what `mlflow.search_runs` returns)")
    expect("run_id" in frame.columns, "`ranked` has no `run_id` column: keep the DataFrame "
                                      "`mlflow.search_runs` returns as it is.")
    children = mlflow.search_runs(
        experiment_ids=[grid.info.experiment_id], output_format="list",
        filter_string=f"tags.mlflow.parentRunId = '{grid.info.run_id}'")
    f1 = {r.info.run_id: r.data.metrics["val_f1"] for r in children}
    auc = {r.info.run_id: r.data.metrics.get("val_roc_auc", np.nan) for r in children}
    listed = list(frame["run_id"])
    if any(run_id not in f1 for run_id in listed):
        fail("`ranked` holds runs that are not children of the grid (the parent run, or other "
             "runs of the experiment): filter `search_runs` with "
             "`filter_string=f\"tags.mlflow.parentRunId = '{grid_run_id}'\"`.")
    expect(len(listed) == len(set(listed)) and set(listed) == set(f1),
           f"`ranked` has {len(listed)} rows, but the grid has {len(f1)} child runs: filter on "
           "the parent run id and nothing else.")

    run = expect_mlflow_run(best_run_id, "best_run_id")
    if run.info.run_id == grid.info.run_id:
        fail("`best_run_id` is the grid's parent run, which has no F1 of its own: filter on "
             "the children, `tags.mlflow.parentRunId = '<grid_run_id>'`.")
    if run.info.run_id not in f1:
        fail("`best_run_id` is not one of the grid's child runs: filter `search_runs` with "
             "`filter_string=f\"tags.mlflow.parentRunId = '{grid_run_id}'\"`.")
    mine = f1[run.info.run_id]
    if mine < max(f1.values()):
        best_auc = auc[run.info.run_id] >= np.nanmax(list(auc.values()))
        lowest = mine <= min(f1.values())
        if best_auc and lowest:
            fail("this child has the LOWEST validation F1: did you sort in ascending order "
                 "(`order_by` does unless you write `DESC` after the column name), or by ROC "
                 "AUC instead of F1 (`metrics.val_f1`)?")
        if best_auc:
            fail("this child has the best ROC AUC, but the task asks for the best validation "
                 "F1 (`metrics.val_f1`).")
        if lowest:
            fail("this is the child with the LOWEST validation F1: `order_by` sorts in "
                 "ascending order unless you write `DESC` after the column name.")
        fail("another child of the grid has a higher validation F1: order by `metrics.val_f1` "
             "descending and take the first row's `run_id`.")
    values = [f1[run_id] for run_id in listed]
    if values == sorted(values) and values != sorted(values, reverse=True):
        fail("`ranked` is in ascending order of F1, worst first: `order_by` sorts in ascending "
             "order unless you write `DESC` after the column name.")
    expect(values == sorted(values, reverse=True),
           "`ranked` is not ordered by validation F1, best first: "
           "`order_by=[\"metrics.val_f1 DESC\"]`.")
    return f"validation F1 {mine:.3f}, the highest of the {len(f1)} child runs."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Copy the lesson's `mlflow.search_runs(...)` call: it already filters on the grid's "
        "children.",
        "`order_by=[\"metrics.val_f1 DESC\"]` puts the best F1 in the first row.",
        "The id is in the `run_id` column: `ranked[\"run_id\"].iloc[0]`.",
    ],
)
