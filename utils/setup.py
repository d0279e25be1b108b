"""``setup_course``: the one call at the top of every notebook, after its parameters cell."""

from __future__ import annotations

import numpy as np

from .paths import workspace
from .plotting import set_style
from .seeding import seed_everything


def setup_course(seed: int = 42, quick: bool = False) -> np.random.Generator:
    """Seed everything, style figures, make the workspace; return a seeded NumPy Generator."""
    if not isinstance(quick, bool):
        raise ValueError(f"QUICK must be True or False, not {quick!r}")
    rng = seed_everything(seed)
    set_style()
    workspace()
    mode = "quick mode (tiny data, few iterations)" if quick else "full mode"
    print(f"Course setup: seed {seed}, {mode}, figures styled, workspace ready.")
    return rng
