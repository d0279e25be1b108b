"""Checks for 05_mlops/02_tracking_server: a run made with ``MlflowClient`` and ended, a
training script run as a separate process that logs to the server, this execution's script
runs queried back in the right order.

Every check receives the learner's answer first, then the server's tracking URI (the notebook's
``tracking_uri``), the experiment's name and, where runs are grouped, the execution's
``launch`` tag. It looks the runs up on that server over HTTP, so a run that went to another
store (a local ``mlflow.db``) is found missing. MLflow is imported inside the checks.
"""

from __future__ import annotations

import re
import subprocess

from ..check_helpers import expect_frame, expect_mlflow_run, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "05_mlops/02_tracking_server"

RUN_ID = re.compile(r"^[0-9a-f]{32}$", re.M)


def _experiment_id(tracking_uri: str, experiment_name: str) -> str:
    """The id of the notebook's experiment on the server (it exists: the lesson made it)."""
    from mlflow import MlflowClient

    experiment = MlflowClient(tracking_uri).get_experiment_by_name(experiment_name)
    expect(experiment is not None, f"the server has no experiment {experiment_name!r}: run the "
                                   "lesson's cells above this exercise first.")
    return experiment.experiment_id


def _param_is(text: str | None, number: float) -> bool:
    """A logged parameter (always text) that reads as ``number``."""
    try:
        return abs(float(text) - number) <= 1e-12 * max(1.0, abs(number))
    except (TypeError, ValueError):
        return False


# -- q1: a run made, filled and ended with MlflowClient ---------------------------------------
def _check_q1(client_run_id, tracking_uri, experiment_name, launch) -> str:
    run = expect_mlflow_run(client_run_id, "client_run_id", tracking_uri, finished=False)
    expect(run.info.experiment_id == _experiment_id(tracking_uri, experiment_name),
           f"the run is on the server but not in the experiment {experiment_name!r}: pass "
           "`experiment.experiment_id` to `client.create_run`.")
    tag = run.data.tags.get("launch")
    expect(tag is not None, "the run has no `launch` tag: pass `tags={\"launch\": launch}` to "
                            "`client.create_run`, as the other runs of this execution have.")
    expect(tag == launch, "the run's `launch` tag is not this execution's: use the value of the "
                          "variable `launch`, not the word \"launch\".")
    params, metrics = run.data.params, run.data.metrics
    if "alpha" not in params and "alpha" in metrics:
        fail("`alpha` was logged as a metric; it is a setting: `client.log_param`.")
    expect("alpha" in params, "the run has no parameter `alpha`: "
                              "`client.log_param(client_run_id, \"alpha\", 0.001)`.")
    expect(_param_is(params["alpha"], 0.001), "the parameter `alpha` should be 0.001.")
    if "val_loss" not in metrics and "val_loss" in params:
        fail("`val_loss` was logged as a parameter; it is a measurement: `client.log_metric`.")
    expect("val_loss" in metrics, "the run has no metric `val_loss`: "
                                  "`client.log_metric(client_run_id, \"val_loss\", 0.42)`.")
    expect(abs(metrics["val_loss"] - 0.42) < 1e-12, "the metric `val_loss` should be 0.42.")
    expect(run.info.status != "RUNNING",
           "the run is still RUNNING: a run made with `client.create_run` stays open until "
           "you call `client.set_terminated(client_run_id)`.")
    expect(run.info.status == "FINISHED",
           f"the run ended with the status {run.info.status}: `set_terminated` with its "
           "default status marks it FINISHED.")
    return "created, filled and finished over HTTP."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`client.create_run(experiment.experiment_id, tags={\"launch\": launch})` returns a "
        "`Run`; its id is `.info.run_id`.",
        "Every client call names the run: `client.log_param(client_run_id, \"alpha\", 0.001)`, "
        "`client.log_metric(client_run_id, \"val_loss\", 0.42)`.",
        "Last: `client.set_terminated(client_run_id)` marks the run FINISHED.",
    ],
)


# -- q2: the training script as a separate process, logging to the server -------------------
def _check_q2(result, tracking_uri, experiment_name, launch, alpha) -> str:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    if isinstance(result, subprocess.Popen):
        fail("`result` is a Popen (a process that may still run); use `subprocess.run`, "
             "which waits for the script and returns a CompletedProcess.")
    if isinstance(result, str | bytes):
        fail("`result` is the script's output text; store the CompletedProcess that "
             "`subprocess.run` returns.")
    expect(isinstance(result, subprocess.CompletedProcess),
           f"`result` should be what `subprocess.run` returns (a CompletedProcess), not a "
           f"{type_name(result)}.")
    stdout, stderr = result.stdout, result.stderr
    if stdout is None:
        fail("`result.stdout` is empty because the output was not captured: pass "
             "`capture_output=True, text=True` to `subprocess.run`.")
    if isinstance(stdout, bytes):
        fail("the output was captured as bytes: add `text=True` to `subprocess.run`.")
    if result.returncode != 0:
        last = (stderr or "").strip().splitlines()[-1:] or ["(no error output)"]
        fail(f"the script failed (exit code {result.returncode}); the last line of its error "
             f"output: {last[0][:300]}")
    run_ids = RUN_ID.findall(stdout)
    expect(len(run_ids) == 1, f"the script printed {len(run_ids)} run ids; run it for the "
                              "single value `--alpha 0.1`.")
    client = MlflowClient(tracking_uri)
    try:
        run = client.get_run(run_ids[0])
    except MlflowException:
        fail("the script's run is not on the server: the `env=` you passed replaced the "
             "environment and has no MLFLOW_TRACKING_URI, so the script wrote to a local "
             "mlflow.db. Start from `{**os.environ, ...}` and add MLFLOW_TRACKING_URI.")
    experiment_id = _experiment_id(tracking_uri, experiment_name)
    if run.info.experiment_id != experiment_id:
        other = client.get_experiment(run.info.experiment_id).name
        fail(f"the script's run is on the server, but in the experiment {other!r}: pass "
             f"MLFLOW_EXPERIMENT_NAME in `env=` too.")
    expect(_param_is(run.data.params.get("alpha"), alpha),
           f"the script's run was trained with alpha={run.data.params.get('alpha')}; pass "
           f"`--alpha {alpha}`.")
    expect(run.data.tags.get("launch") == launch,
           "the script's run does not carry this execution's `launch` tag: pass "
           "`\"--launch\", launch` (the value of the variable `launch`) to the script.")
    return "the script's run is on the server, in the notebook's experiment."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Copy the lesson's `subprocess.run([...], env=..., cwd=folder, capture_output=True, "
        "text=True)` call and change the arguments after `--alpha`.",
        "The script needs `\"--data\", str(folder)`, `\"--alpha\", \"0.1\"` and "
        "`\"--launch\", launch` (the value of the variable); every argument in the list is a "
        "string.",
        "`env={**os.environ, \"MLFLOW_TRACKING_URI\": tracking_uri, "
        "\"MLFLOW_EXPERIMENT_NAME\": EXPERIMENT}`.",
    ],
)


# -- q3: this execution's script runs, lowest validation loss first --------------------------
def _check_q3(script_runs, tracking_uri, experiment_name, launch) -> str:
    from mlflow import MlflowClient

    frame = expect_frame(script_runs, "script_runs", "(what `mlflow.search_runs` returns)")
    expect("run_id" in frame.columns, "`script_runs` has no `run_id` column: keep the "
                                      "DataFrame `mlflow.search_runs` returns as it is.")
    expect(len(frame) > 0, "`script_runs` is empty: is MLflow pointed at the server, and do "
                           "the filter's values match the tags exactly (in single quotes)?")
    runs = MlflowClient(tracking_uri).search_runs(
        [_experiment_id(tracking_uri, experiment_name)],
        filter_string=f"tags.source = 'script' and tags.launch = '{launch}'")
    wanted = {run.info.run_id: run.data.metrics.get("val_loss") for run in runs}
    got = list(frame["run_id"])
    extra = [run_id for run_id in got if run_id not in wanted]
    if extra:
        fail(f"`script_runs` has {len(extra)} run(s) too many: filter on both tags, "
             "`tags.source = 'script' and tags.launch = '<launch>'`, so that neither the "
             "notebook's runs nor earlier executions' runs come in.")
    expect(len(got) == len(set(got)) and set(got) == set(wanted),
           f"`script_runs` has {len(got)} runs, but this execution's script logged "
           f"{len(wanted)}: query the server without other conditions.")
    losses = [wanted[run_id] for run_id in got]
    if losses == sorted(losses, reverse=True) and losses != sorted(losses):
        fail("the runs are in DESCENDING order of `val_loss`, worst first: for a loss, lower "
             "is better; order by `metrics.val_loss` ascending (the default, or `ASC`).")
    expect(losses == sorted(losses), "the runs are not ordered by `val_loss`: use "
                                     "`order_by=[\"metrics.val_loss ASC\"]`.")
    return f"{len(got)} script runs, best final validation loss {losses[0]:.3f} first."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "`mlflow.search_runs(experiment_names=[EXPERIMENT], filter_string=..., order_by=[...])` "
        "returns a DataFrame.",
        "Two conditions joined by `and`: `tags.source = 'script' and tags.launch = '...'` "
        "(an f-string puts `launch` in).",
        "`order_by=[\"metrics.val_loss ASC\"]`: the lowest loss first.",
    ],
)
