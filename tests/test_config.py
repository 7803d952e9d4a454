"""Configuration from the environment: defaults, exact names, and clear errors."""
import pytest

from worker.config import ConfigError, Settings


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.kafka.bootstrap_servers == "localhost:9092"
    assert settings.topics.pages_raw == "pages.raw"
    assert settings.topics.outputs() == ["articles.normalized", "articles.duplicates", "pages.dlq"]
    assert settings.service.metrics_port == 8000


def test_the_documented_names_are_read():
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092", "KAFKA_GROUP_ID": "g",
                                  "METRICS_PORT": "9100", "TOPIC_PAGES_DLQ": "dead", "KAFKA_FETCH_MAX_WAIT_MS": "20"})
    assert settings.kafka.client_options()["bootstrap_servers"] == ["k1:9092", "k2:9092"]
    assert settings.kafka.group_id == "g"
    assert settings.service.metrics_port == 9100
    assert settings.topics.pages_dlq == "dead"
    assert settings.kafka.fetch_max_wait_ms == 20


def test_sasl_settings_reach_the_client_and_are_hidden_from_repr():
    settings = Settings.from_env({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                                  "KAFKA_SASL_USERNAME": "svc", "KAFKA_SASL_PASSWORD": "s3cret",
                                  "KAFKA_SSL_CAFILE": "/etc/ca.pem"})
    options = settings.kafka.client_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == "s3cret"
    assert options["ssl_cafile"] == "/etc/ca.pem"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("env, message", [
    ({"METRICS_PORT": "eighty"}, "METRICS_PORT must be an integer"),
    ({"METRICS_PORT": "70000"}, "METRICS_PORT must be <= 65535"),
    ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL must be one of"),
    ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "needs KAFKA_SASL_MECHANISM"),
    ({"KAFKA_SASL_MECHANISM": "PLAIN"}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
    ({"TOPIC_PAGES_DLQ": "pages.raw"}, "topic names must be distinct"),
    ({"DEDUP_BACKEND": "redis"}, "needs REDIS_URL"),
    ({"WORKER_PROCESSES": "0"}, "WORKER_PROCESSES must be >= 1"),
    ({"WORKER_PROCESSES": "2"}, "WORKER_PROCESSES=2 needs DEDUP_BACKEND=redis"),
])
def test_bad_settings_fail_with_a_message_naming_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_several_worker_processes_share_a_redis_dedup_state():
    settings = Settings.from_env({"WORKER_PROCESSES": "3", "DEDUP_BACKEND": "redis", "REDIS_URL": "redis://r:6379/0"})
    assert settings.service.worker_processes == 3


FLOAT_VARIABLES = ["HTTP_IDLE_TIMEOUT_SECONDS", "STARTUP_TIMEOUT_SECONDS", "BROKER_CHECK_INTERVAL_SECONDS",
                   "STAGE_TIMEOUT_SECONDS", "BATCH_MAX_SECONDS", "SHUTDOWN_TIMEOUT_SECONDS", "LIVENESS_TIMEOUT_SECONDS",
                   "RETRY_BACKOFF_INITIAL_SECONDS", "RETRY_BACKOFF_MAX_SECONDS", "DEPENDENCY_PROBE_INTERVAL_SECONDS",
                   "GROUP_LAG_INTERVAL_SECONDS", "CLEAN_LANGUAGE_MIN_CONFIDENCE", "DEDUP_WINDOW_DAYS",
                   "DEDUP_NEAR_JACCARD", "DEDUP_NEAR_CONTAINMENT", "REDIS_SOCKET_TIMEOUT_SECONDS",
                   "REDIS_CONNECT_TIMEOUT_SECONDS", "INPUT_FETCHED_AT_MAX_AHEAD_HOURS"]


@pytest.mark.parametrize("name", FLOAT_VARIABLES)
@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400"])
def test_a_number_that_is_not_finite_is_refused(name, raw):
    """nan passed every range check (STAGE_TIMEOUT_SECONDS=nan: no time limit at all;
    SHUTDOWN_TIMEOUT_SECONDS=nan: every SIGTERM exited 4 without committing;
    STARTUP_TIMEOUT_SECONDS=nan: exit 3 with the broker up; =inf: a traceback)."""
    with pytest.raises(ConfigError, match=f"{name} must be a finite number"):
        Settings.from_env({name: raw})


@pytest.mark.parametrize("name", ["KAFKA_SESSION_TIMEOUT_MS", "KAFKA_HEARTBEAT_INTERVAL_MS", "KAFKA_MAX_POLL_INTERVAL_MS",
                                  "KAFKA_MAX_REQUEST_SIZE", "KAFKA_FETCH_MAX_WAIT_MS", "CLEAN_HTML_CHILD_MAX_MB"])
def test_a_number_the_clients_cannot_take_is_refused(name):
    """KAFKA_SESSION_TIMEOUT_MS or KAFKA_MAX_POLL_INTERVAL_MS past a 32-bit field: the worker ran,
    never joined its group, and logged only "'i' format requires ..." connection errors;
    CLEAN_HTML_CHILD_MAX_MB past a C long: every HTML extraction child died at start."""
    with pytest.raises(ConfigError, match=f"{name} must be <="):
        Settings.from_env({name: str(2**63)})
    assert Settings.from_env({"KAFKA_MAX_POLL_INTERVAL_MS": str(2**31 - 1)}).kafka.max_poll_interval_ms == 2**31 - 1


@pytest.mark.parametrize("env, message", [
    ({"POLL_TIMEOUT_MS": "8000", "LIVENESS_TIMEOUT_SECONDS": "3"}, "POLL_TIMEOUT_MS .* under LIVENESS_TIMEOUT_SECONDS"),
    ({"POLL_TIMEOUT_MS": "30000"}, "POLL_TIMEOUT_MS .* under SHUTDOWN_TIMEOUT_SECONDS"),
    ({"LIVENESS_TIMEOUT_SECONDS": "20"}, "3 x STAGE_TIMEOUT_SECONDS .* under LIVENESS_TIMEOUT_SECONDS"),
])
def test_waits_longer_than_liveness_or_shutdown_are_refused(env, message):
    """POLL_TIMEOUT_MS=8000 with LIVENESS_TIMEOUT_SECONDS=3: an idle worker's /healthz was 503 for
    five seconds of every eight (a kubelet restarts it, again and again)."""
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
    assert Settings.from_env({"POLL_TIMEOUT_MS": "2000", "LIVENESS_TIMEOUT_SECONDS": "31"}).service.poll_timeout_ms == 2000


@pytest.mark.parametrize("url", ["redis://:s3cret@redis:6379/dedup", "rediss://redis:6380/1/2", "redis://redis/0x1"])
def test_a_redis_url_whose_path_is_no_database_number_is_refused_at_start(url):
    """redis-py ignores such a path: the worker used database 0, shared with whatever else uses it."""
    with pytest.raises(ConfigError, match="REDIS_URL's path must be a database number") as caught:
        Settings.from_env({"DEDUP_BACKEND": "redis", "REDIS_URL": url})
    assert "s3cret" not in str(caught.value)
    for fine in ("redis://redis:6379", "redis://redis:6379/", "redis://redis:6379/15", "unix:///run/redis.sock?db=2"):
        assert Settings.from_env({"DEDUP_BACKEND": "redis", "REDIS_URL": fine}).dedup.redis_url == fine


@pytest.mark.parametrize("url", ["http://redis:6379/0", "redis://:badport", "redis://redis:99999/0", "redis://[::1"])
def test_a_redis_url_redis_cannot_use_is_refused_at_start(url):
    """These raised ValueError when the backend was opened: a traceback (exit 1) on every restart."""
    with pytest.raises(ConfigError, match="REDIS_URL is not a URL redis can use"):
        Settings.from_env({"DEDUP_BACKEND": "redis", "REDIS_URL": url})
    assert Settings.from_env({"DEDUP_BACKEND": "redis", "REDIS_URL": "redis://:s3cret@redis:6379/0"}).dedup.redis_url


@pytest.mark.parametrize("servers", ["kafka:notaport", ",,,", " , ", "kafka:99999", "kafka:0", "[::1", "[::1]x",
                                     ":9092", "kafka:９０９２"])
def test_bootstrap_servers_that_are_none_are_refused_at_start(servers):
    """"kafka:notaport": a ValueError traceback inside the start's broker check, exit 1, every restart;
    ",,,": 30 s waited on no server, then exit 3 as if the broker were down."""
    with pytest.raises(ConfigError, match="KAFKA_BOOTSTRAP_SERVERS"):
        Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": servers})


@pytest.mark.parametrize("servers", ["kafka", "kafka:9092", "k1:9092, k2:9093", "[::1]:9092", "[::1]", "10.0.0.1:9092,"])
def test_bootstrap_servers_of_every_form_load(servers):
    assert Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": servers}).kafka.bootstrap_servers == servers


@pytest.mark.parametrize("name", ["bad topic!", "d" * 250, "..", "pages/raw", "pagés"])
def test_a_topic_name_kafka_refuses_is_refused_at_start(name):
    """kafka-python raised ValueError subscribing to or producing on these: a traceback, exit 1."""
    with pytest.raises(ConfigError, match="TOPIC_PAGES_DLQ must be a Kafka topic name"):
        Settings.from_env({"TOPIC_PAGES_DLQ": name})
    assert Settings.from_env({"TOPIC_PAGES_DLQ": "t2-ab12.pages_dlq-" + "d" * 200}).topics.pages_dlq
