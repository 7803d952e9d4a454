"""Structured logs: what an operator's log pipeline (Loki, Elasticsearch, CloudWatch) relies on."""
from __future__ import annotations

import io
import logging
import subprocess
import sys
import threading

import orjson
import pytest

from worker.config import ConfigError, Settings
from worker.service.logging import configure_logging, settings_secrets, settings_summary

SASL_PASSWORD = "s3cr3t-sasl-pw"
REDIS_PASSWORD = "r3dis-pw-42"
REDIS_URL = f"redis://:{REDIS_PASSWORD}@redis.internal:6379/0"
SECRET_ENV = {
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "KAFKA_SASL_USERNAME": "news-worker",
    "KAFKA_SASL_PASSWORD": SASL_PASSWORD,
    "DEDUP_BACKEND": "redis",
    "REDIS_URL": REDIS_URL,
}


@pytest.fixture
def log_stream():
    """configure_logging writing into a buffer; the root logger is put back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook, threading.excepthook
    stream = io.StringIO()
    yield stream
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)
    logging.captureWarnings(False)


def lines(stream: io.StringIO) -> list[dict]:
    text = stream.getvalue()
    assert text.endswith("\n")
    return [orjson.loads(line) for line in text.splitlines()]


def test_each_record_is_one_json_object_per_line_with_its_context(log_stream):
    configure_logging("INFO", stream=log_stream)
    log = logging.getLogger("worker.test")
    log.info("published\narticle", extra={"url": "https://example.com/a", "article_id": "abc",
                                           "topic": "pages.raw", "partition": 3, "offset": 42})
    log.warning("second")

    first, second = lines(log_stream)
    assert first["message"] == "published\narticle"  # a newline stays inside the JSON string
    assert first["level"] == "INFO" and first["logger"] == "worker.test"
    assert first["time"].endswith("Z")
    assert (first["url"], first["article_id"], first["topic"], first["partition"], first["offset"]) == (
        "https://example.com/a", "abc", "pages.raw", 3, 42)
    assert second["message"] == "second" and second["level"] == "WARNING"


def test_an_exception_is_logged_inside_the_same_json_line(log_stream):
    configure_logging("INFO", stream=log_stream)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("worker.test").exception("stage failed", extra={"stage": "clean"})
    (entry,) = lines(log_stream)
    assert entry["level"] == "ERROR" and entry["stage"] == "clean"
    assert "RuntimeError: boom" in entry["exception"]


def test_level_comes_from_LOG_LEVEL(log_stream):
    settings = Settings.from_env({"LOG_LEVEL": "WARNING"})
    configure_logging(settings.service.log_level, stream=log_stream)
    log = logging.getLogger("worker.test")
    log.info("hidden")
    log.warning("shown")
    assert [e["message"] for e in lines(log_stream)] == ["shown"]


def test_an_unknown_LOG_LEVEL_fails_at_start_naming_the_variable():
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        Settings.from_env({"LOG_LEVEL": "CHATTY"})


def test_secrets_never_appear_in_any_log_line(log_stream):
    settings = Settings.from_env(SECRET_ENV)
    configure_logging("DEBUG", secrets=settings_secrets(settings), stream=log_stream)
    log = logging.getLogger("worker.test")

    # The ways a secret can slip into a log: settings at start, a repr, an error message quoting
    # the URL, a field named after the secret, a traceback.
    log.info("starting", extra={"settings": settings_summary(settings)})
    log.info("settings %r", settings)
    log.warning("redis unreachable at %s", REDIS_URL)
    log.warning("retrying", extra={"redis_url": REDIS_URL, "error": f"cannot connect to {REDIS_URL}"})
    log.debug("auth with %s", SASL_PASSWORD)
    try:
        raise ConnectionError(f"Error connecting to {REDIS_URL}")
    except ConnectionError:
        log.exception("dependency down")

    text = log_stream.getvalue()
    assert len(lines(log_stream)) == 6
    for secret in (SASL_PASSWORD, REDIS_PASSWORD):
        assert secret not in text
    # What is not secret is still there for the operator.
    started = lines(log_stream)[0]["settings"]
    assert started["kafka"]["sasl_username"] == "news-worker"
    assert started["kafka"]["sasl_password"] == "***"
    assert started["dedup"]["backend"] == "redis"
    assert "redis.internal:6379" in text


def test_a_password_inside_any_url_is_masked_even_when_not_registered(log_stream):
    configure_logging("INFO", stream=log_stream)
    logging.getLogger("worker.test").info("connect to %s", "kafka://user:hunter22@broker:9093")
    (entry,) = lines(log_stream)
    assert "hunter22" not in entry["message"]
    assert entry["message"] == "connect to kafka://user:***@broker:9093"


def test_warnings_and_a_crash_reach_the_log_as_json_lines_too():
    """What a container's log pipeline receives from a worker that dies: JSON, traceback inside."""
    program = (
        "import threading, warnings\n"
        "from worker.service.logging import configure_logging\n"
        "configure_logging('INFO', secrets=['pw-in-crash'])\n"
        "warnings.warn('old option')\n"
        "thread = threading.Thread(target=lambda: 1 / 0, name='poller'); thread.start(); thread.join()\n"
        "raise RuntimeError('cannot connect with pw-in-crash')\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    entries = [orjson.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
    warning, thread_crash, crash = entries
    assert warning["level"] == "WARNING" and "old option" in warning["message"]
    assert thread_crash["level"] == "CRITICAL" and "poller" in thread_crash["message"]
    assert "ZeroDivisionError" in thread_crash["exception"]
    assert crash["level"] == "CRITICAL" and "RuntimeError: cannot connect with ***" in crash["exception"]
    assert "pw-in-crash" not in result.stderr


@pytest.mark.parametrize(("logged", "expected"), [
    # An @ inside a password: URL parsers split the host part at its last @.
    ("redis://user:p@ss@redis:6379/0", "redis://user:***@redis:6379/0"),
    ("redis://:p@ss@w0rd@redis:6379", "redis://:***@redis:6379"),
    ("error connecting to 'redis://:pa'ss@redis:6379'", "error connecting to 'redis://:***@redis:6379'"),
    # A token used as the user name, with no password.
    ("https://ghp_abcdefgh12345678@github.com/org/repo.git", "https://***@github.com/org/repo.git"),
    # Secrets in query parameters, any case, any position; other parameters kept.
    ("https://news.example/a?id=5&password=hunter22&lang=en", "https://news.example/a?id=5&password=***&lang=en"),
    ("https://news.example/a?token=tok-123#top", "https://news.example/a?token=***#top"),
    ("https://api.example/v1?API_KEY=k-999&q=x", "https://api.example/v1?API_KEY=***&q=x"),
    ("https://api.example/v1?api-key=k-999", "https://api.example/v1?api-key=***"),
    ("https://s3.example/o?X-Amz-Credential=AKIA1&X-Amz-Signature=abcd", "https://s3.example/o?X-Amz-Credential=***&X-Amz-Signature=***"),
    ("https://maps.example/js?key=AIzaSy0&access_token=at0", "https://maps.example/js?key=***&access_token=***"),
    ("https://a.example/cb?client_secret=cs0&code_verifier=v", "https://a.example/cb?client_secret=***&code_verifier=v"),
    # Free text in key=value form, as drivers log connection strings.
    ("dsn host=db password=hunter22 user=x", "dsn host=db password=*** user=x"),
])
def test_credentials_in_urls_are_masked_in_every_form(log_stream, logged, expected):
    configure_logging("INFO", stream=log_stream)
    logging.getLogger("urllib3.connectionpool").warning("retrying %s", logged)
    (entry,) = lines(log_stream)
    assert entry["message"] == f"retrying {expected}"


@pytest.mark.parametrize("logged", [
    "https://news.example/2024/05/a-story?author=jane&id=5&page=2",
    "https://news.example/u/me@example.com/profile",
    "mailto:desk@news.example",
    "key_count=3 monkey=1 keyboard=2",
    "partition=3 offset=42",
    '{"url":"https://news.example","byline":"desk@news.example"}',  # compact JSON: the host stays
])
def test_urls_and_fields_without_secrets_are_left_alone(log_stream, logged):
    configure_logging("INFO", stream=log_stream)
    logging.getLogger("worker.test").info(logged)
    (entry,) = lines(log_stream)
    assert entry["message"] == logged


def test_masking_covers_extra_fields_and_tracebacks_and_stays_linear(log_stream):
    configure_logging("INFO", stream=log_stream)
    log = logging.getLogger("worker.test")
    try:
        raise OSError("GET https://u:p@ss@host/x?token=t0k failed")
    except OSError:
        log.exception("fetch failed", extra={"url": "https://host/x?password=pw0"})
    (entry,) = lines(log_stream)
    assert "p@ss" not in entry["exception"] and "t0k" not in entry["exception"]
    assert entry["url"] == "https://host/x?password=***"
    # Hostile shapes (a page URL is input) cost linear time: no backtracking blow-up.
    import time
    for shape in ("a://" + "@" * 200_000, "x=" * 100_000, "https://" + "a:" * 100_000 + "@h", "token=" * 50_000):
        started = time.perf_counter()
        log.info(shape)
        assert time.perf_counter() - started < 1.0, shape[:20]


def test_credential_headers_and_token_fields_are_masked_whatever_their_case(log_stream):
    configure_logging("INFO", stream=log_stream)
    logging.getLogger("worker.test").warning("page", extra={
        "headers": {"Authorization": "Bearer abc.def", "Set-Cookie": "sid=s3ss10n", "Content-Type": "text/html"},
        "Access_Token": "at-123"})
    (entry,) = lines(log_stream)
    assert entry["headers"] == {"Authorization": "***", "Set-Cookie": "***", "Content-Type": "text/html"}
    assert entry["Access_Token"] == "***"
