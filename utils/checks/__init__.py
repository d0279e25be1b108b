"""One module of exercise checks per notebook, named after it: notebook
``01_python_for_ml/01_numpy`` -> ``from utils.checks.m01_01_numpy import q1, q2``."""
