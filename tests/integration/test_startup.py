"""Start-up against a broker or Redis that is unreachable, silent or refuses the configuration:
a bounded time (STARTUP_TIMEOUT_SECONDS), a message naming the cause, a non-zero exit. Real
broker (Tansu, also with --authentication), real redis-server (also with a password and ACLs)."""
from __future__ import annotations

import signal
import threading
import time

import orjson
import pytest
import redis

from tests.fixtures.redis_server import RedisServer, _redis_binary, free_port
from tests.helpers import WorkerProcess, article_body, consume, page, produce, wait_until
from worker.config import DedupSettings, KafkaSettings, RedisSettings, Topics
from worker.errors import DependencyMisconfigured, DependencyUnavailable
from worker.local.broker import LocalBroker
from worker.state.redis import RedisIndex
from worker.transport.kafka_check import check_broker

pytestmark = [pytest.mark.broker, pytest.mark.redis]

BUDGET = 2.0  # STARTUP_TIMEOUT_SECONDS of these tests
MARGIN = 1.5  # what a bounded start may take beyond it (the last attempt's clean-up, a poll)
# "At once": with the deadline this far away, an answer within AT_ONCE seconds was not retried
# until the deadline (generous, for a machine shared with other test runs).
FAR_DEADLINE = 20.0
AT_ONCE = 5.0
PROCESS_START = 10.0  # an interpreter and the worker's imports, on a loaded machine
REDIS_PASSWORD = "startup-test-pw"


def closed_port() -> int:
    return free_port()  # bound and released at once: nothing listens there


@pytest.fixture(scope="module")
def password_redis(tmp_path_factory):
    server = RedisServer(_redis_binary(), free_port(), str(tmp_path_factory.mktemp("redis-pw")),
                         persistence=("--appendonly", "no", "--requirepass", REDIS_PASSWORD))
    server.url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{server.port}/0"
    server.start()
    with server.client() as admin:
        # An ACL user that may PING but not run the decide script.
        admin.execute_command("ACL", "SETUSER", "pinger", "on", ">pinger-pw", "~*", "+ping", "+hello")
    yield server
    server.stop()


def redis_index(url: str) -> RedisIndex:
    return RedisIndex(DedupSettings(backend="redis", redis_url=url), RedisSettings())


def timed(call):
    started = time.monotonic()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - returned for the test to inspect
        return error, time.monotonic() - started
    return None, time.monotonic() - started


# --- the broker check, in process: every cause named, every wait bounded --------------------------

def test_a_closed_port_is_unreachable_within_the_budget():
    error, took = timed(lambda: check_broker(KafkaSettings(bootstrap_servers=f"127.0.0.1:{closed_port()}"),
                                             time.monotonic() + BUDGET))
    assert isinstance(error, DependencyUnavailable)
    assert "unreachable: connection refused" in str(error)
    assert BUDGET - 0.3 < took < BUDGET + MARGIN  # retried until the deadline, not given up early


def test_an_unknown_host_is_named():
    error, _ = timed(lambda: check_broker(KafkaSettings(bootstrap_servers="no-such-host.invalid:9092"),
                                          time.monotonic() + BUDGET))
    assert isinstance(error, DependencyUnavailable) and "cannot resolve host 'no-such-host.invalid'" in str(error)


def test_a_silent_peer_times_out_naming_the_step(silent_server):
    settings = KafkaSettings(bootstrap_servers=f"127.0.0.1:{silent_server.port}")
    error, took = timed(lambda: check_broker(settings, time.monotonic() + BUDGET))
    assert isinstance(error, DependencyUnavailable) and "no answer to ApiVersions" in str(error)
    assert took < BUDGET + MARGIN


def test_tls_to_a_silent_peer_times_out_in_the_handshake(silent_server):
    """It used to hang for ever, without a log line: kafka-python's TLS handshake has no timeout."""
    settings = KafkaSettings(bootstrap_servers=f"127.0.0.1:{silent_server.port}", security_protocol="SSL")
    error, took = timed(lambda: check_broker(settings, time.monotonic() + BUDGET))
    assert isinstance(error, DependencyUnavailable) and "TLS handshake not completed" in str(error)
    assert took < BUDGET + MARGIN


def test_tls_to_a_plaintext_broker_times_out_in_the_handshake(broker):
    settings = KafkaSettings(bootstrap_servers=broker.bootstrap, security_protocol="SSL")
    error, took = timed(lambda: check_broker(settings, time.monotonic() + BUDGET))
    assert isinstance(error, DependencyUnavailable) and "TLS handshake not completed" in str(error)
    assert took < BUDGET + MARGIN


def test_one_reachable_server_of_several_is_enough(broker):
    settings = KafkaSettings(bootstrap_servers=f"127.0.0.1:{closed_port()},{broker.bootstrap}")
    error, took = timed(lambda: check_broker(settings, time.monotonic() + FAR_DEADLINE))
    assert error is None and took < AT_ONCE


def test_a_broker_that_comes_up_during_the_budget_is_used(tmp_path):
    """A broker still starting (compose, a rolling restart) is waited for, not given up on."""
    late = LocalBroker(log_path=tmp_path / "late.log")
    starter = threading.Timer(1.0, late.start)
    starter.start()
    try:
        error, took = timed(lambda: check_broker(KafkaSettings(bootstrap_servers=late.bootstrap),
                                                 time.monotonic() + 10))
        assert error is None and 1.0 < took < 10
    finally:
        starter.join()
        late.stop()


def test_a_refused_scram_login_is_a_configuration_error_at_once(auth_broker):
    settings = KafkaSettings(bootstrap_servers=auth_broker.bootstrap, security_protocol="SASL_PLAINTEXT",
                             sasl_mechanism="SCRAM-SHA-256", sasl_username="news-worker", sasl_password="wrong-pw")
    error, took = timed(lambda: check_broker(settings, time.monotonic() + FAR_DEADLINE))
    assert isinstance(error, DependencyMisconfigured)
    assert "SASL authentication failed (SCRAM-SHA-256 as user 'news-worker')" in str(error)
    assert "unknown-user" in str(error)  # the broker's own reason
    assert took < AT_ONCE  # not retried until the deadline: retrying cannot help


# --- the Redis check, in process ----------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("redis://:wrong-pw@127.0.0.1:{port}/0", "redis authentication failed"),
    ("redis://127.0.0.1:{port}/0", "redis authentication failed"),  # NOAUTH: no password given
    ("redis://pinger:pinger-pw@127.0.0.1:{port}/0", "redis permission refused"),  # ACL: no scripts
])
def test_redis_refusing_the_credentials_is_a_configuration_error_at_once(password_redis, url, expected):
    index = redis_index(url.format(port=password_redis.port))
    error, took = timed(lambda: index.check(time.monotonic() + FAR_DEADLINE))
    assert isinstance(error, DependencyMisconfigured) and expected in str(error)
    assert took < AT_ONCE
    assert "wrong-pw" not in str(error) and "pinger-pw" not in str(error)


def test_redis_with_the_right_password_passes(password_redis):
    error, took = timed(lambda: redis_index(password_redis.url).check(time.monotonic() + FAR_DEADLINE))
    assert error is None and took < AT_ONCE


def test_redis_unreachable_or_silent_is_named_and_bounded(silent_server):
    for url, expected in ((f"redis://127.0.0.1:{closed_port()}/0", "unreachable"),
                          (f"redis://127.0.0.1:{silent_server.port}/0", "timed out"),
                          (f"rediss://127.0.0.1:{silent_server.port}/0", "not a TLS port")):
        error, took = timed(lambda: redis_index(url).check(time.monotonic() + 1.0))
        assert isinstance(error, DependencyUnavailable) and expected in str(error), url
        assert took < 1.0 + MARGIN, url


def test_a_redis_db_index_out_of_range_is_a_configuration_error_at_once(password_redis):
    # SELECT's refusal is a ResponseError: it was retried as "unreachable" until the deadline (exit 3).
    index = redis_index(f"redis://:{REDIS_PASSWORD}@127.0.0.1:{password_redis.port}/99")
    error, took = timed(lambda: index.check(time.monotonic() + FAR_DEADLINE))
    assert isinstance(error, DependencyMisconfigured) and "DB index is out of range" in str(error), error
    assert "REDIS_URL" in str(error) and REDIS_PASSWORD not in str(error)
    assert took < AT_ONCE


def test_a_redis_db_index_out_of_range_while_running_is_not_a_pages_fault(password_redis):
    # (a server restarted with fewer databases: each page would have been a stage_error dead letter)
    index = redis_index(f"redis://:{REDIS_PASSWORD}@127.0.0.1:{password_redis.port}/99")
    with pytest.raises(DependencyMisconfigured, match="DB index is out of range"):
        index.size()


def test_a_password_refused_while_running_is_not_an_outage(password_redis):
    index = redis_index(f"redis://:wrong-pw@127.0.0.1:{password_redis.port}/0")
    with pytest.raises(DependencyMisconfigured, match="authentication failed"):
        index.size()


# --- the worker process: exit code, time and message --------------------------------------------

@pytest.fixture
def start_worker(broker, tmp_path):
    workers = []

    def start(kafka: KafkaSettings | None = None, topics: Topics | None = None, **env) -> WorkerProcess:
        settings = kafka or KafkaSettings(bootstrap_servers=broker.bootstrap)
        worker = WorkerProcess(settings, topics or Topics(), tmp_path, **{"STARTUP_TIMEOUT_SECONDS": str(BUDGET), **env})
        workers.append(worker.start())
        return worker

    yield start
    for worker in workers:
        worker.stop()


def exit_of(worker: WorkerProcess, timeout: float) -> tuple[int, float, list[dict]]:
    """Exit code, seconds to exit, and the log lines (every one must be JSON)."""
    started = time.monotonic()
    code = worker.process.wait(timeout=timeout)
    took = time.monotonic() - started
    return code, took, [orjson.loads(line) for line in worker.log_path.read_text().splitlines()]


def test_the_worker_exits_3_naming_a_silent_tls_broker_within_the_budget(start_worker, silent_server):
    worker = start_worker(KafkaSettings(bootstrap_servers=f"127.0.0.1:{silent_server.port}"),
                          KAFKA_SECURITY_PROTOCOL="SSL")
    code, took, entries = exit_of(worker, timeout=30)
    assert code == 3
    assert took < BUDGET + PROCESS_START
    (final,) = [e for e in entries if e["message"].startswith("cannot start")]
    assert "TLS handshake not completed" in final["message"] and final["exit_code"] == 3


def test_the_worker_exits_2_on_a_refused_scram_login_without_the_old_key_error(start_worker, auth_broker):
    worker = start_worker(KafkaSettings(bootstrap_servers=auth_broker.bootstrap),
                          KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT", KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
                          KAFKA_SASL_USERNAME="news-worker", KAFKA_SASL_PASSWORD="never-logged-pw")
    code, _, entries = exit_of(worker, timeout=30)
    assert code == 2
    (final,) = [e for e in entries if e["message"].startswith("cannot start")]
    assert "SASL authentication failed" in final["message"]
    text = worker.log_path.read_text()
    assert "'v'" not in text and "never-logged-pw" not in text


def test_the_worker_exits_2_on_a_wrong_redis_password_and_3_on_no_redis(start_worker, password_redis):
    wrong = start_worker(DEDUP_BACKEND="redis", REDIS_URL=f"redis://:wrong-pw@127.0.0.1:{password_redis.port}/0")
    absent = start_worker(DEDUP_BACKEND="redis", REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    code, _, entries = exit_of(wrong, timeout=30)
    assert code == 2
    assert any("redis authentication failed" in e["message"] for e in entries)
    assert "wrong-pw" not in wrong.log_path.read_text()
    code, took, entries = exit_of(absent, timeout=30)
    assert code == 3
    assert any("cannot start" in e["message"] and "unreachable" in e["message"] for e in entries)


def test_the_worker_exits_2_at_once_on_a_redis_db_index_out_of_range(start_worker, password_redis):
    worker = start_worker(DEDUP_BACKEND="redis", REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:{password_redis.port}/99",
                          STARTUP_TIMEOUT_SECONDS=str(FAR_DEADLINE))
    code, took, entries = exit_of(worker, timeout=60)
    assert code == 2 and took < FAR_DEADLINE
    (final,) = [e for e in entries if e["message"].startswith("cannot start")]
    assert "DB index is out of range" in final["message"] and final["exit_code"] == 2


def catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler for the signal (its SigCgt mask in /proc)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            mask = next(line for line in status if line.startswith("SigCgt:")).split()[1]
    except (FileNotFoundError, StopIteration):
        return False
    return bool(int(mask, 16) >> (signum - 1) & 1)


@pytest.mark.parametrize("processes", ["1", "2"])
@pytest.mark.parametrize("after", [0.1, 0.2, 0.3])
def test_a_sigterm_at_any_moment_of_the_start_is_a_clean_stop(start_worker, broker, redis_url, processes, after):
    # The handler came with the HTTP server, half a second in: before, SIGTERM ended the process (143).
    # `after` counts from the interpreter's own start (its SIGINT handler), not the fork.
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap, group_id=f"sigterm-{processes}-{after}")
    worker = start_worker(kafka, WORKER_PROCESSES=processes, STARTUP_TIMEOUT_SECONDS=str(FAR_DEADLINE),
                          DEDUP_BACKEND="redis", REDIS_URL=redis_url)
    wait_until(lambda: catches(worker.process.pid, signal.SIGINT) or worker.process.poll() is not None,
               "the interpreter up", timeout=PROCESS_START)
    time.sleep(after)
    worker.process.send_signal(signal.SIGTERM)
    code = worker.process.wait(timeout=FAR_DEADLINE + PROCESS_START)
    assert code == 0, worker.log()
    assert "Traceback" not in worker.log()
    for line in worker.log_path.read_text().splitlines():
        orjson.loads(line)


def test_a_sigterm_while_the_worker_joins_its_group_is_a_clean_stop(start_worker, broker):
    # Its LeaveGroup waited behind the JoinGroup in flight (one connection's requests are answered in
    # order) for as long as the broker takes to finish the join: past SHUTDOWN_TIMEOUT_SECONDS, exit 4.
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap, group_id="sigterm-joining")
    worker = start_worker(kafka, SHUTDOWN_TIMEOUT_SECONDS="15")
    wait_until(lambda: "worker started" in worker.log() or worker.process.poll() is not None, "the first poll",
               timeout=PROCESS_START + BUDGET)
    time.sleep(0.05)
    worker.process.send_signal(signal.SIGTERM)
    code = worker.process.wait(timeout=30)
    assert code == 0, worker.log()
    assert "worker stopped" in worker.log()


def test_a_redis_password_rotated_under_a_running_worker_stops_it_and_loses_nothing(
        start_worker, kafka_settings, make_topics, password_redis):
    topics = make_topics(partitions=1)
    worker = start_worker(kafka_settings, topics, DEDUP_BACKEND="redis", REDIS_URL=password_redis.url,
                          DEDUP_REDIS_PREFIX="rotation:")
    worker.wait_ready()
    with password_redis.client() as admin:
        admin.config_set("requirepass", "rotated-pw")
        admin.client_kill_filter(_type="normal", skipme=True)
    try:
        produce(kafka_settings, topics.pages_raw, [page("https://news.example/rotated", article_body(1))])
        code, _, entries = exit_of(worker, timeout=30)
        assert code == 2  # a configuration error, not an outage waited out for ever
        assert any(e["message"].startswith("stopping: redis authentication failed") for e in entries)
        # The page was neither dead-lettered nor committed: the next worker, with the right
        # password, publishes it.
        rotated_url = f"redis://:rotated-pw@127.0.0.1:{password_redis.port}/0"
        again = start_worker(kafka_settings, topics, DEDUP_BACKEND="redis", REDIS_URL=rotated_url,
                             DEDUP_REDIS_PREFIX="rotation:")
        events = consume(kafka_settings, topics, expected=1, timeout=30)
        assert [e["url"] for e in events[topics.articles_normalized]] == ["https://news.example/rotated"]
        assert events[topics.pages_dlq] == []
        again.terminate()
    finally:
        with redis.Redis(host="127.0.0.1", port=password_redis.port, password="rotated-pw") as admin:
            admin.config_set("requirepass", REDIS_PASSWORD)


def test_process_with_a_refused_or_absent_redis_exits_at_once_or_within_the_budget(password_redis, tmp_path):
    import os
    import subprocess
    import sys

    from tests.helpers import REPO, SAMPLES

    def process(url: str) -> tuple[subprocess.CompletedProcess, float]:
        env = {**os.environ, "DEDUP_BACKEND": "redis", "REDIS_URL": url, "STARTUP_TIMEOUT_SECONDS": str(BUDGET)}
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "worker", "process", "--input", str(SAMPLES),
                                 "--output-dir", str(tmp_path / "out")], env=env, cwd=REPO,
                                capture_output=True, text=True, timeout=60)
        return result, time.monotonic() - started

    refused, _ = process(f"redis://:wrong-pw@127.0.0.1:{password_redis.port}/0")
    assert refused.returncode == 2 and "cannot start: redis authentication failed" in refused.stderr
    assert "wrong-pw" not in refused.stderr + refused.stdout
    absent, took = process(f"redis://127.0.0.1:{closed_port()}/0")
    assert absent.returncode == 3 and "unreachable" in absent.stderr
    assert took < BUDGET + PROCESS_START


def test_feed_names_an_unreachable_broker_within_the_budget(tmp_path):
    import os
    import subprocess
    import sys

    from tests.helpers import REPO, SAMPLES

    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{closed_port()}", "STARTUP_TIMEOUT_SECONDS": str(BUDGET)}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "worker", "feed", "--input", str(SAMPLES)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and "unreachable: connection refused" in result.stderr
    assert time.monotonic() - started < BUDGET + PROCESS_START


def test_sigterm_while_waiting_for_the_broker_exits_0_at_once(start_worker):
    worker = start_worker(KafkaSettings(bootstrap_servers=f"127.0.0.1:{closed_port()}"), STARTUP_TIMEOUT_SECONDS="30")
    deadline = time.monotonic() + 20
    while "broker not reachable yet" not in worker.log_path.read_text():  # waiting for the broker
        assert time.monotonic() < deadline and worker.process.poll() is None, worker.log()
        time.sleep(0.1)
    started = time.monotonic()
    assert worker.terminate(timeout=10) == 0
    assert time.monotonic() - started < AT_ONCE
    assert "shutdown requested during start-up" in worker.log()
