"""Session-wide test settings; at the root so that nbval's notebook kernels get them too.

Every kernel and test writes run-time files to a temporary workspace (never the learner's),
and checks run in strict mode, so a ❌ in a solution fails the run.
"""

import os
import tempfile
import time
import uuid

os.environ["MLCOURSE_WORKSPACE"] = tempfile.mkdtemp(prefix="mlcourse-tests-")
os.environ["MLCOURSE_STRICT"] = "1"
# One id per test session, inherited by xdist workers, kernels and every server they start: the
# end-of-session check below looks only at this session's servers, not at another session's.
os.environ.setdefault("MLCOURSE_TEST_SESSION", uuid.uuid4().hex)


SESSION_START = time.time()


def pytest_sessionfinish(session, exitstatus):
    """Nothing a notebook or test started is left running: a leftover server fails the run."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller checks once
        return
    from utils.servers import MARKER, leftover_servers

    left = leftover_servers(SESSION_START,
                            MLCOURSE_TEST_SESSION=os.environ["MLCOURSE_TEST_SESSION"])
    if not left:
        return
    names = ", ".join(f"{p.pid} {p.environ().get(MARKER)} ({' '.join(p.cmdline()[:3])})"
                      for p in left)
    for process in left:
        process.kill()
    print(f"\nFAILED: servers left running after the tests (now killed): {names}")
    session.exitstatus = 1
