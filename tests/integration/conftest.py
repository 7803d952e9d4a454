"""Fixtures of the integration tests that start the worker as a process of its own."""
import pytest

from tests.helpers import WorkerProcess


@pytest.fixture
def workers(tmp_path):
    """workers(settings, topics, **options) starts a worker process (tests.helpers.WorkerProcess:
    module, then environment variables) and every one started is stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(settings, topics, **options) -> WorkerProcess:
        worker = WorkerProcess(settings, topics, tmp_path, **options).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
