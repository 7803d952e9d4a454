"""Start-up: the broker and the dedup state reachable within STARTUP_TIMEOUT_SECONDS, or a clear exit.

Order: the broker (each bootstrap server tried until one completes TCP, TLS, ApiVersions and SASL),
then the dedup state (Redis: PING and the decide script, with the credentials), then the consumer
and producer, whose own bootstrap gets what is left of the budget. The failure names its cause and
sets the exit code:
- EXIT_CONFIG (2) at once when retrying cannot help: authentication or permission refused, TLS
  certificate rejected, invalid client configuration;
- EXIT_UNAVAILABLE (3) at the deadline: unreachable, or connected but silent.
A watchdog exits (EXIT_UNAVAILABLE) if the whole start outlives the budget by STARTUP_GRACE_SECONDS,
wherever a client library might be stuck.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from kafka.errors import KafkaConfigurationError, KafkaError

from ..config import Settings
from ..config.service import STARTUP_GRACE_SECONDS
from ..errors import DependencyMisconfigured, DependencyUnavailable
from ..state import DedupIndex
from ..transport.kafka import KafkaSink, KafkaSource
from ..transport.kafka_check import check_broker

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3
# The clients' own bootstrap, after the checks passed, gets at least this long.
MIN_BOOTSTRAP_MS = 1000


class StartupFailed(Exception):
    def __init__(self, exit_code: int, message: str):
        super().__init__(message)
        self.exit_code = exit_code


def connect(settings: Settings, index: DedupIndex, on_assigned: Callable, on_revoked: Callable,
            stop: threading.Event) -> tuple[KafkaSource, KafkaSink]:
    """The consumer and producer, once the broker and the dedup state answered; or StartupFailed
    (exit code 0 when `stop` was set meanwhile: SIGTERM during the start)."""
    budget = settings.service.startup_timeout_seconds
    deadline = time.monotonic() + budget
    watchdog = threading.Timer(budget + STARTUP_GRACE_SECONDS, _exit_stuck, args=(budget,))
    watchdog.daemon = True
    watchdog.start()
    try:
        check_broker(settings.kafka, deadline, stop)
        index.check(deadline, stop)
        if stop.is_set():
            raise StartupFailed(EXIT_OK, "shutdown requested during start-up")
        source = KafkaSource(settings.kafka, settings.topics.pages_raw, on_assigned=on_assigned,
                             on_revoked=on_revoked, bootstrap_timeout_ms=_left_ms(deadline))
        try:
            sink = KafkaSink(settings.kafka, bootstrap_timeout_ms=_left_ms(deadline))
        except BaseException:
            source.close()
            raise
        return source, sink
    except KafkaConfigurationError as error:
        raise StartupFailed(EXIT_CONFIG, f"invalid Kafka configuration: {error}") from error
    except DependencyMisconfigured as error:
        raise StartupFailed(EXIT_CONFIG, f"configuration refused: {error}") from error
    except DependencyUnavailable as error:
        raise StartupFailed(EXIT_UNAVAILABLE, f"not reachable within STARTUP_TIMEOUT_SECONDS={budget:g}: {error}") from error
    except KafkaError as error:
        raise StartupFailed(EXIT_UNAVAILABLE, f"cannot reach Kafka at KAFKA_BOOTSTRAP_SERVERS="
                                              f"{settings.kafka.bootstrap_servers}: {error}") from error
    finally:
        watchdog.cancel()


def _left_ms(deadline: float) -> int:
    return max(MIN_BOOTSTRAP_MS, int((deadline - time.monotonic()) * 1000))


def _exit_stuck(budget: float) -> None:
    log.error("cannot start: still connecting %g s after STARTUP_TIMEOUT_SECONDS=%g; exiting",
              STARTUP_GRACE_SECONDS, budget, extra={"event": "startup", "exit_code": EXIT_UNAVAILABLE})
    logging.shutdown()
    os._exit(EXIT_UNAVAILABLE)
