"""Checks for 07_advanced_tuning/02_lr_schedules: picking a starting rate from a range test,
a warm-up + cosine schedule, a training loop that steps its scheduler once per epoch after the
optimizer, and ReduceLROnPlateau wired to the validation loss.

The range-test check receives the learner's number and the curve it was read from; the
schedule and loop checks receive the learner's function and build their own optimizers,
schedulers and tiny seeded models, so each reference is computed here from the inputs and
holds for any ``SEED`` or ``QUICK``. The loop check runs under ``torch.random.fork_rng``.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import call_learner, expect_array, expect_function, expect_number, near, quiet
from ..exercises import Exercise, expect, fail

NOTEBOOK = "07_advanced_tuning/02_lr_schedules"


# -- q1: a starting rate from the range test ----------------------------------------------
def _check_q1(start_lr, lrs, losses) -> str:
    lrs = expect_array(lrs, "lrs", real=True)
    losses = expect_array(losses, "losses", real=True)
    expect(lrs.shape == losses.shape and lrs.ndim == 1 and len(lrs) > 1,
           "`lrs` and `losses` should be the range test's two curves, one value per batch.")
    value = expect_number(start_lr, "start_lr")
    best = int(np.argmin(losses))
    reference = lrs[best] / 10
    if near(value, reference, rtol=1e-6):
        return "a rate a safe distance below where the loss stops falling."
    if near(value, lrs[best], rtol=1e-6):
        fail("this is the rate at which the loss is lowest: the edge of instability, where "
             "the next rates make it climb. Start a safe distance below it.")
    if near(value, losses[best], rtol=1e-6) or near(value, losses[best] / 10, rtol=1e-6):
        fail("this is a loss value, not a learning rate: read the rate at that point of "
             "`lrs`.")
    if float(value).is_integer() and (value == best or value == best / 10):
        fail("this looks like a position in the arrays: return the learning rate there.")
    if near(value, lrs[-1] / 10, rtol=1e-6) or near(value, lrs[-1], rtol=1e-6):
        fail("this comes from the last rate of the test, where the loss has blown up: find "
             "where the loss is lowest.")
    fail("`start_lr` is not one tenth of the rate at which the smoothed loss is lowest.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Find where the smoothed loss is lowest, then read the learning rate at that "
        "position.",
        "`np.argmin(losses)` gives the position of the lowest loss; `lrs[...]` the rate "
        "there.",
        "`start_lr = lrs[np.argmin(losses)] / 10`",
    ],
)


# -- q2: warm-up + cosine -----------------------------------------------------------------
def _schedule_lrs(make, warmup: int, total: int, base_lr: float, call: str):
    """The learning rate of each of ``total`` epochs under ``make``'s scheduler, stepped once
    per epoch after the optimizer; or feedback if ``make`` does not build a scheduler."""
    import torch
    from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=base_lr)
    scheduler = call_learner(make, optimizer, warmup, total, call=call)
    if isinstance(scheduler, list | tuple | np.ndarray):
        fail(f"`{call}` returns a {type(scheduler).__name__} of values: return the scheduler "
             "object, which the training loop steps.")
    if isinstance(scheduler, ReduceLROnPlateau):
        fail("ReduceLROnPlateau follows a metric; the task asks for a fixed warm-up then a "
             "cosine curve.")
    expect(isinstance(scheduler, LRScheduler),
           f"`{call}` should return a scheduler from `torch.optim.lr_scheduler`, not a "
           f"{type(scheduler).__name__}.")
    expect(getattr(scheduler, "optimizer", None) is optimizer,
           "the scheduler drives another optimizer: build it on the `optimizer` argument.")
    return _learning_rates(optimizer, scheduler, total)


def _learning_rates(optimizer, scheduler, total) -> np.ndarray:
    """The learning rate of each of ``total`` steps, stepping the optimizer then the scheduler."""
    lrs = []
    for _ in range(total):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)


def _reference_schedule(warmup, total, base_lr, *, start=0.1, t_max=None, milestone=None):
    import torch
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=base_lr)
    scheduler = SequentialLR(optimizer, [
        LinearLR(optimizer, start_factor=start, total_iters=warmup),
        CosineAnnealingLR(optimizer, T_max=total - warmup if t_max is None else t_max)],
        milestones=[warmup if milestone is None else milestone])
    return _learning_rates(optimizer, scheduler, total)


def _check_q2(make_warmup_cosine, base_lr) -> str:

    expect_function(make_warmup_cosine, "make_warmup_cosine")
    base_lr = expect_number(base_lr, "base_lr")
    with quiet():
        for warmup, total in ((3, 20), (2, 10), (5, 12)):
            call = f"make_warmup_cosine(optimizer, {warmup}, {total})"
            got = _schedule_lrs(make_warmup_cosine, warmup, total, base_lr, call)
            want = _reference_schedule(warmup, total, base_lr)
            if np.allclose(got, want, rtol=1e-6, atol=1e-12):
                continue
            if got[0] == base_lr:
                fail(f"with `{call}` the first epoch already runs at the full rate: no "
                     "warm-up. Start at a tenth of it.")
            if np.allclose(got, _reference_schedule(warmup, total, base_lr, t_max=total),
                           rtol=1e-6):
                fail(f"with `{call}` the cosine part is as long as the whole run, so it is "
                     "still far from zero at the last epoch: it should last the epochs after "
                     "the warm-up.")
            if np.allclose(got[:warmup], want[:warmup], rtol=1e-6):
                fail(f"with `{call}` the warm-up is right but the cosine part that follows "
                     "is not: it should fall from the full rate towards 0 over the remaining "
                     "epochs, starting right after the warm-up.")
            wrong = int(np.flatnonzero(~np.isclose(got, want, rtol=1e-6))[0])
            fail(f"with `{call}` the learning rate of epoch {wrong} (counting from 0) is not "
                 "what a linear warm-up from a tenth of the rate followed by a cosine decay "
                 "gives. Did you use the arguments rather than fixed numbers?")
    return "linear warm-up, then a cosine decay over the remaining epochs."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Two schedulers chained: `LinearLR` for the warm-up, `CosineAnnealingLR` after it, "
        "joined by `SequentialLR` with a milestone where the warm-up ends.",
        "`LinearLR(optimizer, start_factor=0.1, total_iters=warmup_epochs)`; the cosine part "
        "lasts `total_epochs - warmup_epochs` epochs (`T_max`).",
        "`SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_epochs])`",
    ],
)


# -- q3: step the scheduler once per epoch, after the optimizer --------------------------
def _check_q3(train_with_scheduler, X, y) -> str:
    import torch
    from torch import nn
    from torch.optim.lr_scheduler import StepLR
    from torch.utils.data import DataLoader, TensorDataset


    expect_function(train_with_scheduler, "train_with_scheduler")
    n_rows, epochs, batch = min(len(X), 96), 5, 32
    device = X.device
    with torch.random.fork_rng(devices=[]), quiet():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(),
                              nn.Linear(16, int(y.max()) + 1)).to(device)
        loader = DataLoader(TensorDataset(X[:n_rows], y[:n_rows]), batch_size=batch)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
        events = []
        optimizer.register_step_post_hook(lambda *args: events.append("optimizer"))
        scheduler_step = scheduler.step

        def counted_step(*args, **kwargs):
            events.append("scheduler")
            return scheduler_step(*args, **kwargs)

        scheduler.step = counted_step
        history = call_learner(train_with_scheduler, model, loader, nn.CrossEntropyLoss(),
                               optimizer, scheduler, epochs,
                               call="train_with_scheduler(model, loader, loss_fn, optimizer, "
                                    f"scheduler, epochs={epochs})")
    n_batches = len(loader)
    n_optimizer = events.count("optimizer")
    n_scheduler = events.count("scheduler")
    expect(n_optimizer == epochs * n_batches,
           f"the optimizer stepped {n_optimizer} times in {epochs} epochs of {n_batches} "
           "batches: it should step once per batch.")
    if n_scheduler == epochs * n_batches:
        fail("the scheduler is stepped once per batch: this schedule counts epochs, so it "
             "decays many times too fast. Step it once per epoch, after the batch loop.")
    expect(n_scheduler == epochs,
           f"the scheduler stepped {n_scheduler} times in {epochs} epochs: step it exactly "
           "once per epoch.")
    if events and events[0] == "scheduler" or any(
            events[i] == "scheduler" and events[i + 1] == "scheduler"
            for i in range(len(events) - 1)):
        fail("the scheduler is stepped before the optimizer's step of that epoch (PyTorch "
             "warns about this order): the schedule is shifted and its first value skipped. "
             "Step it after the epoch's batches.")
    starts = [i for i, e in enumerate(events) if e == "scheduler"]
    expect(all(events[i - 1] == "optimizer" for i in starts),
           "step the scheduler after the epoch's last optimizer step.")
    expect(isinstance(history, list | tuple | np.ndarray),
           f"return the list of learning rates, one per epoch, not a {type(history).__name__}.")
    history = [float(v) for v in history]
    expect(len(history) == epochs,
           f"the history has {len(history)} values for {epochs} epochs: one learning rate per "
           "epoch.")
    want = [0.1 * 0.5 ** (epoch // 2) for epoch in range(epochs)]
    if np.allclose(history, want[1:] + [0.1 * 0.5 ** (epochs // 2)], rtol=1e-6):
        fail("each value is the rate after the scheduler's step: record the rate an epoch "
             "trains with, before its batches.")
    expect(np.allclose(history, want, rtol=1e-6),
           "the history does not hold the learning rate each epoch trained with: read "
           "`optimizer.param_groups[0]['lr']` at the start of each epoch.")
    return "one scheduler step per epoch, after the optimizer; the history matches."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "The batch loop does the five steps of module 04; the scheduler is not inside it.",
        "At the start of each epoch append `optimizer.param_groups[0]['lr']` to the history; "
        "after the batch loop call `scheduler.step()` once.",
        "for epoch: record lr → for each batch: zero_grad, forward, loss, backward, "
        "optimizer.step() → scheduler.step(); return the history.",
    ],
)


# -- q4: ReduceLROnPlateau on the validation loss -----------------------------------------
def _plateau_reference(train_losses, val_losses, base_lr, metric="val", mode="min",
                       patience=2, factor=0.5):
    import torch
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=base_lr)
    scheduler = ReduceLROnPlateau(optimizer, mode=mode, factor=factor, patience=patience)
    lrs = []
    for train_loss, val_loss in zip(train_losses, val_losses, strict=True):
        optimizer.step()
        scheduler.step(val_loss if metric == "val" else train_loss)
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs)


def _check_q4(plateau_lrs, train_losses, val_losses) -> str:
    import torch


    expect_function(plateau_lrs, "plateau_lrs")
    train_losses = [float(v) for v in expect_array(np.asarray(train_losses, dtype=float),
                                                   "train_losses")]
    val_losses = [float(v) for v in expect_array(np.asarray(val_losses, dtype=float),
                                                 "val_losses")]
    # the notebook's curves, then one where the training loss keeps falling while the
    # validation loss stalls and climbs: only the validation loss should cut the rate there
    stalled_train = [1.0 - 0.05 * i for i in range(12)]
    stalled_val = [1.0, 0.8, 0.7, 0.72, 0.71, 0.73, 0.69, 0.7, 0.74, 0.75, 0.72, 0.76]
    with quiet():
        for train, val in ((train_losses, val_losses), (stalled_train, stalled_val)):
            weight = torch.nn.Parameter(torch.zeros(1))
            optimizer = torch.optim.SGD([weight], lr=0.1)
            got = call_learner(plateau_lrs, optimizer, train, val,
                               call="plateau_lrs(optimizer, train_losses, val_losses)")
            expect(isinstance(got, list | tuple | np.ndarray),
                   f"return the list of learning rates, not a {type(got).__name__}.")
            got = np.asarray(got, dtype=float)
            expect(got.shape == (len(val),),
                   f"return one learning rate per epoch: {len(val)} values, not "
                   f"{got.size}.")
            want = _plateau_reference(train, val, 0.1)
            if np.allclose(got, want, rtol=1e-6):
                continue
            if np.allclose(got, 0.1):
                fail("the learning rate never changes, although the validation loss stalls "
                     "for more than 2 epochs: step the scheduler every epoch with the "
                     "validation loss (the training loss keeps falling while the model "
                     "overfits), check `patience`, and record the optimizer's rate.")
            if np.allclose(got, np.concatenate([[0.1], want[:-1]]), rtol=1e-6):
                fail("each rate is read before that epoch's `scheduler.step(...)`: record "
                     "the optimizer's rate after the step, as the task asks.")
            if np.allclose(got, _plateau_reference(train, val, 0.1, metric="train"),
                           rtol=1e-6):
                fail("the scheduler follows the training loss, which keeps falling while the "
                     "model overfits: feed it the validation loss.")
            if np.allclose(got, _plateau_reference(train, val, 0.1, mode="max"), rtol=1e-6):
                fail("the scheduler treats a higher loss as better: a loss is minimised "
                     "(`mode='min'`).")
            if any(np.allclose(got, _plateau_reference(train, val, 0.1, patience=p),
                               rtol=1e-6) for p in (0, 1, 3, 10)):
                fail("the rate is cut after the wrong number of epochs without improvement: "
                     "check `patience` (PyTorch cuts once more than `patience` epochs in a "
                     "row have not improved).")
            fail("the learning rates do not follow ReduceLROnPlateau with the task's "
                 "settings on the validation loss (`factor=0.5, patience=2`: 2 epochs without "
                 "improvement are tolerated, the rate is halved at the third).")
    return "the rate is halved when the validation loss stalls, not the training loss."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "ReduceLROnPlateau watches a number you pass to `step(...)` each epoch; it lowers the "
        "rate when that number stops improving.",
        "`ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=2)`; each epoch: "
        "`scheduler.step(val_loss)`, then record `optimizer.param_groups[0]['lr']`.",
        "Loop over `val_losses` (the training losses are a distraction), step with each, and "
        "append the optimizer's rate after the step.",
    ],
)
