"""Checks for 04_deep_learning/02_training_loop: a Dataset class, one training epoch, a
validation function, a snapshot of the weights, and the best model reaching its bar.

The function and class exercises are run inside the check on a fresh, seeded model and on the
notebook's own tensors (passed in), next to a reference run computed here, so each check holds
for any ``SEED`` or ``QUICK``. The checks run under ``torch.random.fork_rng``, so they leave
the notebook's random state as they found it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..check_helpers import call_learner, expect_function, expect_number, quiet, type_name
from ..exercises import Exercise, Mismatch, expect, fail

NOTEBOOK = "04_deep_learning/02_training_loop"

N_CLASSES = 10
BAR = 0.95  # the shared quality bar of modules 04's digits models (test accuracy)


def _small_net(n_features: int, seed: int, dropout: float, device):
    """A small seeded MLP with dropout, the kind of model the notebook trains."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(32, N_CLASSES)).to(device)


def _watch_forward(model):
    """Record, at every forward pass of ``model``, whether it was in training mode and whether
    autograd was recording; returns (the records, the hook handle)."""
    import torch

    seen = []

    def hook(module, inputs):
        seen.append((module.training, torch.is_grad_enabled()))

    return seen, model.register_forward_pre_hook(hook)


# -- q1: a Dataset class -----------------------------------------------------------------
def _check_q1(DigitsDataset, X, y) -> str:
    import torch
    from torch.utils.data import DataLoader, Dataset

    expect(isinstance(DigitsDataset, type),
           "pass the class itself, `DigitsDataset`, not an instance of it (you passed a "
           f"{type_name(DigitsDataset)}).")
    expect(issubclass(DigitsDataset, Dataset),
           "`DigitsDataset` should subclass `torch.utils.data.Dataset`.")
    # X_val and y_val are already float32 and int64; the same rows as float64 pixels and
    # int32 labels show whether the class converts them itself, as the task asks.
    other_dtypes = (" when the arrays arrive as float64 pixels and int32 labels: convert "
                    "them in `__init__`")
    for X_in, y_in, call, when in (
            (X, y, "DigitsDataset(X_val, y_val)", ""),
            (X.astype(np.float64), y.astype(np.int32),
             "DigitsDataset(<X_val as float64>, <y_val as int32>)", other_dtypes)):
        dataset = call_learner(DigitsDataset, X_in, y_in, call=call)
        length = call_learner(len, dataset, call=f"len({call})")
        expect(length == len(X), f"`len(dataset)` is {length}, but X_val has {len(X)} rows: "
                                 "`__len__` should return the number of rows.")
        for index in (0, 1, len(X) - 1):
            item = call_learner(dataset.__getitem__, index, call=f"dataset[{index}]")
            expect(isinstance(item, tuple | list) and len(item) == 2,
                   f"`dataset[{index}]` should be a pair (image, label), not a "
                   f"{type_name(item)}.")
            image, label = item
            if isinstance(image, np.ndarray):
                fail("`__getitem__` returns the image as a NumPy array: return a torch "
                     "tensor.")
            expect(isinstance(image, torch.Tensor),
                   f"the image should be a torch tensor, not a {type_name(image)}.")
            expect(image.dtype == torch.float32,
                   f"the image has dtype {image.dtype}{when}; layers expect torch.float32.")
            expect(tuple(image.shape) == (X.shape[1],),
                   f"one image should have shape ({X.shape[1]},), one row of pixels; yours "
                   f"has shape {tuple(image.shape)}. Index one row: `self.X[index]`.")
            if isinstance(label, torch.Tensor):
                if label.is_floating_point():
                    fail("the label is a float tensor: cross-entropy wants class indices, "
                         "integers of dtype torch.int64 (long).")
                expect(label.dtype == torch.int64,
                       f"the label has dtype {label.dtype}{when}; cross-entropy wants "
                       "torch.int64.")
                expect(label.dim() == 0,
                       "one label should be a single number (0-d), not shape "
                       f"{tuple(label.shape)}.")
                label_value = int(label)
            elif isinstance(label, float | np.floating):
                fail("the label is a float: cross-entropy wants class indices, integers of "
                     "dtype torch.int64 (long).")
            else:
                expect(isinstance(label, int | np.integer),
                       f"the label should be an int64 tensor, not a {type_name(label)}.")
                label_value = int(label)
            expect(np.allclose(image.detach().cpu().numpy(), X[index], atol=1e-6)
                   and label_value == int(y[index]),
                   f"`dataset[{index}]` does not hold row {index} of X_val and its label: "
                   "return the row at `index` and the label at the same position.")
        with quiet():
            images, labels = next(iter(DataLoader(dataset, batch_size=16)))
        expect(images.dtype == torch.float32 and tuple(images.shape) == (16, X.shape[1]),
               "a DataLoader over your dataset should give images of shape (16, "
               f"{X.shape[1]}) and dtype float32; it gives {tuple(images.shape)}, "
               f"{images.dtype}{when}.")
        expect(labels.dtype == torch.int64 and tuple(labels.shape) == (16,),
               "a DataLoader over your dataset should give labels of shape (16,) and dtype "
               f"int64; it gives {tuple(labels.shape)}, {labels.dtype}{when}.")
    return "a DataLoader batches it into float32 images and int64 labels."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "A map-style dataset needs three methods: `__init__` stores the data, `__len__` says "
        "how many rows, `__getitem__(index)` returns one (image, label) pair.",
        "Convert once, in `__init__`: `torch.tensor(X, dtype=torch.float32)` for the pixels "
        "and `torch.tensor(y, dtype=torch.int64)` for the labels.",
        "`__getitem__` returns `self.X[index], self.y[index]`; `__len__` returns `len(self.y)`.",
    ],
)


# -- q2: one training epoch --------------------------------------------------------------
def _reference_epoch(model, loader, loss_fn, optimizer, *, zero_grad=True, softmax=False):
    """One epoch as the lesson teaches it (or with one classic mistake); the mean batch loss."""
    import torch

    model.train()
    losses = []
    for images, labels in loader:
        if zero_grad:
            optimizer.zero_grad()
        outputs = model(images)
        if softmax:
            outputs = torch.softmax(outputs, dim=1)
        loss = loss_fn(outputs, labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return float(np.mean(losses))


def _check_q2(train_one_epoch, X, y) -> str:
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    expect_function(train_one_epoch, "train_one_epoch")
    n = min(len(X), 256)
    loader = DataLoader(TensorDataset(X[:n], y[:n]), batch_size=32)
    n_batches = len(loader)

    def setup(seed: int = 0):
        model = _small_net(X.shape[1], seed, 0.2, X.device)
        return model, torch.optim.SGD(model.parameters(), lr=0.1)

    def run(fn, **kwargs):
        with torch.random.fork_rng(devices=[]):
            model, optimizer = setup()
            before = [p.detach().clone() for p in model.parameters()]
            model.eval()  # the function must switch to training mode itself
            torch.manual_seed(1)  # the same dropout masks for every run
            result = fn(model, loader, nn.CrossEntropyLoss(), optimizer, **kwargs)
        return model, before, result

    steps = []
    seen: list = []

    def learner(model, loader_, loss_fn, optimizer):
        original = optimizer.step

        def counted_step(*args, **kwargs):
            steps.append(1)
            return original(*args, **kwargs)

        optimizer.step = counted_step
        watched, handle = _watch_forward(model)
        try:
            with quiet():
                return call_learner(train_one_epoch, model, loader_, loss_fn, optimizer,
                                    call="train_one_epoch(model, loader, loss_fn, optimizer)")
        finally:
            handle.remove()
            seen.extend(watched)

    model, before, result = run(learner)
    if isinstance(result, torch.Tensor):
        fail("`train_one_epoch` returns a tensor: return the mean loss as a Python float "
             "(`loss.item()` for each batch), which also lets each batch's graph be freed.")
    result = expect_number(result, "the value `train_one_epoch` returns")
    expect(len(seen) >= n_batches,
           f"the model was called {len(seen)} times for {n_batches} batches: loop over every "
           "batch of the loader.")
    if any(not training for training, _ in seen):
        fail("the model was in evaluation mode while training (dropout off): call "
             "`model.train()` at the start of the epoch, since a validation pass may have "
             "left it in eval mode.")
    expect(steps, "`optimizer.step()` was never called, so the weights did not change.")
    after = [p.detach() for p in model.parameters()]
    expect(any(not torch.equal(a, b) for a, b in zip(after, before, strict=True)),
           "the weights did not change: call `loss.backward()` before `optimizer.step()`.")
    expect(len(steps) == n_batches,
           f"`optimizer.step()` was called {len(steps)} times for {n_batches} batches: one "
           "step per batch.")
    right_model, _, right_loss = run(_reference_epoch)

    def same_weights(other) -> bool:
        return all(torch.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in
                   zip(model.parameters(), other.parameters(), strict=True))

    if not same_weights(right_model):
        for mistake, message in (
                ({"zero_grad": False}, "the gradients are never cleared, so each step uses the "
                 "sum of all previous gradients: call `optimizer.zero_grad()` once per batch, "
                 "before `loss.backward()`."),
                ({"softmax": True}, "softmax is applied before the loss: `CrossEntropyLoss` "
                 "takes the raw logits and applies log-softmax itself.")):
            wrong_model, _, _ = run(_reference_epoch, **mistake)
            if same_weights(wrong_model):
                fail(message)
        fail("the weights after one epoch differ from zero_grad → forward → loss → backward "
             "→ step, batch by batch: check the order of the five calls.")
    expect(np.isclose(result, right_loss, rtol=1e-4),
           "the returned value is not the mean of the batch losses of this epoch.")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(2)
        again = expect_number(call_learner(train_one_epoch, model, loader, nn.CrossEntropyLoss(),
                                           torch.optim.SGD(model.parameters(), lr=0.1)),
                              "the value `train_one_epoch` returns")
    expect(again < result, "a second epoch did not lower the training loss.")
    return f"the weights move as they should; mean loss {result:.3f}, then {again:.3f}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Start with `model.train()`, then loop `for images, labels in loader:` and do the five "
        "steps for each batch.",
        "The five steps: `optimizer.zero_grad()`, `logits = model(images)`, "
        "`loss = loss_fn(logits, labels)`, `loss.backward()`, `optimizer.step()`.",
        "Collect `loss.item()` for each batch in a list and return `sum(losses) / "
        "len(losses)`.",
    ],
)


# -- q3: a validation function -----------------------------------------------------------
def _check_q3(evaluate, X, y) -> str:
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    expect_function(evaluate, "evaluate")
    loader = DataLoader(TensorDataset(X, y), batch_size=64)
    with torch.random.fork_rng(devices=[]):
        model = _small_net(X.shape[1], 3, 0.5, X.device)
        model.train()  # left in training mode, as after an epoch of training
        watched, handle = _watch_forward(model)
        try:
            with quiet():
                result = call_learner(evaluate, model, loader, nn.CrossEntropyLoss(),
                                      call="evaluate(model, loader, loss_fn)")
        except Mismatch as crash:
            if "must match the size" in str(crash):
                fail("comparing the predictions with the labels fails on their shapes: argmax "
                     "over dim 0 gives one value per class; the classes are along dim 1.")
            raise
        finally:
            handle.remove()
    expect(isinstance(result, tuple | list) and len(result) == 2,
           "`evaluate` should return two numbers, (mean loss, accuracy), not a "
           f"{type_name(result)}.")
    expect(watched, "`evaluate` never called the model: loop over the loader's batches.")
    if any(training for training, _ in watched):
        fail("the model was in training mode during validation: dropout is still active, so "
             "the results are noisy and too pessimistic. Call `model.eval()` first.")
    if any(grad for _, grad in watched):
        fail("autograd was recording during validation: wrap the loop in `with "
             "torch.no_grad():`, since no gradients are needed and the graph costs memory "
             "and time.")
    for value, name in zip(result, ("the mean loss", "the accuracy"), strict=True):
        if isinstance(value, torch.Tensor):
            fail(f"{name} is a tensor: return Python floats (`.item()`).")
    loss, accuracy = (expect_number(result[0], "the mean loss"),
                      expect_number(result[1], "the accuracy"))
    model.eval()
    with torch.no_grad():
        logits = model(X)
        right_loss = float(nn.CrossEntropyLoss()(logits, y))
        batch_losses = [float(nn.CrossEntropyLoss()(model(images), labels))
                        for images, labels in loader]
        predictions = logits.argmax(dim=1)
        right_accuracy = (predictions == y).sum().item() / len(y)
        batch_accuracies = [(model(images).argmax(dim=1) == labels).float().mean().item()
                            for images, labels in loader]
    if 1.0 < accuracy <= 100.0 and np.isclose(accuracy, 100 * right_accuracy, rtol=1e-6):
        fail("the accuracy is a percentage; return the fraction of correct predictions, "
             "between 0 and 1.")
    if np.isclose(accuracy, right_accuracy * len(y), rtol=1e-6) and accuracy > 1:
        fail("the accuracy is the number of correct predictions; divide by the number of "
             "rows.")
    batch_mean = ("is the mean of the per-batch values; the last batch is smaller than the "
                  "others, so weight each batch by its number of rows (or sum over rows and "
                  "divide by the total).")
    if (not np.isclose(accuracy, right_accuracy, rtol=1e-6, atol=1e-9)
            and np.isclose(accuracy, np.mean(batch_accuracies), rtol=1e-6)):
        fail(f"the accuracy {batch_mean}")
    expect(np.isclose(accuracy, right_accuracy, rtol=1e-6, atol=1e-9),
           "the accuracy is not the fraction of rows whose predicted class (the argmax of the "
           "logits over the class dimension, dim=1) equals the label.")
    if not np.isclose(loss, right_loss, rtol=1e-4) and np.isclose(loss, np.mean(batch_losses),
                                                                   rtol=1e-4):
        fail(f"the loss {batch_mean}")
    if np.isclose(loss, float(nn.CrossEntropyLoss()(torch.softmax(logits, dim=1), y)),
                  rtol=1e-4):
        fail("the loss was computed on probabilities: `CrossEntropyLoss` applies log-softmax "
             "itself, so give it the logits, without a softmax.")
    expect(np.isclose(loss, right_loss, rtol=1e-4),
           "the loss is not the mean cross-entropy over the validation rows.")
    return f"eval mode, no gradients; loss {loss:.3f}, accuracy {accuracy:.3f} (untrained model)."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Two switches: `model.eval()` (dropout off) and `with torch.no_grad():` (no graph).",
        "For each batch, add `loss.item() * len(labels)` to a total and count the correct "
        "predictions, `(logits.argmax(dim=1) == labels).sum().item()`.",
        "Return `total_loss / n_rows, n_correct / n_rows`, both divided by the number of rows "
        "(`len(loader.dataset)`).",
    ],
)


# -- q4: a snapshot of the weights -------------------------------------------------------
def _check_q4(snapshot, X) -> str:
    import torch
    from torch import nn

    expect_function(snapshot, "snapshot")
    with torch.random.fork_rng(devices=[]):
        model = _small_net(X.shape[1], 4, 0.2, X.device)
    current = {k: v.clone() for k, v in model.state_dict().items()}
    state = call_learner(snapshot, model, call="snapshot(model)")
    if isinstance(state, nn.Module):
        fail("`snapshot` returns a model; return a state_dict, the dict of tensors that "
             "`load_state_dict` accepts.")
    expect(isinstance(state, Mapping),
           f"`snapshot` should return a dict of tensors (a state_dict), not a "
           f"{type_name(state)}.")
    expect(list(state) == list(current),
           "the snapshot's keys are not the model's state_dict keys (in order).")
    for key, value in state.items():
        expect(isinstance(value, torch.Tensor) and torch.equal(value, current[key]),
               f"the snapshot's `{key}` is not the model's current `{key}`.")
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1.0)  # what optimizer.step() does: an in-place update
    if any(not torch.equal(value, current[key]) for key, value in state.items()):
        fail("the snapshot changed when the model was trained further: `state_dict()` returns "
             "references to the live tensors, not copies (a shallow `dict(...)` or `.copy()` "
             "does not help). Copy every tensor.")
    fresh = _small_net(X.shape[1], 5, 0.2, X.device)
    fresh.load_state_dict(state)
    expect(all(torch.equal(fresh.state_dict()[k], current[k]) for k in current),
           "loading the snapshot into a fresh model does not restore the weights.")
    return "it survives further training and loads into a fresh model."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Try it: `state = model.state_dict()`, one `optimizer.step()`, then compare `state` "
        "with the new weights. They move together.",
        "You need new tensors: `copy.deepcopy` copies a dict together with every tensor in "
        "it; `tensor.clone()` copies one tensor.",
        "`return copy.deepcopy(model.state_dict())` (or a dict comprehension with "
        "`.detach().clone()`).",
    ],
)


# -- q5: the best model reaches the bar ---------------------------------------------------
def _check_q5(best_model, history, X_val, y_val, X_test, y_test) -> str:
    import torch
    from torch import nn

    if isinstance(best_model, type):
        fail("`best_model` is the class itself: create an instance and load the weights into "
             "it.")
    expect(isinstance(best_model, nn.Module),
           f"`best_model` should be a model (an nn.Module), not a {type_name(best_model)}.")
    expect(isinstance(history, Mapping) and "val_accuracy" in history,
           "pass the `history` dict of the training run (it holds 'val_accuracy').")
    best_val = max(history["val_accuracy"])
    was_training = best_model.training
    best_model.eval()
    with torch.no_grad():
        val_accuracy = (best_model(X_val).argmax(dim=1) == y_val).sum().item() / len(y_val)
        test_accuracy = (best_model(X_test).argmax(dim=1) == y_test).sum().item() / len(y_test)
    best_model.train(was_training)
    if not np.isclose(val_accuracy, best_val, atol=1e-6):
        if np.isclose(val_accuracy, history["val_accuracy"][-1], atol=1e-6):
            fail("`best_model` has the weights of the LAST epoch, not of the best one: load "
                 "`best_state` into it.")
        fail("`best_model`'s validation accuracy is not the best one in `history`: load the "
             "weights saved at the best epoch (`best_state`).")
    expect(test_accuracy >= BAR,
           f"`best_model` reaches a test accuracy of {test_accuracy:.3f}, below the bar of "
           f"{BAR}: train for more epochs or check the learning rate.")
    return f"test accuracy {test_accuracy:.3f} (bar {BAR})."


q5 = Exercise(
    name="q5",
    notebook=NOTEBOOK,
    check_fn=_check_q5,
    hints=[
        "Create a fresh model of the same architecture, `MLP()`, and move it to `DEVICE`.",
        "`model.load_state_dict(best_state)` copies the saved weights into it.",
        "`best_model = MLP().to(DEVICE)` then `best_model.load_state_dict(best_state)`.",
    ],
)
