"""One call seeds Python, NumPy, PyTorch and Keras, and fixes PyTorch's thread count."""

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from utils import quiet, seed_everything


def test_same_seed_same_numbers_from_python_and_numpy():
    rng_a = seed_everything(7)
    first = (random.random(), np.random.rand(), rng_a.random())
    rng_b = seed_everything(7)
    assert (random.random(), np.random.rand(), rng_b.random()) == first
    seed_everything(8)
    assert random.random() != first[0]


def test_torch_is_seeded_and_its_threads_fixed():
    torch = pytest.importorskip("torch")
    seed_everything(3, threads=1)
    a = torch.rand(3)
    assert torch.get_num_threads() == 1
    seed_everything(3)
    assert torch.equal(a, torch.rand(3))


@pytest.mark.parametrize("bad", [-1, 1.5, "42", True])
def test_a_bad_seed_is_refused_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        seed_everything(bad)


def test_keras_is_seeded_in_the_same_call():
    # In a subprocess: importing TensorFlow is slow and changes global state.
    code = (
        "import utils, keras, numpy as np\n"
        "utils.seed_everything(5); a = keras.random.uniform((3,)).numpy()\n"
        "utils.seed_everything(5); b = keras.random.uniform((3,)).numpy()\n"
        "assert np.array_equal(a, b), (a, b)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", f"TensorFlow logged to stderr: {done.stderr[:500]}"


def test_importing_utils_quiets_tensorflow_and_mlflow_but_respects_the_user(monkeypatch):
    for name in quiet.QUIET_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    quiet.quiet_logs()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"


def test_linear_algebra_runs_on_the_given_number_of_threads():
    from threadpoolctl import threadpool_info

    seed_everything(3, threads=1)
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)


def test_importing_utils_first_gives_blas_libraries_loaded_later_one_thread():
    code = ("import utils, numpy, scipy.linalg\nfrom threadpoolctl import threadpool_info\n"
            "print(sorted({lib['num_threads'] for lib in threadpool_info() "
            "if lib['user_api'] == 'blas'}))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[1]"
