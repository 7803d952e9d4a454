"""Starting and stopping the helper servers of local runs and tests (broker, Redis, Prometheus)."""
from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable


def wait_until_ready(process: subprocess.Popen, ready: Callable[[], bool], timeout: float, name: str) -> None:
    """Poll `ready()` until it is true; fail early if the process exits, or after `timeout` s
    (then the process is stopped)."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}")
        with contextlib.suppress(OSError):  # not listening yet
            if ready():
                return
        if time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"{name} was not ready within {timeout:g}s")
        time.sleep(0.02)


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
