"""One module of exercise checks per notebook: ``from utils.checks.m01_numpy import q1, q2``."""
