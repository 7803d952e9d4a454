"""SCRAM for kafka-python that reports a refused login as an authentication failure.

RFC 5802 lets the server answer a SCRAM step with "e=<reason>" (Tansu says "e=unknown-user").
kafka-python 3.0.12 only reads "v=" there, so a refused login raised KeyError('v') and was logged
as "Connection lost: 'v'" and retried as if the broker were down. This subclass raises
SaslAuthenticationFailedError with the server's reason; registered in place of the library's.
"""
from __future__ import annotations

from kafka.errors import SaslAuthenticationFailedError
from kafka.net.sasl import register_sasl_mechanism
from kafka.net.sasl.scram import SaslMechanismScram

SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")


class ScramReportingRefusal(SaslMechanismScram):
    def receive(self, auth_bytes):
        if auth_bytes.startswith(b"e="):
            reason = auth_bytes[2:].decode("utf-8", errors="replace")
            raise SaslAuthenticationFailedError(
                f"{self.mechanism} login of user {self.username!r} refused by the broker: {reason}")
        return super().receive(auth_bytes)


def register() -> None:
    for mechanism in SCRAM_MECHANISMS:
        register_sasl_mechanism(mechanism, ScramReportingRefusal, overwrite=True)
