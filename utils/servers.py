"""Real servers on loopback, started and stopped by a notebook, with nothing left behind.

``start_server`` runs a command (an MLflow tracking server, ``mlflow models serve``, uvicorn, a
local cloud emulator...) as a separate process in its own session, so it and every child it
starts form one process group. It waits until an HTTP health URL answers, and returns a
``Server`` whose ``stop()`` signals the whole group: some servers start children that outlive a
signal sent to the server's own PID (MLflow's job consumers do). The server's output goes to a
log file in the workspace, never into the notebook; when it fails to start, the error quotes the
end of that log.

Use it as a context manager inside one cell, or keep the handle across cells and call
``stop()`` in the last one; servers still running when the Python process exits (a failed cell
under papermill, a restarted kernel) are stopped then.

    with start_server(["python", "-m", "http.server", "{port}"], health_path="/") as server:
        requests.get(server.url)
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from .paths import workspace

HOST = "127.0.0.1"
MARKER = "MLCOURSE_SERVER"  # set in every server's environment; its children inherit it
_RUNNING: list[Server] = []


class ServerError(RuntimeError):
    """A server did not start, did not become healthy in time, or did not stop."""


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _answers(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` gives an HTTP answer below 500 (a 404 still proves it is listening)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of the group exists but belongs to someone else
        return True
    return True


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:]) or "(empty log)"


class Server:
    """A running server process: its ``port``, ``url``, ``process`` and ``log`` file."""

    def __init__(self, name: str, process: subprocess.Popen, port: int, log: Path) -> None:
        self.name = name
        self.process = process
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        """True while any process of the server's group is alive."""
        return _group_alive(self.process.pid)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        pgid = self.process.pid  # start_new_session=True: the server leads its own group
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            if not _group_alive(pgid):
                break
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    self.process.wait(timeout=0.1)  # reap the leader so it is not a zombie
                except subprocess.TimeoutExpired:
                    pass
                if not _group_alive(pgid):
                    break
        if self in _RUNNING:
            _RUNNING.remove(self)
        if _group_alive(pgid):
            raise ServerError(f"{self.name} (process group {pgid}) is still running after SIGKILL")

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running() else "stopped"
        return f"<Server {self.name} at {self.url}, pid {self.pid}, {state}>"


def start_server(
    command: Sequence[str],
    *,
    name: str | None = None,
    port: int | None = None,
    health_path: str = "/health",
    timeout: float = 90.0,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
) -> Server:
    """Start ``command`` on loopback and return once ``health_path`` answers.

    ``{port}`` in any argument is replaced by ``port`` (a free one by default). ``env`` adds
    variables to this process's environment. The log goes to ``workspace("logs")/<name>.log``.
    Raises ``ServerError`` with the log's last lines if the process exits early or stays
    unhealthy for ``timeout`` seconds; it is stopped before the error is raised.
    """
    if not command or isinstance(command, str):
        raise ValueError("command must be a list of arguments, e.g. ['mlflow', 'server', ...]")
    port = free_port() if port is None else port
    args = [str(part).replace("{port}", str(port)) for part in command]
    name = name or Path(args[0]).name
    log = workspace("logs") / f"{name}-{port}.log"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {}), MARKER: name}
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            args, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=full_env, cwd=cwd, start_new_session=True,
        )
    server = Server(name, process, port, log)
    _RUNNING.append(server)
    health_url = server.url + health_path
    deadline = time.monotonic() + timeout
    while not _answers(health_url):
        if process.poll() is not None:
            server.stop()
            raise ServerError(
                f"{name} exited with code {process.returncode} before answering {health_url}."
                f" Last lines of {log}:\n{_log_tail(log)}"
            )
        if time.monotonic() > deadline:
            server.stop()
            raise ServerError(
                f"{name} did not answer {health_url} within {timeout:.0f} s."
                f" Last lines of {log}:\n{_log_tail(log)}"
            )
        time.sleep(0.25)
    return server


def leftover_servers(started_after: float = 0.0, **environment: str) -> list:
    """Processes of this user started by ``start_server`` (or by one of its servers) that are
    still alive, created after ``started_after`` (a Unix time) and, if ``environment`` names
    variables, with those values in their environment. The test session checks this at its end
    for its own servers: whatever a notebook or test started must be gone."""
    import psutil

    found = []
    for process in psutil.process_iter(["create_time", "username"]):
        try:
            if process.info["create_time"] < started_after or process.pid == os.getpid():
                continue
            env = process.environ()
            if MARKER in env and all(env.get(k) == v for k, v in environment.items()):
                found.append(process)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def python_command(*args: str) -> list[str]:
    """A command that runs this kernel's Python (the course's environment) with ``args``."""
    return [sys.executable, *args]


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        try:
            server.stop(timeout=5.0)
        except ServerError:
            pass
