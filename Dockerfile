# syntax=docker/dockerfile:1
# News ingestion worker. Build: docker build -t news-worker:0.1.0 .
# Runs `python -m worker run` as PID 1 (exec form, no shell), so SIGTERM from the orchestrator reaches
# the worker, which finishes the batch in hand, commits, leaves the consumer group and exits within
# SHUTDOWN_TIMEOUT_SECONDS (default 20 s; give it a longer stop grace period than that).

# Pinned: a rebuild gets the same interpreter. Pin the digest too (python:3.11.13-slim-bookworm@sha256:...)
# for byte-identical rebuilds; bump both deliberately.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# --- builder: every dependency and the worker itself as wheels ------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# gcc, g++ and the C library's headers build wheels that have no prebuilt binary on the target
# platform (pycld2 on arm64). They stay in this stage: the runtime gets only wheels.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev g++ \
 && rm -rf /var/lib/apt/lists/*
# Only what the package build reads (see .dockerignore, an allow-list).
COPY pyproject.toml README.md ./
COPY worker ./worker
RUN pip wheel --wheel-dir /wheels .

# --- runtime: the slim base, the installed wheels, nothing else -----------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A fixed numeric uid/gid, so that Kubernetes' runAsNonRoot can verify it and volume ownership is stable.
RUN groupadd --system --gid 10001 worker \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin worker \
 && mkdir -p /var/lib/news-worker \
 && chown 10001:10001 /var/lib/news-worker
# The wheels are bind-mounted from the builder, so they never become a layer of this image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels news-worker
WORKDIR /var/lib/news-worker
USER 10001:10001
# /metrics, /healthz (liveness) and /readyz (readiness); METRICS_PORT changes it.
EXPOSE 8000
# slim has no curl: the interpreter asks /healthz. A non-2xx answer or no answer fails the check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('METRICS_PORT', '8000'), timeout=3)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "worker"]
CMD ["run"]
