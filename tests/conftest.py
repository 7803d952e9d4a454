"""Shared fixtures. Real services are started by plugins in tests/fixtures/, one file each."""
pytest_plugins = [
    "tests.fixtures.broker",
    "tests.fixtures.redis_server",
    "tests.fixtures.prometheus_server",
    "tests.fixtures.tls_proxy",
    "tests.fixtures.s3_broker",
]
