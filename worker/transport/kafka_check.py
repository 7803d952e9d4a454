"""Start-up check of the broker connection: bounded in time, and the failure named.

kafka-python's clients retry a failing bootstrap until their timeout and then say only "Unable to
bootstrap", whatever the cause; a TLS handshake with a peer that never answers has no timeout at
all. Before the clients are built, `check_broker` tries each bootstrap server in turn until one
completes a connection (TCP, TLS, ApiVersions, SASL: kafka-python's own connection code, so the
same TLS context and SASL exchange as the clients) or the deadline passes, and says why not:

- DependencyMisconfigured at once when retrying cannot help: SASL authentication refused, the
  TLS certificate rejected (another CA, another host name), a TLS protocol error, TLS files
  (KAFKA_SSL_CAFILE, KAFKA_SSL_CERTFILE/KEYFILE) that do not load;
- DependencyUnavailable at the deadline otherwise, with each server's last cause: unreachable
  (connection refused, unknown host, TCP connect timed out), or connected but silent (no TLS
  handshake, no ApiVersions answer), or the connection closed during SASL.
"""
from __future__ import annotations

import logging
import socket
import ssl
import threading
import time

from kafka import errors as kafka_errors
from kafka.net import KafkaConnectionManager, NetworkSelector

from ..config import KafkaSettings
from ..errors import DependencyMisconfigured, DependencyUnavailable

log = logging.getLogger(__name__)

DEFAULT_PORT = 9092
# Pause between rounds over the bootstrap servers while none answers: doubling, capped.
RETRY_INITIAL_SECONDS = 0.1
RETRY_MAX_SECONDS = 2.0
AUTH_ERRORS = (kafka_errors.SaslAuthenticationFailedError, kafka_errors.UnsupportedSaslMechanismError,
               kafka_errors.IllegalSaslStateError, kafka_errors.AuthorizationError)


class _Transient(Exception):
    """This attempt failed in a way a later one may not (the message names the cause)."""


def check_broker(settings: KafkaSettings, deadline: float, stop: threading.Event | None = None,
                 announce: bool = True) -> None:
    """Return once a bootstrap server accepts a full connection; raise as described above.
    `deadline` is a time.monotonic() value. Returns early, between attempts, once `stop` is set.
    `announce`: log each new cause while retrying (at start; the running check logs its own)."""
    stop = stop or threading.Event()
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        _check_tls_files(settings)
    servers = settings.client_options()["bootstrap_servers"]
    causes: dict[str, str] = {}
    pause = RETRY_INITIAL_SECONDS
    while True:
        for server in servers:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.is_set():
                break
            try:
                _attempt(settings, server, remaining)
                return
            except DependencyMisconfigured as error:
                raise DependencyMisconfigured(f"broker {server}: {error}") from None
            except _Transient as error:
                if announce and causes.get(server) != str(error):  # each new cause once, not every retry
                    log.warning("broker not reachable yet; retrying until STARTUP_TIMEOUT_SECONDS",
                                extra={"event": "startup", "server": server, "error": str(error)})
                causes[server] = str(error)
        if stop.is_set():
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            detail = "; ".join(f"{server}: {cause}" for server, cause in causes.items()) or "no attempt completed"
            raise DependencyUnavailable(f"no broker of KAFKA_BOOTSTRAP_SERVERS answered in time ({detail})")
        stop.wait(min(pause, remaining))
        pause = min(pause * 2, RETRY_MAX_SECONDS)


def _check_tls_files(settings: KafkaSettings) -> None:
    """The CA file and client certificate load (kafka-python would fail on them at every attempt,
    as if the broker were down)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if settings.ssl_cafile:
            context.load_verify_locations(settings.ssl_cafile)
    except (OSError, ssl.SSLError) as error:
        raise DependencyMisconfigured(f"KAFKA_SSL_CAFILE={settings.ssl_cafile} cannot be loaded: {error}") from None
    try:
        if settings.ssl_certfile:
            context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile, settings.ssl_password)
    except (OSError, ssl.SSLError) as error:
        raise DependencyMisconfigured(f"KAFKA_SSL_CERTFILE={settings.ssl_certfile} with KAFKA_SSL_KEYFILE="
                                      f"{settings.ssl_keyfile} cannot be loaded: {error}") from None


def _attempt(settings: KafkaSettings, server: str, timeout: float) -> None:
    started = time.monotonic()
    _tcp_connect(server, timeout)
    _kafka_connect(settings, server, deadline=started + timeout)


def _tcp_connect(server: str, timeout: float) -> None:
    """A plain TCP connect first, so that "unreachable" is told apart from "connected, then silent"."""
    host, port = split_server(server)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.gaierror as error:
        raise _Transient(f"unreachable: cannot resolve host {host!r} ({error.strerror})") from None
    except TimeoutError:
        raise _Transient(f"unreachable: TCP connect timed out after {timeout:.1f} s") from None
    except ConnectionRefusedError:
        raise _Transient("unreachable: connection refused") from None
    except OSError as error:
        raise _Transient(f"unreachable: {error.strerror or error}") from None


def _kafka_connect(settings: KafkaSettings, server: str, deadline: float) -> None:
    """One connection through kafka-python to this server, as the clients will open it."""
    options = {**settings.client_options(), "bootstrap_servers": [server]}
    tls = settings.security_protocol in ("SSL", "SASL_SSL")
    sasl = settings.security_protocol.startswith("SASL")
    timeout_ms = max(1, int((deadline - time.monotonic()) * 1000))
    net = NetworkSelector(**options)
    manager = KafkaConnectionManager(net, **options)
    node = manager.cluster.bootstrap_brokers()[0]
    connection = None

    async def connect():
        nonlocal connection
        connection = manager.get_connection(node.node_id, timeout_ms=timeout_ms, pop_on_close=False,
                                            refresh_metadata_on_err=False)
        await manager.wait_for(connection.init_future, timeout_ms)

    try:
        net.run(connect)
    except Exception as error:  # noqa: BLE001 - every failure is classified below
        answered = connection is not None and connection.broker_version_data is not None
        raise _classify(error, settings, tls=tls, sasl=sasl, answered=answered, seconds=timeout_ms / 1000) from None
    finally:
        manager.close()
        net.close()


def _classify(error: Exception, settings: KafkaSettings, *, tls: bool, sasl: bool, answered: bool,
              seconds: float) -> Exception:
    """The exception to raise for a failed connection: misconfigured or transient, cause named."""
    login = f"{settings.sasl_mechanism} as user {settings.sasl_username!r}"
    refused = refusal(error, settings)
    if refused is not None:
        return DependencyMisconfigured(refused)
    if isinstance(error, (kafka_errors.KafkaTimeoutError, kafka_errors.RequestTimedOutError)):
        if tls and not answered:
            return _Transient(f"timed out: TLS handshake not completed within {seconds:.1f} s (the peer "
                              f"accepted the connection but never answered: a silent peer, or not a TLS listener)")
        if not answered:
            return _Transient(f"timed out: no answer to ApiVersions within {seconds:.1f} s (the peer accepted "
                              f"the connection but never answered: a silent peer, or a TLS listener spoken to "
                              f"in plaintext)")
        return _Transient(f"timed out during SASL authentication ({login}) after {seconds:.1f} s")
    if sasl and answered:
        return _Transient(f"the broker closed the connection during SASL authentication ({login}): "
                          f"{error} (a mechanism or credentials it does not accept?)")
    if tls and isinstance(error, kafka_errors.KafkaConnectionError):
        return _Transient(f"TLS handshake failed: {error}")
    if not answered and isinstance(error, kafka_errors.KafkaConnectionError):
        return _Transient(f"the peer closed the connection before answering ApiVersions ({error}): a TLS "
                          f"listener spoken to in plaintext? (KAFKA_SECURITY_PROTOCOL={settings.security_protocol})")
    return _Transient(f"{type(error).__name__}: {error}")


def refusal(error: BaseException, settings: KafkaSettings) -> str | None:
    """What the broker refuses, when `error` says it refuses the worker's configuration (TLS
    certificate or protocol, SASL login, authorization): retrying cannot help. None otherwise."""
    certificate = _in_chain(error, ssl.SSLCertVerificationError)
    if certificate is not None:
        return (f"TLS certificate verify failed: {certificate.verify_message or certificate.reason} (check "
                f"KAFKA_SSL_CAFILE and that the broker's certificate names the host in KAFKA_BOOTSTRAP_SERVERS)")
    protocol = _in_chain(error, ssl.SSLError)
    if protocol is not None and not isinstance(protocol, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        return f"TLS handshake failed: {protocol.reason or protocol}"
    login = f"{settings.sasl_mechanism} as user {settings.sasl_username!r}"
    authorization = _in_chain(error, kafka_errors.AuthorizationError)
    if authorization is not None:
        return f"not authorized ({login}): {authorization}"
    authentication = _in_chain(error, AUTH_ERRORS)
    if authentication is not None:
        return f"SASL authentication failed ({login}): {authentication}"
    return None


def _in_chain(error: BaseException | None, kind):
    """The first exception of type `kind` (a class or tuple) among `error` and the ones it was raised from or during
    (kafka-python wraps TLS errors in KafkaConnectionError("Handshake failed: ...") inside the except)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, kind):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def split_server(server: str) -> tuple[str, int]:
    """"host:port", "[v6]:port" or "host" -> (host, port)."""
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else DEFAULT_PORT
    host, colon, port = server.rpartition(":")
    if not colon:
        return server, DEFAULT_PORT
    return host, int(port)
