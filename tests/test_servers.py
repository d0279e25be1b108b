"""utils.servers: a real process on loopback, healthy before use, and nothing left after stop."""

from __future__ import annotations

import os
import urllib.request

import pytest

from utils.servers import ServerError, free_port, leftover_servers, python_command, start_server

# A tiny server that also starts a child which would outlive a signal sent to its own PID only.
SERVER_WITH_CHILD = """
import http.server, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]),
                 bind="127.0.0.1")
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_free_port_is_bindable():
    port = free_port()
    assert 1024 <= port <= 65535


def test_server_answers_then_its_whole_group_stops(tmp_path):
    (tmp_path / "hello.txt").write_text("hi")
    with start_server(python_command("-c", SERVER_WITH_CHILD, "{port}"), name="toy",
                      health_path="/hello.txt", cwd=tmp_path, timeout=30) as server:
        assert server.running()
        with urllib.request.urlopen(server.url + "/hello.txt", timeout=5) as response:
            assert response.read() == b"hi"
        pgid = server.pid
        children = [int(p) for p in os.popen(f"pgrep -g {pgid}").read().split()]
        assert len(children) >= 2, "the toy server should have started a child"
    assert not server.running()
    assert not any(_alive(pid) for pid in children)


def test_a_server_that_dies_reports_its_log():
    with pytest.raises(ServerError, match="exited with code 3") as error:
        start_server(python_command("-c", "print('boom: bad flag'); raise SystemExit(3)"),
                     name="dies", timeout=20)
    assert "boom: bad flag" in str(error.value)


def test_a_server_that_never_answers_times_out_and_is_stopped():
    with pytest.raises(ServerError, match="did not answer") as error:
        start_server(python_command("-c", "import time; print('waiting'); time.sleep(60)"),
                     name="silent", timeout=2)
    assert "waiting" in str(error.value)


def test_command_must_be_a_list():
    with pytest.raises(ValueError, match="list of arguments"):
        start_server("mlflow server")


def test_leftover_servers_finds_a_running_server_and_its_children_until_stopped(tmp_path):
    with start_server(python_command("-c", SERVER_WITH_CHILD, "{port}"), name="toy",
                      health_path="/", cwd=tmp_path, timeout=30) as server:
        pids = {p.pid for p in leftover_servers()}
        assert server.pid in pids
        assert server.pid not in {p.pid for p in leftover_servers(MLCOURSE_TEST_SESSION="other")}
        assert len(pids & {int(p) for p in os.popen(f"pgrep -g {server.pid}").read().split()}) >= 2
    assert not {p.pid for p in leftover_servers()} & pids
