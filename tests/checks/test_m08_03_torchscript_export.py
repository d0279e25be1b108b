"""Tests for the checks of 08_deployment_serving/03_torchscript_export."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m08_03_torchscript_export import q1, q2, q3

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class DigitNet(nn.Module):
    """The notebook's model: an MLP with an `if` on the input's values."""

    def __init__(self, n_hidden=16, dropout=0.2):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(64, n_hidden), nn.ReLU(), nn.Dropout(dropout),
                                    nn.Linear(n_hidden, 10))

    def forward(self, x):
        if x.max() > 1:
            x = x / 16
        return self.layers(x)


class ExportableDigitNet(DigitNet):
    def forward(self, x):
        x = torch.cond(x.max() > 1, lambda x: x / 16, lambda x: x.clone(), (x,))
        return self.layers(x)


class SwappedDigitNet(DigitNet):
    def forward(self, x):
        x = torch.cond(x.max() > 1, lambda x: x.clone(), lambda x: x / 16, (x,))
        return self.layers(x)


@pytest.fixture(scope="module")
def data():
    """An (untrained, seeded) model in eval mode and raw / scaled images: the checks compare
    outputs, so training is not needed to tell right from wrong."""
    torch.manual_seed(0)
    model = DigitNet().eval()
    generator = torch.Generator().manual_seed(1)
    X_raw = torch.randint(0, 17, (60, 64), generator=generator).float()
    return model, X_raw, X_raw / 16


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_a_scripted_model(data):
    model, X_raw, X_scaled = data
    assert_passes(q1, _quiet(torch.jit.script, model), model, X_raw, X_scaled)


def test_q1_pending(data):
    assert_pending(q1)
    assert_pending(q1, ..., *data)


def test_q1_rejects_a_traced_model_either_way(data):
    model, X_raw, X_scaled = data
    for example in (X_raw[:8], X_scaled[:8]):
        traced = _quiet(torch.jit.trace, model, example)
        assert_rejects(q1, traced, model, X_raw, X_scaled, mentions="one branch")


def test_q1_rejects_the_eager_model_a_class_and_training_mode(data):
    model, X_raw, X_scaled = data
    assert_rejects(q1, model, model, X_raw, X_scaled, mentions="not TorchScript")
    assert_rejects(q1, DigitNet, model, X_raw, X_scaled, mentions="class")
    assert_rejects(q1, "model", model, X_raw, X_scaled, mentions="ScriptModule")
    assert_rejects(q1, _quiet(torch.jit.script, model).code, model, X_raw, X_scaled,
                   mentions="not a str")
    training = _quiet(torch.jit.script, model)
    training.train()
    assert_rejects(q1, training, model, X_raw, X_scaled, mentions=".eval()")


def test_q1_rejects_a_model_traced_in_training_mode(data):
    model, X_raw, X_scaled = data
    twin = DigitNet()
    twin.load_state_dict(model.state_dict())
    traced = _quiet(torch.jit.trace, twin.train(), X_raw[:8], check_trace=False)
    traced.eval()  # too late: the trace recorded dropout as it ran
    assert_rejects(q1, traced, model, X_raw, X_scaled, mentions="dropout")


def test_q1_rejects_an_untrained_copy(data):
    model, X_raw, X_scaled = data
    torch.manual_seed(99)
    other = _quiet(torch.jit.script, DigitNet().eval())
    assert_rejects(q1, other, model, X_raw, X_scaled, mentions="both raw and scaled")


# -- q2 -----------------------------------------------------------------------------------
RUN_ONE = """
import sys
import numpy as np
import torch

model = torch.jit.load(sys.argv[1])
with torch.no_grad():
    logits = model(torch.from_numpy(np.load(sys.argv[2])))
np.save(sys.argv[3], logits.numpy())
"""


def _child(program, path, batch):
    with tempfile.TemporaryDirectory() as tmp:
        inputs, outputs = Path(tmp) / "batch.npy", Path(tmp) / "logits.npy"
        np.save(inputs, batch)
        subprocess.run([sys.executable, "-I", "-c", program, str(path), str(inputs),
                        str(outputs)], check=True, capture_output=True)
        return np.load(outputs)


def run_in_fresh_process(path, batch):
    return _child(RUN_ONE, path, batch)


def test_q2_passes_on_a_fresh_process(data):
    model, _, X_scaled = data
    assert_passes(q2, run_in_fresh_process, model, X_scaled)


def test_q2_pending(data):
    model, _, X_scaled = data
    assert_pending(q2)
    assert_pending(q2, lambda path, batch: ..., model, X_scaled)


def test_q2_rejects_loading_in_this_kernel(data):
    model, _, X_scaled = data

    def in_kernel(path, batch):
        with torch.no_grad():
            return torch.jit.load(path)(torch.from_numpy(batch)).numpy()

    assert_rejects(q2, in_kernel, model, X_scaled, mentions="THIS kernel")


def test_q2_rejects_labels_tensors_and_a_fixed_file(data, tmp_path):
    model, _, X_scaled = data

    def labels(path, batch):
        return run_in_fresh_process(path, batch).argmax(1)

    def tensor(path, batch):
        return torch.from_numpy(run_in_fresh_process(path, batch))

    assert_rejects(q2, labels, model, X_scaled, mentions="not the predicted labels")
    assert_rejects(q2, tensor, model, X_scaled, mentions="NumPy array")
    fixed = tmp_path / "notebook_model.pt"
    torch.jit.save(_quiet(torch.jit.script, model), fixed)
    assert_rejects(q2, lambda path, batch: run_in_fresh_process(fixed, batch), model,
                   X_scaled, mentions="`path` argument")


def test_q2_rejects_a_crash_a_result_not_called_and_wrong_logits(data):
    model, _, X_scaled = data

    def crashes(path, batch):
        return _child("raise SystemExit('no model here')", path, batch)

    assert_rejects(q2, crashes, model, X_scaled, mentions="said: no model here")

    def torch_load(path, batch):  # torch.load refuses a TorchScript archive (weights_only)
        return _child(RUN_ONE.replace("torch.jit.load", "torch.load"), path, batch)

    assert_rejects(q2, torch_load, model, X_scaled, mentions="TorchScript archives")

    def completed_process(path, batch):
        return subprocess.run([sys.executable, "-c", "print('done')"], capture_output=True)

    assert_rejects(q2, completed_process, model, X_scaled, mentions="CompletedProcess")
    assert_rejects(q2, np.zeros((40, 10)), model, X_scaled, mentions="function itself")
    assert_rejects(q2, lambda path, batch: run_in_fresh_process(path, batch[::-1].copy()), model,
                   X_scaled, mentions="logits differ")


# -- q3 -----------------------------------------------------------------------------------
def _exportable(model, cls=ExportableDigitNet, train=False):
    net = cls()
    net.load_state_dict(model.state_dict())
    return net.train(train)


BATCH = {"x": {0: torch.export.Dim("batch")}}


def test_q3_passes_on_a_dynamic_export(data):
    model, X_raw, X_scaled = data
    exported = torch.export.export(_exportable(model), (X_raw[:8],), dynamic_shapes=BATCH)
    assert_passes(q3, exported, model, X_raw, X_scaled)
    auto = torch.export.export(_exportable(model), (X_raw[:8],),
                               dynamic_shapes={"x": {0: torch.export.Dim.AUTO}})
    assert_passes(q3, auto, model, X_raw, X_scaled)


def test_q3_pending(data):
    assert_pending(q3)
    assert_pending(q3, ..., *data)


def test_q3_rejects_a_static_batch_and_the_module(data):
    model, X_raw, X_scaled = data
    static = torch.export.export(_exportable(model), (X_raw[:8],))
    assert_rejects(q3, static, model, X_raw, X_scaled, mentions="dynamic_shapes")
    assert_rejects(q3, static.module(), model, X_raw, X_scaled, mentions="GraphModule")
    assert_rejects(q3, _exportable(model), model, X_raw, X_scaled,
                   mentions="torch.export.export")


def test_q3_rejects_training_mode_untrained_weights_and_swapped_branches(data):
    model, X_raw, X_scaled = data
    training = torch.export.export(_exportable(model, train=True), (X_raw[:8],),
                                   dynamic_shapes=BATCH)
    assert_rejects(q3, training, model, X_raw, X_scaled, mentions="dropout")
    torch.manual_seed(99)
    untrained = torch.export.export(ExportableDigitNet().eval(), (X_raw[:8],),
                                    dynamic_shapes=BATCH)
    assert_rejects(q3, untrained, model, X_raw, X_scaled, mentions="state_dict")
    swapped = torch.export.export(_exportable(model, cls=SwappedDigitNet), (X_raw[:8],),
                                  dynamic_shapes=BATCH)
    assert_rejects(q3, swapped, model, X_raw, X_scaled, mentions="each branch")
