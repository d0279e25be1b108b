"""Session-wide test settings; at the root so that nbval's notebook kernels get them too.

Every kernel and test writes run-time files to a temporary workspace (never the learner's),
and checks run in strict mode, so a ❌ in a solution fails the run.
"""

import os
import tempfile

os.environ["MLCOURSE_WORKSPACE"] = tempfile.mkdtemp(prefix="mlcourse-tests-")
os.environ["MLCOURSE_STRICT"] = "1"
