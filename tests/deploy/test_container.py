"""The container's contract with its orchestrator, checked without a Docker engine: the worker
runs as PID 1 of its own PID namespace (exec-form entrypoint, no shell) on a read-only root file
system with a scratch /tmp (compose `read_only` + `tmpfs`, Kubernetes `readOnlyRootFilesystem` +
emptyDir), processes pages, and shuts down cleanly on SIGTERM.

PID 1 is special: the kernel drops a signal the process installed no handler for, so a worker that
relied on default signal actions would be SIGKILLed after the grace period."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.helpers import SAMPLES, WorkerProcess, consume, produce
from worker.config import KafkaSettings, Topics
from worker.transport.kafka import ensure_topics

from . import manifests as m

pytestmark = [pytest.mark.broker, pytest.mark.redis]

EXIT_OK = 0


# Inside new mount and PID namespaces: make every mount private (nothing propagates back to the
# host), remount the root read-only, give /tmp a small tmpfs, then exec the command as PID 1.
# /tmp as small as the smallest the deployment files give the worker.
# The scratch tmpfs goes on /tmp as in the deployments, unless this checkout (and its .venv) lives
# under /tmp, which the mount would hide; then on /dev/shm, with TMPDIR pointing there.
SCRATCH = "/dev/shm" if str(Path(sys.prefix).resolve()).startswith("/tmp/") or str(m.ROOT).startswith("/tmp/") else "/tmp"
CONTAINER_SHELL = ("mount --make-rprivate / && mount -o remount,bind,ro / && "
                   f"mount -t tmpfs -o size={min(m.scratch_space_bytes().values())} tmpfs {SCRATCH} && "
                   f"export TMPDIR={SCRATCH} && exec \"$@\"")


def _container(command: list[str]) -> list[str]:
    return ["unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", CONTAINER_SHELL, "container",
            *command]


def _namespaces_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(_container([sys.executable, "-c", "import os; print(os.getpid())"]),
                           capture_output=True, text=True, timeout=30)
    return probe.returncode == 0 and probe.stdout.strip() == "1"


def _child_pid(parent: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    children = Path(f"/proc/{parent}/task/{parent}/children")
    while time.monotonic() < deadline:
        pids = children.read_text().split() if children.exists() else []
        if pids:
            return int(pids[0])
        time.sleep(0.05)
    raise AssertionError("unshare started no child")


def test_worker_as_pid_1_on_a_read_only_root_processes_pages_and_stops_cleanly_on_sigterm(
        broker, redis_server, tmp_path):
    if not _namespaces_available():
        pytest.skip("cannot create PID and mount namespaces here (unshare needs CAP_SYS_ADMIN)")
    suffix = uuid.uuid4().hex[:8]
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap, group_id=f"pid1-{suffix}",
                          session_timeout_ms=6000, heartbeat_interval_ms=500)
    topics = Topics(pages_raw=f"pid1-{suffix}.pages.raw", articles_normalized=f"pid1-{suffix}.articles.normalized",
                    articles_duplicates=f"pid1-{suffix}.articles.duplicates", pages_dlq=f"pid1-{suffix}.pages.dlq")
    ensure_topics(kafka, topics.all(), 2)
    if not redis_server.running:
        redis_server.start()
    compose_env = m.compose_worker_environments()["worker"]
    # The log file is opened before the root becomes read-only (as a container runtime collects stdout).
    worker = WorkerProcess(kafka, topics, tmp_path, DEDUP_BACKEND=compose_env["DEDUP_BACKEND"],
                           REDIS_URL=redis_server.url.rsplit("/", 1)[0] + "/8", DEDUP_REDIS_PREFIX=f"pid1:{suffix}:")
    # The image's command line, exactly: ENTRYPOINT + CMD, with the interpreter under test.
    entrypoint = [arg for i, args in m.dockerfile_instructions() if i in ("ENTRYPOINT", "CMD")
                  for arg in json.loads(args)]
    assert entrypoint[0] == "python"
    with open(worker.log_path, "ab") as log:
        container = subprocess.Popen(_container([sys.executable, *entrypoint[1:]]),
                                     env=worker.env, cwd=m.ROOT, stdout=log, stderr=subprocess.STDOUT)
    worker.process = container  # wait_ready watches this process for an early exit
    try:
        pid = _child_pid(container.pid)
        namespace_pids = [line.split()[1:] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("NSpid:")][0]
        assert namespace_pids[-1] == "1", "the worker is PID 1 of its namespace"
        worker.wait_ready()
        values = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
        produce(kafka, topics.pages_raw, values)
        outputs = consume(kafka, topics, expected=len(values))
        assert sum(len(events) for events in outputs.values()) == len(values)

        os.kill(pid, signal.SIGTERM)  # what `docker stop` / the kubelet sends to PID 1
        code = container.wait(timeout=float(m.compose_worker_environments()["worker"]["SHUTDOWN_TIMEOUT_SECONDS"]) + 10)
        assert code == EXIT_OK, f"exit code {code}:\n{worker.log()}"
        assert '"worker stopped"' in worker.log()
    finally:
        if container.poll() is None:
            container.kill()
            container.wait(timeout=10)
