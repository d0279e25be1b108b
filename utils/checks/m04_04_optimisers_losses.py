"""Checks for 04_deep_learning/04_optimisers_losses: an optimiser factory, cross-entropy on
logits with its gradient, binary targets and a class weight for BCEWithLogitsLoss.

Every check receives the learner's answers first, then the inputs the notebook gave them.
The learner's optimiser factory is called on small fresh models built inside the check; the
gradient is compared with its closed form, (softmax(z) - one_hot(y)) / N, computed here from
the logits the learner was given. PyTorch is imported inside the check functions only.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import call_learner, expect_function, expect_type, near, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "04_deep_learning/04_optimisers_losses"

OPTIMISER_NAMES = ("SGD", "SGD + momentum", "Adam")


# -- q1: an optimiser for each name ---------------------------------------------------------
def _small_problem():
    """A fixed, learnable 3-class problem and a fresh linear model (seeded, CPU)."""
    import torch

    generator = torch.Generator().manual_seed(0)
    X = torch.randn(60, 4, generator=generator)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
    model = torch.nn.Linear(4, 3)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.1 * torch.randn(p.shape, generator=generator))
    return X, y, model


def _check_q1(make_optimizer, lr_sgd, momentum, lr_adam) -> str:
    import torch

    expect_function(make_optimizer, "make_optimizer")
    expected = {"SGD": (torch.optim.SGD, lr_sgd, 0.0),
                "SGD + momentum": (torch.optim.SGD, lr_sgd, momentum),
                "Adam": (torch.optim.Adam, lr_adam, None)}
    for name, (kind, lr, wanted_momentum) in expected.items():
        X, y, model = _small_problem()
        parameters = list(model.parameters())
        call = f'make_optimizer("{name}", model.parameters())'
        optimiser = call_learner(make_optimizer, name, model.parameters(), call=call)
        if optimiser is None:
            fail(f"`{call}` returned None: did you forget to `return` the optimiser?")
        if isinstance(optimiser, type):
            fail(f"`{call}` returned the class {optimiser.__name__} itself; create an "
                 "optimiser by calling it with the parameters and a learning rate.")
        expect_type(optimiser, torch.optim.Optimizer, call, "(a torch.optim optimiser)")
        expect(type(optimiser) is kind,
               f"`{call}` returned a {type_name(optimiser)}; \"{name}\" asks for "
               f"torch.optim.{kind.__name__}.")
        held = [p for group in optimiser.param_groups for p in group["params"]]
        expect(len(held) == len(parameters)
               and {id(p) for p in held} == {id(p) for p in parameters},
               f"the optimiser from `{call}` does not hold the parameters it was given: build "
               "it over the `parameters` argument, not over a model of the notebook.")
        group = optimiser.param_groups[0]
        got_lr = float(group["lr"])
        if got_lr >= 5 * lr:
            fail(f"the learning rate of \"{name}\" is {got_lr:g}, far above the one the task "
                 "gives: a learning rate that high makes the loss jump around or diverge.")
        if got_lr <= lr / 5:
            fail(f"the learning rate of \"{name}\" is {got_lr:g}, far below the one the task "
                 "gives: training would crawl.")
        expect(near(got_lr, lr),
               f"the learning rate of \"{name}\" is {got_lr:g}; use the notebook's value for it.")
        if wanted_momentum is not None:
            got = float(group.get("momentum", 0.0))
            if wanted_momentum == 0.0:
                expect(got == 0.0, f"\"{name}\" is plain SGD: leave momentum at 0 (yours is "
                                   f"{got:g}).")
            else:
                expect(near(got, wanted_momentum),
                       f"\"{name}\" has momentum {got:g}; pass `momentum=` with the value the "
                       "task gives.")
        before = [p.detach().clone() for p in parameters]
        loss_fn = torch.nn.CrossEntropyLoss()
        with torch.no_grad():
            start = float(loss_fn(model(X), y))
        for _ in range(25):
            optimiser.zero_grad()
            loss_fn(model(X), y).backward()
            optimiser.step()
        with torch.no_grad():
            end = float(loss_fn(model(X), y))
        expect(any(not torch.equal(a, b) for a, b in zip(before, parameters, strict=True)),
               f"25 steps of the optimiser from `{call}` left the weights unchanged.")
        expect(end < start,
               f"25 steps of the optimiser from `{call}` did not lower the loss of a small "
               "problem: check its settings.")
    return "three optimisers, each training a small model."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Every `torch.optim` optimiser takes the parameters to update first, then its "
        "settings: `torch.optim.SGD(parameters, lr=...)`.",
        "Momentum is a setting of SGD, not a separate class: `torch.optim.SGD(parameters, "
        "lr=LR_SGD, momentum=MOMENTUM)`; Adam is `torch.optim.Adam(parameters, lr=LR_ADAM)`.",
        "Use `if name == \"SGD\": return ...`, `if name == \"SGD + momentum\": return ...`, "
        "and so on, each built over `parameters`, with the notebook's constants.",
    ],
)


# -- q2: cross-entropy on logits, its gradient, the predicted classes -----------------------
def _check_q2(loss, logits_grad, predictions, logits, targets) -> str:
    import torch

    expect_type(logits, torch.Tensor, "logits")
    z = logits.detach().double().cpu()
    y = targets.detach().cpu().long()
    n, n_classes = z.shape
    probabilities = torch.softmax(z, dim=1)
    one_hot = torch.nn.functional.one_hot(y, n_classes).double()
    log_probabilities = torch.log_softmax(z, dim=1)
    right_loss = float(-log_probabilities[torch.arange(n), y].mean())
    right_grad = ((probabilities - one_hot) / n).numpy()

    expect_type(loss, torch.Tensor, "loss", "(what the loss function returns)")
    if loss.dim() == 1 and loss.numel() == n:
        fail("`loss` holds one value per row: keep the default `reduction=\"mean\"`, one "
             "number for the batch.")
    expect(loss.dim() == 0, f"`loss` should be a single number (0-d tensor), not shape "
                            f"{tuple(loss.shape)}.")
    value = float(loss.detach())
    if not near(value, right_loss):
        double_softmax = float(torch.nn.functional.cross_entropy(probabilities, y))
        if near(value, double_softmax):
            fail("`loss` was computed on softmax probabilities: `F.cross_entropy` applies "
                 "log-softmax itself, so give it the raw logits.")
        if near(value, float(-z[torch.arange(n), y].mean())):
            fail("`loss` is NLL on raw logits: `nll_loss` expects log-probabilities "
                 "(`log_softmax` first), or use `cross_entropy` on the logits directly.")
        if near(value, right_loss * n):
            fail("`loss` is the sum over the batch, not the mean: keep the default reduction.")
        if near(value, float(((probabilities - one_hot) ** 2).mean())):
            fail("`loss` is the MSE between probabilities and one-hot targets; the task asks "
                 "for cross-entropy.")
        fail("`loss` is not the mean cross-entropy of `logits` against `targets`.")

    if logits_grad is None:
        fail("`logits_grad` is None: call `loss.backward()` before reading `logits.grad`.")
    expect_type(logits_grad, torch.Tensor, "logits_grad", "(`logits.grad`)")
    expect(tuple(logits_grad.shape) == (n, n_classes),
           f"`logits_grad` has shape {tuple(logits_grad.shape)}; the gradient of the loss "
           f"with respect to `logits` has the shape of `logits`, {(n, n_classes)}.")
    grad = logits_grad.detach().double().cpu().numpy()
    if not np.allclose(grad, right_grad, rtol=1e-4, atol=1e-7):
        for times in (2, 3, 4):
            if np.allclose(grad, times * right_grad, rtol=1e-4, atol=1e-7):
                fail(f"`logits_grad` is {times} times the gradient: `backward()` ran {times} "
                     "times and the gradients added up. Reset `logits.grad = None` before "
                     "calling `backward()` (what `zero_grad()` does for a model).")
        fail("`logits_grad` is not the gradient of this loss with respect to `logits`: "
             "compute `loss` on the logits, call `loss.backward()` once, read `logits.grad`.")

    expect_type(predictions, torch.Tensor, "predictions")
    if tuple(predictions.shape) == (n_classes,) and n != n_classes:
        fail("`predictions` has one value per class: `argmax` ran over dim 0, the batch. "
             "The classes are along dim 1.")
    expect(tuple(predictions.shape) == (n,),
           f"`predictions` should hold one class per row, shape ({n},), not "
           f"{tuple(predictions.shape)}.")
    expect(not torch.is_floating_point(predictions),
           "`predictions` holds floats; the class indices `argmax` returns are integers.")
    expect(torch.equal(predictions.cpu().long(), z.argmax(dim=1)),
           "`predictions` are not the classes with the highest logit in each row.")
    return f"loss {right_loss:.4f}, and the gradient matches softmax(z) - one_hot(y), over N."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`F.cross_entropy(logits, targets)` takes raw logits and integer class indices; it "
        "applies log-softmax and NLL in one step.",
        "Clear the old gradient with `logits.grad = None`, then `loss.backward()` fills "
        "`logits.grad`.",
        "The predicted class is the column of the highest logit in each row: "
        "`logits.argmax(dim=1)`.",
    ],
)


# -- q3: binary targets and a positive-class weight for BCEWithLogitsLoss -------------------
def _check_q3(loss_fn, yb_train_t, yb_train, yb_test, device) -> str:
    import torch

    device_type = torch.device(device).type

    yb_train = np.asarray(yb_train)
    yb_test = np.asarray(yb_test)
    n = len(yb_train)
    if isinstance(loss_fn, torch.nn.BCELoss):
        fail("`loss_fn` is BCELoss, which expects probabilities; the model outputs logits, "
             "so use BCEWithLogitsLoss (it applies the sigmoid itself, stably).")
    if isinstance(loss_fn, torch.nn.CrossEntropyLoss):
        fail("`loss_fn` is CrossEntropyLoss, for one logit per class and integer labels; "
             "this model has one output for a 0/1 target: use BCEWithLogitsLoss.")
    expect_type(loss_fn, torch.nn.BCEWithLogitsLoss, "loss_fn")

    expect_type(yb_train_t, torch.Tensor, "yb_train_t")
    expect(torch.is_floating_point(yb_train_t),
           f"`yb_train_t` has dtype {yb_train_t.dtype}; BCEWithLogitsLoss needs float targets "
           "(0.0 and 1.0), like the logits: use `dtype=torch.float32`.")
    expect(yb_train_t.dtype == torch.float32,
           f"`yb_train_t` has dtype {yb_train_t.dtype}; the model's logits are float32, so "
           "the targets should be float32 too.")
    if tuple(yb_train_t.shape) == (n,):
        fail(f"`yb_train_t` has shape ({n},), but the model's logits have shape ({n}, 1): "
             "the loss needs the same shape for both (add a column with `.unsqueeze(1)`).")
    expect(tuple(yb_train_t.shape) == (n, 1),
           f"`yb_train_t` should have shape ({n}, 1), one target per training row, not "
           f"{tuple(yb_train_t.shape)}.")
    expect(np.array_equal(yb_train_t.detach().cpu().numpy()[:, 0], yb_train.astype(np.float32)),
           "`yb_train_t` does not hold the training labels in their order.")
    expect(yb_train_t.device.type == device_type,
           f"`yb_train_t` is on {yb_train_t.device.type}, but the notebook's DEVICE is "
           f"{device_type}: the targets must sit where the model's logits are "
           "(`device=DEVICE`).")

    weight = loss_fn.pos_weight
    expect(weight is not None,
           "`loss_fn` has no `pos_weight`: give it the class weight of the positive class.")
    expect(torch.is_floating_point(weight),
           f"`pos_weight` has dtype {weight.dtype}; make it a float tensor.")
    expect(weight.numel() == 1,
           f"`pos_weight` holds {weight.numel()} values; this task has one output, so one "
           "weight.")
    expect(weight.device.type == device_type,
           f"`pos_weight` is on {weight.device.type}, but the notebook's DEVICE is "
           f"{device_type}: the loss combines it with the logits, so create it with "
           "`device=DEVICE`.")
    value = float(weight.detach().reshape(-1)[0])
    n_pos, n_neg = int(yb_train.sum()), int(n - yb_train.sum())
    right = n_neg / n_pos
    if near(value, n_pos / n_neg, 1e-4):
        fail("`pos_weight` is inverted: it multiplies the loss of the POSITIVE rows, so it "
             "should be (number of negatives) / (number of positives), above 1 here.")
    everything = np.concatenate([yb_train, yb_test])
    for rows, where in ((everything, "on every row, test rows included"),
                        (yb_test, "on the test rows")):
        pos = int(rows.sum())
        if pos and near(value, (len(rows) - pos) / pos, 1e-4) and not near(value, right,
                                                                                 1e-4):
            fail(f"`pos_weight` was counted {where}; count the classes of the training "
                 "labels only.")
    expect(near(value, right, 1e-4),
           "`pos_weight` is not (number of negatives) / (number of positives) in the "
           "training labels.")
    return f"pos_weight {right:.2f}: each churner counts about {right:.1f} times."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "The targets must look like the logits: float32 and shape (N, 1). "
        "`torch.tensor(yb_train, dtype=torch.float32).unsqueeze(1)` does both.",
        "`pos_weight` multiplies the loss of the positive rows: count the negatives and the "
        "positives in `yb_train` and divide.",
        "`nn.BCEWithLogitsLoss(pos_weight=torch.tensor([n_negative / n_positive], "
        "dtype=torch.float32, device=DEVICE))`, and the targets on `DEVICE` too.",
    ],
)
