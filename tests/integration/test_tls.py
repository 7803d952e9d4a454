"""The worker over TLS against the real broker, through the TLS-terminating proxy of
tests/fixtures/tls_proxy.py (Tansu 0.6 cannot serve TLS itself): pages in and events out over TLS,
and certificates that must be refused are refused at start, with the cause and exit 2."""
from __future__ import annotations

import time

import orjson
import pytest

from tests.helpers import WorkerProcess, article_body, page
from worker.config import KafkaSettings, Topics
from worker.errors import DependencyMisconfigured, DependencyUnavailable
from worker.local.client import consume_events, page_key, produce_values
from worker.transport.kafka import ensure_topics
from worker.transport.kafka_check import check_broker

pytestmark = pytest.mark.broker

BUDGET = 30.0  # STARTUP_TIMEOUT_SECONDS: a refusal must come well before it
AT_ONCE = 10.0  # a refusal exits within this (an interpreter start included, on a loaded machine)


def tls_env(settings: KafkaSettings, **extra: str) -> dict[str, str]:
    return {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": settings.ssl_cafile,
            "STARTUP_TIMEOUT_SECONDS": str(BUDGET), **extra}


def test_the_worker_runs_end_to_end_over_tls(tls_broker, tmp_path):
    settings = tls_broker.settings()
    topics = Topics(pages_raw="tls.pages.raw", articles_normalized="tls.articles.normalized",
                    articles_duplicates="tls.articles.duplicates", pages_dlq="tls.pages.dlq")
    ensure_topics(settings, topics.all(), partitions=2)
    values = [page(f"https://news.example/tls/{n}", article_body(n)) for n in range(6)]
    values += [page("https://news.example/tls/0?utm_source=x", article_body(0)), b"not json"]
    produce_values(settings, topics.pages_raw, values, [page_key(v) for v in values])

    worker = WorkerProcess(settings, topics, tmp_path, **tls_env(settings)).start()
    try:
        worker.wait_ready()
        events = consume_events(settings, topics.outputs(), expected=len(values), timeout_seconds=60)
        assert len(events[topics.articles_normalized]) == 6
        assert [e["dedup"]["method"] for e in events[topics.articles_duplicates]] == ["url"]
        assert [e["reason"] for e in events[topics.pages_dlq]] == ["invalid_json"]
        assert worker.terminate() == 0
    finally:
        worker.stop()
    log = worker.log_path.read_text()
    assert "cannot start" not in log and "certificate" not in log


@pytest.mark.parametrize(("certificate", "host", "cause"), [
    ("other_ca_server", "127.0.0.1", "certificate verify failed: unable to get local issuer certificate"),
    ("other_host_server", "127.0.0.1", "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'"),
    ("other_host_server", "localhost", "certificate verify failed: Hostname mismatch, certificate is not valid for 'localhost'"),
])
def test_a_certificate_from_another_ca_or_for_another_host_is_refused_with_exit_2(
        tls_broker, tls_proxy_with, tmp_path, certificate, host, cause):
    proxy = tls_proxy_with(certificate)
    settings = tls_broker.settings(bootstrap_servers=f"{host}:{proxy.port}")
    worker = WorkerProcess(settings, Topics(), tmp_path, **tls_env(settings)).start()
    try:
        started = time.monotonic()
        assert worker.process.wait(timeout=30) == 2
        took = time.monotonic() - started
    finally:
        worker.stop()
    entries = [orjson.loads(line) for line in worker.log_path.read_text().splitlines()]  # JSON only
    (final,) = [e for e in entries if e["message"].startswith("cannot start")]
    assert cause in final["message"] and final["exit_code"] == 2
    assert took < AT_ONCE  # refused at once, not retried until STARTUP_TIMEOUT_SECONDS


def test_the_good_certificate_is_accepted_by_host_name_too(tls_broker, tls_proxy_with):
    proxy = tls_proxy_with("server")
    started = time.monotonic()
    # Raises when the certificate is refused; accepted, it returns at the first attempt.
    check_broker(tls_broker.settings(bootstrap_servers=f"localhost:{proxy.port}"), started + BUDGET)
    assert time.monotonic() - started < BUDGET / 2, "accepted only after retries"


def test_the_host_name_check_can_be_turned_off_but_the_ca_check_cannot(tls_broker, tls_proxy_with):
    other_host = tls_proxy_with("other_host_server")
    other_ca = tls_proxy_with("other_ca_server")
    unchecked = tls_broker.settings(bootstrap_servers=f"127.0.0.1:{other_host.port}", ssl_check_hostname=False)
    check_broker(unchecked, time.monotonic() + BUDGET)
    unchecked_ca = tls_broker.settings(bootstrap_servers=f"127.0.0.1:{other_ca.port}", ssl_check_hostname=False)
    with pytest.raises(DependencyMisconfigured, match="unable to get local issuer certificate"):
        check_broker(unchecked_ca, time.monotonic() + BUDGET)


def test_without_the_ca_file_the_system_store_refuses_a_private_ca(tls_broker):
    settings = tls_broker.settings(ssl_cafile=None)
    with pytest.raises(DependencyMisconfigured, match="certificate verify failed"):
        check_broker(settings, time.monotonic() + BUDGET)


def test_tls_files_that_do_not_load_are_named_at_once(tls_broker, tmp_path):
    not_a_certificate = tmp_path / "ca.pem"
    not_a_certificate.write_text("not a certificate\n")
    for overrides, named in (({"ssl_cafile": str(tmp_path / "missing.pem")}, "KAFKA_SSL_CAFILE="),
                             ({"ssl_cafile": str(not_a_certificate)}, "KAFKA_SSL_CAFILE="),
                             ({"ssl_certfile": str(tls_broker.certificates.server.cert)}, "KAFKA_SSL_CERTFILE=")):
        started = time.monotonic()
        with pytest.raises(DependencyMisconfigured, match=named):
            check_broker(tls_broker.settings(**overrides), time.monotonic() + BUDGET)
        assert time.monotonic() - started < AT_ONCE


@pytest.mark.redis
def test_redis_over_tls_works_and_a_refused_certificate_is_named(redis_server, redis_url, tls_certificates):
    from tests.fixtures.tls_proxy import TlsProxy
    from worker.config import DedupSettings, RedisSettings
    from worker.state.redis import RedisIndex

    def index(proxy: TlsProxy) -> RedisIndex:
        url = f"rediss://127.0.0.1:{proxy.port}/0?ssl_ca_certs={tls_certificates.ca}"
        return RedisIndex(DedupSettings(backend="redis", redis_url=url), RedisSettings())

    with TlsProxy(tls_certificates.server, redis_server.port) as good:
        trusted = index(good)
        trusted.check(time.monotonic() + BUDGET)
        assert trusted.size() == 0  # a real command over TLS
        trusted.close()
    for certificate, cause in (("other_ca_server", "unable to get local issuer certificate"),
                               ("other_host_server", "IP address mismatch")):
        with TlsProxy(getattr(tls_certificates, certificate), redis_server.port) as bad:
            started = time.monotonic()
            with pytest.raises(DependencyMisconfigured, match=f"TLS certificate verify failed: .*{cause}"):
                index(bad).check(time.monotonic() + BUDGET)
            assert time.monotonic() - started < AT_ONCE


def test_plaintext_to_a_tls_listener_is_named(tls_broker):
    settings = KafkaSettings(bootstrap_servers=tls_broker.bootstrap)  # PLAINTEXT
    started = time.monotonic()
    with pytest.raises(DependencyUnavailable, match="a TLS listener spoken to in plaintext"):
        check_broker(settings, time.monotonic() + 1.0)
    assert time.monotonic() - started < 1.0 + 3.0


def test_a_running_worker_follows_the_broker_connection_and_stops_when_refused(tls_certificates, tmp_path):
    """While running: broker gone -> /readyz 503 naming it; back -> 200; then presenting a
    certificate from another CA (refused twice) -> the worker stops with exit 2, as at start."""
    from tests.fixtures.tls_proxy import TlsProxy, TlsBroker
    from worker.local.broker import LocalBroker, free_port

    proxy_port = free_port()
    with LocalBroker(log_path=tmp_path / "tansu.log", advertised_port=proxy_port) as own_broker:
        proxy = TlsProxy(tls_certificates.server, own_broker.port, port=proxy_port).start()
        settings = TlsBroker(own_broker, proxy, tls_certificates).settings()
        topics = Topics(pages_raw="watch.pages.raw", articles_normalized="watch.articles.normalized",
                        articles_duplicates="watch.articles.duplicates", pages_dlq="watch.pages.dlq")
        ensure_topics(settings, topics.all(), partitions=1)
        worker = WorkerProcess(settings, topics, tmp_path, **tls_env(settings, BROKER_CHECK_INTERVAL_SECONDS="0.5",
                                                                      SHUTDOWN_TIMEOUT_SECONDS="5")).start()
        try:
            worker.wait_ready()
            proxy.stop()  # the broker's only address goes away
            status, reason = wait_for_readyz(worker, lambda status, _: status == 503)
            assert "broker unreachable" in reason and "connection refused" in reason
            proxy = TlsProxy(tls_certificates.server, own_broker.port, port=proxy_port).start()
            wait_for_readyz(worker, lambda status, _: status == 200)
            proxy.stop()
            proxy = TlsProxy(tls_certificates.other_ca_server, own_broker.port, port=proxy_port).start()
            assert worker.process.wait(timeout=AT_ONCE + 10) == 2
        finally:
            worker.stop()
            proxy.stop()
    entries = [orjson.loads(line) for line in worker.log_path.read_text().splitlines()]
    # Whichever saw it first (the watch, or kafka-python's poll): one line saying why.
    (final,) = [e for e in entries if e["message"].startswith("stopping: broker refuses the worker")]
    assert "certificate verify failed" in final["message"] and final["exit_code"] == 2


def wait_for_readyz(worker: WorkerProcess, wanted, timeout: float = 20.0) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.process.poll() is None, worker.log()
        status, body = worker.get("/readyz")
        if wanted(status, body):
            return status, body
        time.sleep(0.1)
    raise AssertionError(f"/readyz never as wanted; last {status} {body!r}\n{worker.log()}")
