"""The checks of 09_cloud_ml/03_control_plane_offline: right, wrong and not attempted."""

from __future__ import annotations

import copy
import os

import boto3
import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m09_03_control_plane_offline import q1, q2, q3, q4
from utils.servers import python_command, start_server

FAKE = {"region_name": "us-east-1", "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing"}
MODEL = "churn-model"
MEMORY, CONCURRENCY = 2048, 5


@pytest.fixture(scope="module")
def moto_url():
    server = start_server(python_command("-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"),
                          name="moto-check-tests", health_path="/moto-api/")
    client = boto3.client("sagemaker", endpoint_url=server.url, **FAKE)
    client.create_model(ModelName=MODEL, ExecutionRoleArn="arn:aws:iam::123456789012:role/R",
                        PrimaryContainer={"Image": "image", "ModelDataUrl": "s3://b/model.tar.gz"})
    yield server.url
    server.stop()


def _client(url):
    return boto3.client("sagemaker", endpoint_url=url, **FAKE)


def _nothing_but_the_fixture_model(url):
    client = _client(url)
    assert client.list_endpoints()["Endpoints"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []
    assert [m["ModelName"] for m in client.list_models()["Models"]] == [MODEL]


# -- q1 -------------------------------------------------------------------------------------
def _paths(env):
    return {"train": env["SM_CHANNEL_TRAIN"], "validation": env["SM_CHANNEL_VALIDATION"],
            "model": env["SM_MODEL_DIR"]}


def test_q1_passes_and_pending():
    assert_passes(q1, _paths)
    assert_pending(q1)
    assert_pending(q1, lambda env: ...)


def test_q1_rejects_hard_coded_paths():
    def hard_coded(env):
        return {"train": "/opt/ml/input/data/train", "validation": "/opt/ml/input/data/validation",
                "model": "/opt/ml/model"}

    assert_rejects(q1, hard_coded, mentions="hard-coded")


def test_q1_rejects_os_environ_and_wrong_variable_names():
    assert "SM_CHANNEL_TRAIN" not in os.environ

    def from_os_environ(env):
        return _paths(os.environ)

    def training_channel(env):
        return {**_paths(env), "train": env["SM_CHANNEL_TRAINING"]}

    assert_rejects(q1, from_os_environ, mentions="read the variables from `env`")
    assert_rejects(q1, training_channel, mentions="SM_CHANNEL_")


def test_q1_rejects_same_channel_output_folder_and_wrong_shape():
    def same(env):
        return {**_paths(env), "validation": env["SM_CHANNEL_TRAIN"]}

    def output_dir(env):
        return {**_paths(env), "model": env["SM_OUTPUT_DATA_DIR"]}

    assert_rejects(q1, same, mentions="same folder")
    assert_rejects(q1, output_dir, mentions="OUTPUT data folder")
    assert_rejects(q1, lambda env: [env["SM_CHANNEL_TRAIN"], env["SM_MODEL_DIR"]],
                   mentions="should be a dict")
    assert_rejects(q1, lambda env: {"train": env["SM_CHANNEL_TRAIN"]}, mentions="exactly the keys")
    assert_rejects(q1, _paths({"SM_CHANNEL_TRAIN": "a", "SM_CHANNEL_VALIDATION": "b",
                               "SM_MODEL_DIR": "c"}), mentions="function itself")


# -- q2 -------------------------------------------------------------------------------------
def _serverless(**variant_changes):
    variant = {"VariantName": "AllTraffic", "ModelName": MODEL,
               "ServerlessConfig": {"MemorySizeInMB": MEMORY, "MaxConcurrency": CONCURRENCY}}
    variant.update(variant_changes)
    return {"EndpointConfigName": f"{MODEL}-serverless", "ProductionVariants": [variant]}


def _q2(request, url):
    return (request, url, MODEL, f"{MODEL}-serverless", MEMORY, CONCURRENCY)


def test_q2_passes_leaves_nothing_and_pending(moto_url):
    assert_passes(q2, *_q2(_serverless(), moto_url))
    _nothing_but_the_fixture_model(moto_url)
    assert_pending(q2, *_q2(..., moto_url))


def test_q2_rejects_instance_and_serverless_mixed(moto_url):
    mixed = _serverless(InstanceType="ml.m5.large", InitialInstanceCount=1)
    assert_rejects(q2, *_q2(mixed, moto_url), mentions="either instance-based or serverless")


def test_q2_rejects_misplaced_or_mistyped_settings(moto_url):
    top_level = _serverless()
    top_level["ServerlessConfig"] = top_level["ProductionVariants"][0].pop("ServerlessConfig")
    assert_rejects(q2, *_q2(top_level, moto_url), mentions="inside the production variant")
    as_dict = _serverless()
    as_dict["ProductionVariants"] = as_dict["ProductionVariants"][0]
    assert_rejects(q2, *_q2(as_dict, moto_url), mentions="LIST of variants")
    text = _serverless(ServerlessConfig={"MemorySizeInMB": "2048", "MaxConcurrency": 5})
    assert_rejects(q2, *_q2(text, moto_url), mentions="is a string")
    odd = _serverless(ServerlessConfig={"MemorySizeInMB": 2000, "MaxConcurrency": 5})
    assert_rejects(q2, *_q2(odd, moto_url), mentions="1 GB steps")
    assert_rejects(q2, *_q2(_serverless(ModelName="s3://b/model.tar.gz"), moto_url),
                   mentions="ModelName")
    _nothing_but_the_fixture_model(moto_url)


def test_q2_rejects_what_moto_refuses(moto_url):
    no_variant_name = _serverless()
    del no_variant_name["ProductionVariants"][0]["VariantName"]
    assert_rejects(q2, *_q2(no_variant_name, moto_url), mentions="VariantName")
    request = _serverless(ServerlessConfig={"MemorySizeInMB": MEMORY,
                                            "MaxConcurrency": CONCURRENCY, "Extra": 1})
    assert_rejects(q2, *_q2(request, moto_url), mentions="refused")


# -- q3 -------------------------------------------------------------------------------------
def _describe(sagemaker, endpoint_name):
    config = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    return config, [v["ModelName"] for v in variants]


def _teardown(sagemaker, endpoint_name):
    config, models = _describe(sagemaker, endpoint_name)
    sagemaker.delete_endpoint(EndpointName=endpoint_name)
    sagemaker.delete_endpoint_config(EndpointConfigName=config)
    for model in models:
        sagemaker.delete_model(ModelName=model)


def test_q3_passes_and_pending(moto_url):
    assert_passes(q3, _teardown, moto_url)
    _nothing_but_the_fixture_model(moto_url)
    assert_pending(q3, ..., moto_url)
    assert_pending(q3, lambda sagemaker, name: ..., moto_url)


def test_q3_rejects_the_wrong_order(moto_url):
    def model_first(sagemaker, endpoint_name):
        config, models = _describe(sagemaker, endpoint_name)
        for model in models:
            sagemaker.delete_model(ModelName=model)
        sagemaker.delete_endpoint_config(EndpointConfigName=config)
        sagemaker.delete_endpoint(EndpointName=endpoint_name)

    assert_rejects(q3, model_first, moto_url, mentions="the endpoint (the part that bills) first")
    _nothing_but_the_fixture_model(moto_url)


def test_q3_rejects_leftovers_and_describe_after_delete(moto_url):
    def endpoint_only(sagemaker, endpoint_name):
        sagemaker.delete_endpoint(EndpointName=endpoint_name)

    def describe_too_late(sagemaker, endpoint_name):
        sagemaker.delete_endpoint(EndpointName=endpoint_name)
        _teardown(sagemaker, endpoint_name)

    def remembered_names(sagemaker, endpoint_name):
        sagemaker.delete_endpoint(EndpointName=endpoint_name)
        sagemaker.delete_endpoint_config(EndpointConfigName="churn-realtime")

    assert_rejects(q3, endpoint_only, moto_url, mentions="still exist")
    assert_rejects(q3, describe_too_late, moto_url, mentions="raised ClientError")
    assert_rejects(q3, remembered_names, moto_url, mentions="raised ClientError")
    assert_rejects(q3, lambda sagemaker, name: None, moto_url, mentions="deleted nothing")

    def every_model(sagemaker, endpoint_name):
        config, _ = _describe(sagemaker, endpoint_name)
        sagemaker.delete_endpoint(EndpointName=endpoint_name)
        sagemaker.delete_endpoint_config(EndpointConfigName=config)
        for model in sagemaker.list_models()["Models"]:
            if model["ModelName"] != MODEL:  # spare the fixture's model
                sagemaker.delete_model(ModelName=model["ModelName"])

    assert_rejects(q3, every_model, moto_url, mentions="does not use")
    assert_rejects(q3, "teardown", moto_url,
                   mentions="function itself")
    _nothing_but_the_fixture_model(moto_url)


# -- q4 -------------------------------------------------------------------------------------
MACHINE, IMAGE = "n1-standard-4", "us-central1-docker.pkg.dev/p/ml/churn-train:1"
OUTPUT, TRAIN = "gs://bucket/churn/output", "gs://bucket/churn/data/train"
SPEC = {
    "displayName": "churn-train",
    "jobSpec": {
        "workerPoolSpecs": [{
            "machineSpec": {"machineType": MACHINE},
            "replicaCount": 1,
            "containerSpec": {"imageUri": IMAGE, "args": ["--train", TRAIN, "--C", "1.0"]},
        }],
        "baseOutputDirectory": {"outputUriPrefix": OUTPUT},
    },
}


def _q4(spec):
    return (spec, "churn-train", MACHINE, IMAGE, OUTPUT, TRAIN)


def _changed(edit):
    spec = copy.deepcopy(SPEC)
    edit(spec)
    return spec


def test_q4_passes_and_pending():
    assert_passes(q4, *_q4(SPEC))
    assert_passes(q4, *_q4(_changed(lambda s: s["jobSpec"]["workerPoolSpecs"][0].update(
        replicaCount="1"))))
    assert_pending(q4, *_q4(...))


def test_q4_rejects_snake_case_and_a_single_pool():
    snake = _changed(lambda s: s["jobSpec"].update(
        worker_pool_specs=s["jobSpec"].pop("workerPoolSpecs")))
    assert_rejects(q4, *_q4(snake), mentions="camelCase")
    single = _changed(lambda s: s["jobSpec"].update(
        workerPoolSpecs=s["jobSpec"]["workerPoolSpecs"][0]))
    assert_rejects(q4, *_q4(single), mentions="LIST of worker pools")


def test_q4_rejects_output_directory_mistakes():
    local = _changed(lambda s: s["jobSpec"].update(
        baseOutputDirectory={"outputUriPrefix": "workspace/churn/output"}))
    assert_rejects(q4, *_q4(local), mentions="Cloud Storage URI")
    as_string = _changed(lambda s: s["jobSpec"].update(baseOutputDirectory=OUTPUT))
    assert_rejects(q4, *_q4(as_string), mentions="GcsDestination")
    missing = _changed(lambda s: s["jobSpec"].pop("baseOutputDirectory"))
    assert_rejects(q4, *_q4(missing), mentions="no AIP_MODEL_DIR")


def test_q4_rejects_flat_spec_model_dir_argument_and_wrong_values():
    flat = {"displayName": "churn-train", **SPEC["jobSpec"]}
    assert_rejects(q4, *_q4(flat), mentions="nests them in `jobSpec`")
    model_dir = _changed(lambda s: s["jobSpec"]["workerPoolSpecs"][0]["containerSpec"]["args"]
                         .extend(["--model-dir", OUTPUT + "/model"]))
    assert_rejects(q4, *_q4(model_dir), mentions="AIP_MODEL_DIR")
    machine = _changed(lambda s: s["jobSpec"]["workerPoolSpecs"][0].update(
        machineSpec={"machineType": "ml.m5.large"}))
    assert_rejects(q4, *_q4(machine), mentions="machineType")
    no_args = _changed(lambda s: s["jobSpec"]["workerPoolSpecs"][0]["containerSpec"].pop("args"))
    assert_rejects(q4, *_q4(no_args), mentions="--train")
