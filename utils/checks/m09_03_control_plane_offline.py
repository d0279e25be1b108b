"""Checks for 09_cloud_ml/03_control_plane_offline: where a SageMaker training script finds its
channels and model folder, a serverless endpoint-configuration request (sent to the notebook's
moto server), a teardown function (run against moto), and a Vertex AI custom-job spec.

The moto checks receive the server's URL and make their own boto3 client with fake
credentials; whatever they create there they delete again, so the notebook's own resources are
untouched. The other checks compute their references from the inputs passed to them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from ..check_helpers import call_learner, expect_function, type_name
from ..exercises import Exercise, attempted, expect, fail

NOTEBOOK = "09_cloud_ml/03_control_plane_offline"

FAKE_CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing",
                    "aws_secret_access_key": "testing"}
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
FAKE_ROLE = "arn:aws:iam::123456789012:role/check-role"


def _sagemaker(server_url: str):
    import boto3

    return boto3.client("sagemaker", endpoint_url=server_url, **FAKE_CREDENTIALS)


def _error_text(error: Exception) -> str:
    """The message of a botocore error, without the request id."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping) and "Error" in response:
        return str(response["Error"].get("Message", error))
    return str(error).splitlines()[0] if str(error) else type_name(error)


def _expect_mapping(value: object, name: str, what: str = "") -> Mapping:
    expect(isinstance(value, Mapping),
           f"`{name}` should be a dict{what}, got {type_name(value)}.")
    return value


# -- q1: where a SageMaker training script finds its files ----------------------------------
def _check_q1(sagemaker_paths) -> str:
    sagemaker_paths = expect_function(sagemaker_paths, "sagemaker_paths")
    tag = uuid.uuid4().hex[:8]
    env = {"SM_MODEL_DIR": f"/check-{tag}/model",
           "SM_CHANNEL_TRAIN": f"/check-{tag}/input/data/train",
           "SM_CHANNEL_VALIDATION": f"/check-{tag}/input/data/validation",
           "SM_CHANNELS": '["train", "validation"]',
           "SM_OUTPUT_DATA_DIR": f"/check-{tag}/output/data"}
    try:
        paths = sagemaker_paths(env)
    except KeyError as error:
        fail(f"`sagemaker_paths(env)` raised KeyError {error}: read the variables from `env`, "
             "the mapping passed in (os.environ on SageMaker), and use the names SageMaker "
             "sets: `SM_CHANNEL_<CHANNEL NAME IN CAPITALS>`, `SM_MODEL_DIR`.")
    except Exception as error:  # the learner's code broke: feedback, never a traceback
        fail(f"`sagemaker_paths(env)` raised {type_name(error)}: {error}")
    paths = attempted(paths)
    paths = _expect_mapping(paths, "sagemaker_paths(env)", " with one path per key")
    keys = ("train", "validation", "model")
    expect(set(paths) == set(keys),
           f"return a dict with exactly the keys {', '.join(map(repr, keys))}; got "
           f"{', '.join(map(repr, paths))}.")
    values = {key: str(paths[key]) for key in keys}
    hard_coded = [key for key in keys if values[key].startswith("/opt/ml")]
    if hard_coded:
        fail(f"{', '.join(map(repr, hard_coded))} is a hard-coded /opt/ml path: it works in "
             "SageMaker's container by luck and nowhere else (not in a test, not on a laptop, "
             "not if a channel is renamed). Read the environment variables.")
    expect(values["train"] != values["validation"],
           "`train` and `validation` point to the same folder: each channel has its own "
           "`SM_CHANNEL_<NAME>` variable.")
    wanted = {"train": "SM_CHANNEL_TRAIN", "validation": "SM_CHANNEL_VALIDATION",
              "model": "SM_MODEL_DIR"}
    for key, variable in wanted.items():
        if values[key] == env[variable]:
            continue
        if key == "model" and values[key] == env["SM_OUTPUT_DATA_DIR"]:
            fail("`model` is the OUTPUT data folder: SageMaker packs only `SM_MODEL_DIR` into "
                 "model.tar.gz, so a model saved elsewhere never reaches an endpoint.")
        fail(f"`{key}` does not come from `{variable}` in `env`.")
    return "channels and model folder read from the environment, as SageMaker sets them."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "SageMaker sets one variable per input channel, `SM_CHANNEL_` followed by the "
        "channel's name in capitals, and `SM_MODEL_DIR` for the folder it will upload.",
        "Read them from `env`, the mapping the function receives, not from fixed paths.",
        "`return {'train': env['SM_CHANNEL_TRAIN'], 'validation': "
        "env['SM_CHANNEL_VALIDATION'], 'model': env['SM_MODEL_DIR']}`",
    ],
)


# -- q2: a serverless endpoint configuration ------------------------------------------------
def _check_q2(request, server_url, model_name, config_name, memory_mb, max_concurrency) -> str:
    request = _expect_mapping(request, "serverless_request",
                              " (the keyword arguments of the call)")
    if "ServerlessConfig" in request:
        fail("`ServerlessConfig` sits at the top level of the request; it belongs inside the "
             "production variant, next to `ModelName`.")
    missing = [key for key in ("EndpointConfigName", "ProductionVariants") if key not in request]
    expect(not missing, f"the request lacks {', '.join(map(repr, missing))}.")
    expect(request["EndpointConfigName"] == config_name,
           "name the configuration as the task says: f\"{model_name}-serverless\".")
    variants = request["ProductionVariants"]
    if isinstance(variants, Mapping):
        fail("`ProductionVariants` is a dict; the API takes a LIST of variants (one here).")
    expect(isinstance(variants, list | tuple) and len(variants) == 1,
           f"`ProductionVariants` should be a list of exactly one variant, got "
           f"{type_name(variants)}"
           + (f" of {len(variants)}" if isinstance(variants, list | tuple) else "") + ".")
    variant = _expect_mapping(variants[0], "the production variant")
    expect(variant.get("ModelName") == model_name,
           "the variant's `ModelName` should be the SageMaker model created above "
           "(`model_name`), not the file name or the S3 URI of the artefact.")
    expect("VariantName" in variant, "the variant needs a `VariantName` (e.g. 'AllTraffic').")
    if "InstanceType" in variant or "InitialInstanceCount" in variant:
        fail("the variant still has `InstanceType`/`InitialInstanceCount`: a variant is "
             "either instance-based or serverless. SageMaker rejects the mixture (moto does "
             "not notice it, which is why this check does).")
    serverless = variant.get("ServerlessConfig")
    expect(isinstance(serverless, Mapping),
           "the variant needs a `ServerlessConfig` dict with `MemorySizeInMB` and "
           "`MaxConcurrency`.")
    missing = [key for key in ("MemorySizeInMB", "MaxConcurrency") if key not in serverless]
    expect(not missing, f"`ServerlessConfig` lacks {', '.join(map(repr, missing))} (the API's "
                        "exact key names).")
    memory = serverless.get("MemorySizeInMB")
    if isinstance(memory, str):
        fail("`MemorySizeInMB` is a string; the API takes an integer number of megabytes.")
    expect(memory in SERVERLESS_MEMORY_MB,
           "`MemorySizeInMB` must be one of the sizes SageMaker offers (1 GB steps, in MB).")
    expect(memory == memory_mb, "`MemorySizeInMB` should be `memory_mb`, the parameter.")
    concurrency = serverless.get("MaxConcurrency")
    expect(isinstance(concurrency, int) and not isinstance(concurrency, bool)
           and concurrency == max_concurrency,
           "`MaxConcurrency` should be the integer `max_concurrency`, the parameter.")

    from botocore.exceptions import BotoCoreError, ClientError

    sagemaker = _sagemaker(server_url)
    trial = dict(request, EndpointConfigName=f"check-{uuid.uuid4().hex[:12]}")
    try:
        sagemaker.create_endpoint_config(**trial)
    except (ClientError, BotoCoreError) as error:
        fail(f"boto3 or the moto server refused the request: {_error_text(error)}")
    try:
        stored = sagemaker.describe_endpoint_config(EndpointConfigName=trial["EndpointConfigName"])
    finally:
        sagemaker.delete_endpoint_config(EndpointConfigName=trial["EndpointConfigName"])
    expect(stored["ProductionVariants"][0].get("ServerlessConfig") == dict(serverless),
           "the server did not store the serverless settings you sent.")
    return (f"moto accepted it: {memory} MB, up to {concurrency} concurrent invocations, "
            "no instance to pay for while idle.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Start from the real-time request above: same `EndpointConfigName` key and a list "
        "`ProductionVariants` with one dict.",
        "In the variant, keep `VariantName` and `ModelName`, drop `InstanceType` and "
        "`InitialInstanceCount`, and add `ServerlessConfig`.",
        "`'ServerlessConfig': {'MemorySizeInMB': memory_mb, 'MaxConcurrency': "
        "max_concurrency}`, inside the variant dict.",
    ],
)


# -- q3: tearing an endpoint down in the right order ----------------------------------------
class _Recorder:
    """A SageMaker client that remembers every operation called on it, in order."""

    def __init__(self, client) -> None:
        self.client = client
        self.calls: list[str] = []
        client.meta.events.register("provide-client-params.sagemaker.*", self._record)

    def _record(self, model, **kwargs) -> None:
        self.calls.append(model.name)

    def __getattr__(self, name):
        return getattr(self.client, name)


def _build_stack(sagemaker, tag: str) -> dict:
    names = {"model": f"check-model-{tag}", "config": f"check-config-{tag}",
             "endpoint": f"check-endpoint-{tag}", "bystander": f"check-other-model-{tag}"}
    for model in (names["model"], names["bystander"]):
        sagemaker.create_model(ModelName=model, ExecutionRoleArn=FAKE_ROLE,
                               PrimaryContainer={"Image": "check-image",
                                                 "ModelDataUrl": "s3://check/model.tar.gz"})
    sagemaker.create_endpoint_config(
        EndpointConfigName=names["config"],
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": names["model"],
                             "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sagemaker.create_endpoint(EndpointName=names["endpoint"], EndpointConfigName=names["config"])
    return names


def _left(sagemaker, names: Mapping) -> list[str]:
    left = []
    if any(e["EndpointName"] == names["endpoint"]
           for e in sagemaker.list_endpoints()["Endpoints"]):
        left.append("the endpoint")
    if any(c["EndpointConfigName"] == names["config"]
           for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]):
        left.append("the endpoint configuration")
    if any(m["ModelName"] == names["model"] for m in sagemaker.list_models()["Models"]):
        left.append("the model")
    return left


def _survives(sagemaker, model: str) -> bool:
    return any(m["ModelName"] == model for m in sagemaker.list_models()["Models"])


def _clean(sagemaker, names: Mapping) -> None:
    from botocore.exceptions import ClientError

    for call, key, value in ((sagemaker.delete_endpoint, "EndpointName", names["endpoint"]),
                             (sagemaker.delete_endpoint_config, "EndpointConfigName",
                              names["config"]),
                             (sagemaker.delete_model, "ModelName", names["model"]),
                             (sagemaker.delete_model, "ModelName", names["bystander"])):
        try:
            call(**{key: value})
        except ClientError:
            pass


def _check_q3(teardown, server_url) -> str:
    teardown = expect_function(teardown, "teardown")
    plain = _sagemaker(server_url)
    names = _build_stack(plain, uuid.uuid4().hex[:10])
    recorder = _Recorder(_sagemaker(server_url))
    try:
        call_learner(teardown, recorder, names["endpoint"],
                     call=f"teardown(sagemaker, {names['endpoint']!r})")
        deletes = [c for c in recorder.calls if c.startswith("Delete")]
        left = _left(plain, names)
        bystander_kept = _survives(plain, names["bystander"])
    finally:
        _clean(plain, names)
    expect(deletes, "`teardown` deleted nothing: call `delete_endpoint`, "
                    "`delete_endpoint_config` and `delete_model`.")
    expect(not left, f"after `teardown`, {', '.join(left)} still exist(s): find each name "
                     "from the endpoint (`describe_endpoint`, then `describe_endpoint_config`) "
                     "and delete all three.")
    expect(bystander_kept,
           "`teardown` also deleted a model the endpoint does not use (on a shared account, "
           "someone else's): delete only the models named in the endpoint's configuration.")
    order = [c for c in deletes if c in ("DeleteEndpoint", "DeleteEndpointConfig", "DeleteModel")]
    expect(order == ["DeleteEndpoint", "DeleteEndpointConfig", "DeleteModel"],
           f"the deletions ran in the order {' → '.join(order)}. Delete the endpoint (the "
           "part that bills) first, then its configuration, then the model: the reverse of "
           "creation, so nothing is ever left pointing at something already gone.")
    expect(recorder.calls.index("DeleteEndpoint") > recorder.calls.index("DescribeEndpoint")
           if "DescribeEndpoint" in recorder.calls else False,
           "read the endpoint's configuration name with `describe_endpoint` BEFORE deleting "
           "the endpoint: afterwards there is nothing left to describe.")
    return "endpoint, configuration and model deleted, in that order; nothing left."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "You only get the endpoint's name: `describe_endpoint` gives its "
        "`EndpointConfigName`, and `describe_endpoint_config` gives the variants' "
        "`ModelName`s.",
        "Describe everything first, then delete: endpoint, then configuration, then each "
        "model.",
        "`config = sagemaker.describe_endpoint(EndpointName=...)['EndpointConfigName']`; "
        "`models = [v['ModelName'] for v in sagemaker.describe_endpoint_config("
        "EndpointConfigName=config)['ProductionVariants']]`; then the three `delete_*` calls.",
    ],
)


# -- q4: a Vertex AI custom-job spec --------------------------------------------------------
_SNAKE = {"job_spec": "jobSpec", "worker_pool_specs": "workerPoolSpecs",
          "machine_spec": "machineSpec", "machine_type": "machineType",
          "replica_count": "replicaCount", "container_spec": "containerSpec",
          "image_uri": "imageUri", "base_output_directory": "baseOutputDirectory",
          "output_uri_prefix": "outputUriPrefix", "display_name": "displayName"}


def _find_snake(value: object) -> str | None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in _SNAKE:
                return key
            found = _find_snake(item)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = _find_snake(item)
            if found:
                return found
    return None


def _check_q4(spec, display_name, machine_type, image_uri, output_uri, train_uri) -> str:
    spec = _expect_mapping(spec, "vertex_spec")
    snake = _find_snake(spec)
    if snake:
        fail(f"`{snake}` is the Python client library's spelling; the REST API's JSON uses "
             f"camelCase (`{_SNAKE[snake]}`).")
    try:
        json.dumps(spec)
    except (TypeError, ValueError) as error:
        fail(f"the spec is not JSON: {error}. Use only dicts, lists, strings and numbers.")
    expect(spec.get("displayName") == display_name,
           "`displayName` should be `display_name`, the parameter.")
    if "workerPoolSpecs" in spec or "baseOutputDirectory" in spec:
        fail("`workerPoolSpecs`/`baseOutputDirectory` sit at the top level; the CustomJob "
             "resource nests them in `jobSpec`.")
    job_spec = _expect_mapping(spec.get("jobSpec"), "vertex_spec['jobSpec']")
    pools = job_spec.get("workerPoolSpecs")
    if isinstance(pools, Mapping):
        fail("`workerPoolSpecs` is a dict; it is a LIST of worker pools (the first is the "
             "chief; one pool here).")
    expect(isinstance(pools, list) and len(pools) == 1,
           "`workerPoolSpecs` should be a list of exactly one worker pool.")
    pool = _expect_mapping(pools[0], "the worker pool")
    machine = pool.get("machineSpec")
    expect(isinstance(machine, Mapping) and machine.get("machineType") == machine_type,
           "the pool needs `machineSpec: {'machineType': machine_type}`.")
    replicas = pool.get("replicaCount")
    expect(str(replicas) == "1" and not isinstance(replicas, bool),
           "the pool needs `replicaCount` 1 (one machine).")
    container = pool.get("containerSpec")
    expect(isinstance(container, Mapping), "the pool needs a `containerSpec` dict.")
    expect(container.get("imageUri") == image_uri,
           "`containerSpec.imageUri` should be `image_uri`, the parameter.")
    args = container.get("args", [])
    expect(isinstance(args, list) and all(isinstance(a, str) for a in args),
           "`containerSpec.args` should be a list of strings (the script's command line).")
    expect("--train" in args and args.index("--train") + 1 < len(args)
           and args[args.index("--train") + 1] == train_uri,
           "`containerSpec.args` should pass `--train` followed by `train_uri`.")
    if any(a == "--model-dir" for a in args):
        fail("do not pass `--model-dir`: Vertex AI sets AIP_MODEL_DIR from "
             "`baseOutputDirectory`, and the script reads it.")
    base = job_spec.get("baseOutputDirectory")
    if isinstance(base, str):
        fail("`baseOutputDirectory` is a string; the API takes a GcsDestination, "
             "`{'outputUriPrefix': ...}`.")
    expect(isinstance(base, Mapping) and "outputUriPrefix" in base,
           "`jobSpec` needs `baseOutputDirectory: {'outputUriPrefix': ...}`: without it "
           "Vertex AI sets no AIP_MODEL_DIR.")
    prefix = str(base["outputUriPrefix"])
    expect(prefix.startswith("gs://"),
           "`outputUriPrefix` must be a Cloud Storage URI (gs://...): the job's machine "
           "cannot see your disk, and Vertex AI writes nowhere else.")
    expect(prefix.rstrip("/") == output_uri.rstrip("/"),
           "`outputUriPrefix` should be `output_uri`, the parameter.")
    return f"the job's model lands in {prefix.rstrip('/')}/model/ (AIP_MODEL_DIR)."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "The REST body is `{'displayName': ..., 'jobSpec': {...}}`, keys in camelCase.",
        "`jobSpec` holds `workerPoolSpecs` (a list with one pool: `machineSpec`, "
        "`replicaCount`, `containerSpec`) and `baseOutputDirectory`.",
        "`containerSpec: {'imageUri': image_uri, 'args': ['--train', train_uri]}` and "
        "`baseOutputDirectory: {'outputUriPrefix': output_uri}`.",
    ],
)
