"""The checks of 05_mlops/02_tracking_server: right, wrong and not attempted.

The checks talk to whatever tracking URI they are given; here that is a throwaway SQLite store
(a server would answer the same queries, only slower to start: the notebook's own runs cover
the server). The training script's result is a ``CompletedProcess`` built here, whose output
names runs logged to this store, to another store, or to another experiment.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from mlflow import MlflowClient

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m05_02_tracking_server import q1, q2, q3

EXPERIMENT = "tracking-server-checks"
LAUNCH = "0123456789abcdef"


@pytest.fixture(scope="module")
def uri(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server-store")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    MlflowClient(uri).create_experiment(EXPERIMENT, artifact_location=(folder / "a").as_uri())
    return uri


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """Another store: where a run goes when the process does not know the server."""
    return MlflowClient(f"sqlite:///{tmp_path_factory.mktemp('local') / 'mlflow.db'}")


@pytest.fixture(scope="module")
def client(uri):
    return MlflowClient(uri)


@pytest.fixture(scope="module")
def experiment_id(client):
    return client.get_experiment_by_name(EXPERIMENT).experiment_id


# -- q1 -------------------------------------------------------------------------------------
def _client_run(client, experiment_id, *, end=True, alpha_as="param", loss_as="metric",
                alpha=0.001, status="FINISHED", launch=LAUNCH):
    tags = {"launch": launch} if launch else {}
    run_id = client.create_run(experiment_id, tags=tags).info.run_id
    (client.log_param if alpha_as == "param" else client.log_metric)(run_id, "alpha", alpha)
    (client.log_metric if loss_as == "metric" else client.log_param)(run_id, "val_loss", 0.42)
    if end:
        client.set_terminated(run_id, status=status)
    return run_id


def test_q1_passes_on_a_finished_client_run(uri, client, experiment_id):
    assert_passes(q1, _client_run(client, experiment_id), uri, EXPERIMENT, LAUNCH)


def test_q1_pending(uri):
    assert_pending(q1)
    assert_pending(q1, ..., uri, EXPERIMENT, LAUNCH)


def test_q1_rejects_a_run_left_running_or_failed(uri, client, experiment_id):
    assert_rejects(q1, _client_run(client, experiment_id, end=False), uri, EXPERIMENT, LAUNCH,
                   mentions="set_terminated")
    assert_rejects(q1, _client_run(client, experiment_id, status="FAILED"), uri, EXPERIMENT,
                   LAUNCH, mentions="FAILED")


def test_q1_rejects_swapped_kinds_and_wrong_values(uri, client, experiment_id):
    assert_rejects(q1, _client_run(client, experiment_id, alpha_as="metric"), uri, EXPERIMENT,
                   LAUNCH, mentions="logged as a metric")
    assert_rejects(q1, _client_run(client, experiment_id, loss_as="param"), uri, EXPERIMENT,
                   LAUNCH, mentions="logged as a parameter")
    assert_rejects(q1, _client_run(client, experiment_id, alpha=0.01), uri, EXPERIMENT, LAUNCH,
                   mentions="should be 0.001")


def test_q1_rejects_another_experiment_another_store_and_a_run_object(uri, client, local):
    default = client.get_experiment_by_name("Default").experiment_id
    assert_rejects(q1, _client_run(client, default), uri, EXPERIMENT, LAUNCH,
                   mentions="experiment")
    local_id = _client_run(local, local.get_experiment_by_name("Default").experiment_id)
    assert_rejects(q1, local_id, uri, EXPERIMENT, LAUNCH, mentions="another tracking URI")
    run = client.get_run(_client_run(client, client.get_experiment_by_name(EXPERIMENT)
                                     .experiment_id))
    assert_rejects(q1, run, uri, EXPERIMENT, LAUNCH, mentions="info.run_id")


def test_q1_rejects_a_missing_or_literal_launch_tag(uri, client, experiment_id):
    assert_rejects(q1, _client_run(client, experiment_id, launch=None), uri, EXPERIMENT, LAUNCH,
                   mentions="no `launch` tag")
    assert_rejects(q1, _client_run(client, experiment_id, launch="launch"), uri, EXPERIMENT,
                   LAUNCH, mentions="value of the variable")


# -- q2 -------------------------------------------------------------------------------------
def _script_run(client, experiment_id, *, alpha=0.1, launch=LAUNCH):
    run_id = client.create_run(experiment_id, tags={"source": "script", "launch": launch}
                               ).info.run_id
    client.log_param(run_id, "alpha", alpha)
    client.log_metric(run_id, "val_loss", 0.4, step=0)
    client.set_terminated(run_id)
    return run_id


def _done(*run_ids, returncode=0, stderr="", as_bytes=False):
    stdout = "".join(f"{run_id}\n" for run_id in run_ids)
    if as_bytes:
        stdout = stdout.encode()
    return subprocess.CompletedProcess(["python", "train.py"], returncode, stdout, stderr)


def test_q2_passes_on_a_run_on_the_server(uri, client, experiment_id):
    assert_passes(q2, _done(_script_run(client, experiment_id)), uri, EXPERIMENT, LAUNCH, 0.1)


def test_q2_pending(uri):
    assert_pending(q2)
    assert_pending(q2, ..., uri, EXPERIMENT, LAUNCH, 0.1)


def test_q2_rejects_a_run_logged_to_a_local_store(uri, local):
    # no MLFLOW_TRACKING_URI in env=: the script wrote to an mlflow.db of its own
    run_id = _script_run(local, local.get_experiment_by_name("Default").experiment_id)
    assert_rejects(q2, _done(run_id), uri, EXPERIMENT, LAUNCH, 0.1,
                   mentions="MLFLOW_TRACKING_URI")


def test_q2_rejects_the_default_experiment_wrong_alpha_and_missing_launch(uri, client,
                                                                           experiment_id):
    default = client.get_experiment_by_name("Default").experiment_id
    assert_rejects(q2, _done(_script_run(client, default)), uri, EXPERIMENT, LAUNCH, 0.1,
                   mentions="MLFLOW_EXPERIMENT_NAME")
    assert_rejects(q2, _done(_script_run(client, experiment_id, alpha=0.01)), uri, EXPERIMENT,
                   LAUNCH, 0.1, mentions="--alpha 0.1")
    assert_rejects(q2, _done(_script_run(client, experiment_id, launch="")), uri, EXPERIMENT,
                   LAUNCH, 0.1, mentions="--launch")
    two = _done(_script_run(client, experiment_id), _script_run(client, experiment_id))
    assert_rejects(q2, two, uri, EXPERIMENT, LAUNCH, 0.1, mentions="single value")


def test_q2_rejects_a_failed_script_uncaptured_output_and_other_types(uri, client,
                                                                      experiment_id):
    failed = _done(returncode=2, stderr="usage: train.py ...\ntrain.py: error: the following "
                                        "arguments are required: --data\n")
    assert_rejects(q2, failed, uri, EXPERIMENT, LAUNCH, 0.1, mentions="--data")
    uncaptured = subprocess.CompletedProcess(["python", "train.py"], 0, None, None)
    assert_rejects(q2, uncaptured, uri, EXPERIMENT, LAUNCH, 0.1, mentions="capture_output")
    run_id = _script_run(client, experiment_id)
    assert_rejects(q2, _done(run_id, as_bytes=True), uri, EXPERIMENT, LAUNCH, 0.1,
                   mentions="text=True")
    assert_rejects(q2, f"{run_id}\n", uri, EXPERIMENT, LAUNCH, 0.1, mentions="CompletedProcess")
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    assert_rejects(q2, process, uri, EXPERIMENT, LAUNCH, 0.1, mentions="subprocess.run")


# -- q3 -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def launch(client, experiment_id):
    """Three script runs of one launch, one of an earlier launch, one notebook run."""
    launch = "fedcba9876543210"
    for loss in (0.46, 0.41, 0.43):
        run_id = client.create_run(experiment_id, tags={"source": "script", "launch": launch}
                                   ).info.run_id
        client.log_metric(run_id, "val_loss", loss)
        client.set_terminated(run_id)
    for tags in ({"source": "script", "launch": "earlier"},
                 {"source": "notebook", "launch": launch}):
        run_id = client.create_run(experiment_id, tags=tags).info.run_id
        client.log_metric(run_id, "val_loss", 0.30)
        client.set_terminated(run_id)
    return launch


def _search(uri, filter_string, order_by):
    import mlflow

    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        return mlflow.search_runs(experiment_names=[EXPERIMENT], filter_string=filter_string,
                                  order_by=order_by)
    finally:
        mlflow.set_tracking_uri(previous)


def _both_tags(launch):
    return f"tags.source = 'script' and tags.launch = '{launch}'"


def test_q3_passes_on_both_tags_in_ascending_order(uri, launch):
    for order in (["metrics.val_loss ASC"], ["metrics.val_loss"]):
        assert_passes(q3, _search(uri, _both_tags(launch), order), uri, EXPERIMENT, launch)


def test_q3_pending(uri, launch):
    assert_pending(q3)
    assert_pending(q3, ..., uri, EXPERIMENT, launch)


def test_q3_rejects_descending_order_and_no_order(uri, launch):
    assert_rejects(q3, _search(uri, _both_tags(launch), ["metrics.val_loss DESC"]), uri,
                   EXPERIMENT, launch, mentions="DESCENDING")
    by_time = _search(uri, _both_tags(launch), ["attributes.start_time ASC"])
    assert_rejects(q3, by_time, uri, EXPERIMENT, launch, mentions="not ordered")


def test_q3_rejects_missing_filters(uri, launch):
    only_source = _search(uri, "tags.source = 'script'", ["metrics.val_loss ASC"])
    assert_rejects(q3, only_source, uri, EXPERIMENT, launch, mentions="too many")
    only_launch = _search(uri, f"tags.launch = '{launch}'", ["metrics.val_loss ASC"])
    assert_rejects(q3, only_launch, uri, EXPERIMENT, launch, mentions="too many")


def test_q3_rejects_an_empty_frame_a_subset_and_other_types(uri, launch):
    empty = _search(uri, "tags.source = 'nobody'", ["metrics.val_loss ASC"])
    assert_rejects(q3, empty, uri, EXPERIMENT, launch, mentions="empty")
    frame = _search(uri, _both_tags(launch), ["metrics.val_loss ASC"])
    assert_rejects(q3, frame.head(1), uri, EXPERIMENT, launch, mentions="logged 3")
    assert_rejects(q3, frame["run_id"], uri, EXPERIMENT, launch, mentions="Series")
    assert_rejects(q3, frame.drop(columns="run_id"), uri, EXPERIMENT, launch,
                   mentions="run_id")
    assert_rejects(q3, pd.DataFrame.to_dict(frame), uri, EXPERIMENT, launch,
                   mentions="DataFrame")
