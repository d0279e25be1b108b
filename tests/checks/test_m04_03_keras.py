"""The checks of 04_deep_learning/03_keras: right, wrong and not attempted.

Small, fast models: a few epochs on the digits' training split (about a second each).
"""

from __future__ import annotations

import numpy as np
import pytest

import utils  # noqa: F401  (first: quiets TensorFlow before Keras loads it)
from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset, seed_everything
from utils.checks.m04_03_keras import q1, q2, q3

keras = pytest.importorskip("keras")
SEED = 42


@pytest.fixture(scope="module")
def digits():
    from sklearn.model_selection import train_test_split

    frame = load_dataset("digits")
    X = (frame.drop(columns="target").to_numpy() / 16).astype(np.float32)
    y = frame["target"].to_numpy().astype(np.int64)
    X_trainval, X_test, y_trainval, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(
        X_trainval, y_trainval, test_size=0.25, stratify=y_trainval, random_state=SEED)
    return X_train, y_train, X_val, y_val, X_test, y_test


def mlp(output_activation=None, dropout=0.2, units=128, inputs=64, functional=True):
    seed_everything(SEED)
    if not functional:
        return keras.Sequential([keras.Input(shape=(inputs,)),
                                 keras.layers.Dense(units, activation="relu"),
                                 keras.layers.Dropout(dropout),
                                 keras.layers.Dense(10, activation=output_activation)])
    x_in = keras.Input(shape=(inputs,))
    x = keras.layers.Dense(units, activation="relu")(x_in)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    return keras.Model(x_in, keras.layers.Dense(10, activation=output_activation)(x))


def fit(digits, path, *, loss=None, restore=True, best_only=True, checkpoint=True,
        validation="data", epochs=4, lr=1e-2, rows=None):
    X_train, y_train, X_val, y_val, *_ = digits
    if rows:
        X_train, y_train = X_train[:rows], y_train[:rows]
    model = mlp(functional=False)
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss=loss or keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=50,
                                               restore_best_weights=restore)]
    if checkpoint:
        callbacks.append(keras.callbacks.ModelCheckpoint(path, monitor="val_loss",
                                                         save_best_only=best_only))
    kwargs = {"validation_data": (X_val, y_val)} if validation == "data" else (
        {"validation_split": 0.2} if validation == "split" else {})
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=0,
                        callbacks=callbacks, **kwargs)
    return history, model


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_the_functional_mlp():
    assert_passes(q1, mlp())


def test_q1_pending():
    assert_pending(q1)


def test_q1_rejects_sequential_softmax_and_wrong_layers():
    assert_rejects(q1, mlp(functional=False), mentions="functional API")
    assert_rejects(q1, mlp(output_activation="softmax"), mentions="from_logits=True")
    assert_rejects(q1, mlp(dropout=0), mentions="Dropout")
    assert_rejects(q1, mlp(dropout=0.5), mentions="rate")
    assert_rejects(q1, mlp(units=64), mentions="units")
    assert_rejects(q1, mlp(inputs=8), mentions="keras.Input(shape=(64,))")
    assert_rejects(q1, keras.Model, mentions="class")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def overfit_run(digits, tmp_path_factory):
    """A run whose last epoch is not its best (few rows, many epochs, a high rate)."""
    path = tmp_path_factory.mktemp("q2") / "best.keras"
    history, model = fit(digits, path, epochs=12, lr=5e-2, rows=150)
    losses = history.history["val_loss"]
    assert int(np.argmin(losses)) != len(losses) - 1, "fixture: the last epoch is the best"
    return history, model, path


def test_q2_passes_with_validation_data_and_callbacks(digits, overfit_run):
    _, _, X_val, y_val, *_ = digits
    history, model, path = overfit_run
    assert_passes(q2, history, model, path, X_val, y_val)


def test_q2_pending(digits, tmp_path):
    _, _, X_val, y_val, *_ = digits
    assert_pending(q2)
    assert_pending(q2, ..., ..., tmp_path / "best.keras", X_val, y_val)


def test_q2_rejects_the_history_dict_and_another_model(digits, overfit_run):
    _, _, X_val, y_val, *_ = digits
    history, model, path = overfit_run
    assert_rejects(q2, history.history, model, path, X_val, y_val, mentions="History object")
    assert_rejects(q2, history, mlp(), path, X_val, y_val, mentions="another model")


def test_q2_rejects_missing_validation_and_validation_split(digits, tmp_path):
    _, _, X_val, y_val, *_ = digits
    history, model = fit(digits, tmp_path / "a.keras", validation=None, checkpoint=False)
    assert_rejects(q2, history, model, tmp_path / "a.keras", X_val, y_val,
                   mentions="validation_data=(X_val, y_val)")
    history, model = fit(digits, tmp_path / "b.keras", validation="split")
    assert_rejects(q2, history, model, tmp_path / "b.keras", X_val, y_val,
                   mentions="not `validation_split`")


def test_q2_rejects_from_logits_false(digits, tmp_path):
    _, _, X_val, y_val, *_ = digits
    history, model = fit(digits, tmp_path / "c.keras", loss="sparse_categorical_crossentropy")
    assert_rejects(q2, history, model, tmp_path / "c.keras", X_val, y_val,
                   mentions="from_logits=True")


def test_q2_rejects_last_weights_and_a_checkpoint_of_every_epoch(digits, tmp_path):
    _, _, X_val, y_val, *_ = digits
    history, model = fit(digits, tmp_path / "d.keras", epochs=12, lr=5e-2, rows=150,
                         restore=False)
    assert_rejects(q2, history, model, tmp_path / "d.keras", X_val, y_val,
                   mentions="restore_best_weights=True")
    history, model = fit(digits, tmp_path / "e.keras", epochs=12, lr=5e-2, rows=150,
                         best_only=False)
    assert_rejects(q2, history, model, tmp_path / "e.keras", X_val, y_val,
                   mentions="save_best_only=True")
    history, model = fit(digits, tmp_path / "f.keras", checkpoint=False)
    assert_rejects(q2, history, model, tmp_path / "f.keras", X_val, y_val,
                   mentions="ModelCheckpoint")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory):
    path = tmp_path_factory.mktemp("q3") / "best.keras"
    fit(digits, path, epochs=4)
    return keras.saving.load_model(path), path


def _accuracy(model, X, y):
    return float(np.mean(model.predict(X, verbose=0).argmax(axis=1) == y))


def test_q3_passes_on_the_test_accuracy(digits, trained):
    X_train, y_train, X_val, y_val, X_test, y_test = digits
    model, path = trained
    _, accuracy = model.evaluate(X_test, y_test, verbose=0)
    assert_passes(q3, accuracy, model, path, *digits, True)


def test_q3_pending(digits, trained):
    model, path = trained
    assert_pending(q3)
    assert_pending(q3, ..., model, path, *digits, True)


def test_q3_rejects_training_and_validation_accuracy(digits, trained):
    X_train, y_train, X_val, y_val, X_test, y_test = digits
    model, path = trained
    assert_rejects(q3, _accuracy(model, X_train, y_train), model, path, *digits, True,
                   mentions="TRAINING")
    assert_rejects(q3, _accuracy(model, X_val, y_val), model, path, *digits, True,
                   mentions="VALIDATION")


def test_q3_rejects_both_numbers_a_percentage_and_another_model(digits, trained):
    X_test, y_test = digits[4:]
    model, path = trained
    both = model.evaluate(X_test, y_test, verbose=0)
    assert_rejects(q3, both, model, path, *digits, True, mentions="[loss, accuracy]")
    assert_rejects(q3, 100 * both[1], model, path, *digits, True, mentions="percentage")
    assert_rejects(q3, both[1], mlp(), path, *digits, True, mentions="load_model")


def test_q3_rejects_a_model_below_the_bar(digits, tmp_path):
    X_test, y_test = digits[4:]
    untrained = mlp(functional=False)
    untrained.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
    untrained.save(tmp_path / "untrained.keras")
    model = keras.saving.load_model(tmp_path / "untrained.keras")
    _, accuracy = model.evaluate(X_test, y_test, verbose=0)
    assert_rejects(q3, accuracy, model, tmp_path / "untrained.keras", *digits, True,
                   mentions="below the bar")
