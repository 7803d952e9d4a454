"""The deployment files checked by the tools that will consume them (promtool, kustomize, the
Kubernetes API schemas, docker-compose's schema) and against the worker itself (the metrics it
exports, the environment variables it reads). No Docker engine is needed."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from worker.config import Settings
from worker.config.env import get_float

from . import manifests as m

# A deployment that left these to their defaults would talk to localhost or decide dedup per replica.
DEPLOYMENT_ESSENTIALS = {"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_GROUP_ID", "DEDUP_BACKEND", "REDIS_URL", "METRICS_PORT"}
INPUT_PARTITIONS = 6  # partitions of pages.raw: the most consumers of one group that get work


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({package})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " - CI must run this check")
        pytest.skip(message)
    return path


def _run(*command: str, cwd: Path | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


# --- every file parses ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", m.yaml_and_json_files(), ids=lambda p: str(p.relative_to(m.ROOT)))
def test_every_yaml_and_json_file_parses(path: Path):
    if path.suffix == ".json":
        assert isinstance(json.loads(path.read_text()), dict)
    else:
        assert m.load_yaml_documents(path), f"{path} is empty"


# --- Prometheus ----------------------------------------------------------------------------------------

def test_promtool_accepts_the_prometheus_config_and_its_rule_file(promtool_binary):
    output = _run(promtool_binary, "check", "config", str(m.PROMETHEUS_CONFIG))
    assert "SUCCESS" in output


def test_promtool_accepts_the_rules(promtool_binary):
    output = _run(promtool_binary, "check", "rules", str(m.ALERTS))
    assert f"SUCCESS: {len(m.rules())} rules found" in output


def test_alerts_fire_on_the_situations_they_describe(promtool_binary, tmp_path):
    """promtool's unit tests (deploy/prometheus/alerts.test.yml). promtool compares annotations
    verbatim, so the tests run against a copy of the rules without them."""
    groups = yaml.safe_load(m.ALERTS.read_text())
    for group in groups["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(groups))
    shutil.copy(m.ALERTS_TEST, tmp_path / "alerts.test.yml")
    output = _run(promtool_binary, "test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert "SUCCESS" in output


def test_every_alert_has_a_unit_test_where_it_fires():
    """An alert no test sees firing may never fire (a label or a series that is not there)."""
    tests = yaml.safe_load(m.ALERTS_TEST.read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case["exp_alerts"]}
    untested = sorted({a["alert"] for a in m.alert_rules()} - fired)
    assert not untested, f"deploy/prometheus/alerts.test.yml has no case where these fire: {untested}"


def test_every_alert_has_a_severity_and_says_what_to_do():
    alerts = m.alert_rules()
    assert {a["alert"] for a in alerts} >= {
        "NewsWorkerDown", "NewsWorkerAllReplicasDown", "NewsWorkerConsumerLagGrowing", "NewsWorkerNoThroughput",
        "NewsWorkerDLQRateHigh", "NewsWorkerDuplicateRateOutOfBand"}
    for alert in alerts:
        assert alert.get("for"), f"{alert['alert']} has no for: (it would fire on a single bad scrape)"
        assert alert["labels"]["severity"] in ("warning", "critical"), alert["alert"]
        for annotation in ("summary", "description", "runbook"):
            assert alert["annotations"].get(annotation, "").strip(), f"{alert['alert']} lacks {annotation}"


def test_every_alert_is_in_the_operators_table_of_deploy_readme():
    rows = {line.split("|")[1].split("(")[0].strip() for line in (m.DEPLOY / "README.md").read_text().splitlines()
            if line.startswith("| NewsWorker")}
    alerts = {a["alert"] for a in m.alert_rules()}
    assert rows == alerts, f"deploy/README.md's alert table lacks {sorted(alerts - rows)}, names {sorted(rows - alerts)}"


def test_the_kubernetes_prometheusrule_holds_exactly_the_rules_of_alerts_yml():
    (rule,) = m.load_yaml_documents(m.K8S / "monitoring" / "prometheusrule.yaml")
    assert rule["spec"]["groups"] == m.rule_groups(), \
        "regenerate it: python deploy/k8s/monitoring/make_prometheusrule.py"


@pytest.mark.parametrize("name, expr", m.dashboard_queries() + m.rule_queries(), ids=lambda v: v if len(v) < 60 else None)
def test_every_metric_queried_is_one_the_worker_exports(name, expr):
    known = m.exported_metric_names() | m.recorded_names() | {"up"}
    unknown = m.metric_names_in(expr) - known
    assert not unknown, f"{name} queries {unknown}, which the worker does not export: {expr}"


@pytest.mark.parametrize("name, expr", m.dashboard_queries() + m.rule_queries(), ids=lambda v: v if len(v) < 60 else None)
def test_every_label_queried_is_one_the_series_carries(name, expr):
    problems = m.label_problems(expr)
    assert not problems, f"{name}: {problems}: {expr}"


def test_the_dashboard_shows_what_an_operator_needs():
    queries = " ".join(expr for _, expr in m.dashboard_targets())
    for needed in ("newsworker_pages_consumed_total", "newsworker_articles_published_total",
                   "newsworker_duplicates_total", "newsworker_dlq_records_total",
                   "newsworker_stage_duration_seconds_bucket", "newsworker_consumer_group_lag_records",
                   "up{", "newsworker_rebalances_total", "newsworker_ready{",
                   "sum by (reason) (rate(newsworker_dlq_records_total", "newsworker_record_latency_seconds_bucket",
                   "newsworker_record_latency_skipped_total", "sum by (reason) (rate(newsworker_dedup_not_compared_total",
                   "sum by (dependency) (rate(newsworker_dependency_retries_total"):
        assert needed in queries, f"the dashboard has no panel on {needed}"
    for quantile in ("0.50", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (stage, le) (rate(newsworker_stage_duration_seconds_bucket" \
            in queries
    datasource = json.loads(m.DASHBOARD.read_text())["templating"]["list"][0]
    provisioned = yaml.safe_load((m.DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    assert datasource["current"]["value"] == provisioned["datasources"][0]["uid"]


def test_dashboard_panels_fit_the_grid_without_overlapping():
    cells: dict[tuple[int, int], str] = {}
    panels = m.dashboard()["panels"]
    assert len({p["id"] for p in panels}) == len(panels), "panel ids must be unique"
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, f"{panel['title']} is wider than the grid"
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


# --- docker compose --------------------------------------------------------------------------------------

def test_docker_compose_file_is_valid_for_compose():
    """docker-compose (v1, Debian package) validates the file against the Compose schema without a
    Docker engine; `docker compose` v2 reads the same format."""
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI") == "true":  # scripts/test.sh installs it: CI must check the file
            pytest.fail("docker-compose is not installed; scripts/test.sh should have installed it")
        pytest.skip("docker-compose is not installed (Debian: apt-get install docker-compose)")
    assert _run(binary, "-f", str(m.COMPOSE), "config", "--quiet", cwd=m.ROOT) == ""


def test_compose_runs_two_workers_in_one_group_on_shared_dedup_state():
    services = m.compose()["services"]
    worker = services["worker"]
    assert worker["deploy"]["replicas"] == 2
    env = m.compose_worker_environments()["worker"]
    assert env["DEDUP_BACKEND"] == "redis" and env["REDIS_URL"].startswith("redis://redis:")
    assert env["KAFKA_GROUP_ID"]
    # Every image pinned to a version.
    for name, service in services.items():
        image = service["image"]
        assert re.search(r":v?\d+\.\d+", image), f"{name} uses an unpinned image {image}"
    # The order: topics exist before workers start; samples are fed once the workers are healthy.
    assert worker["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["kafka-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["feed"]["depends_on"]["worker"]["condition"] == "service_healthy"
    assert f"--partitions {INPUT_PARTITIONS}" in services["kafka-init"]["command"][0]
    # SIGTERM, then the worker's own bound, then the kill: the grace period is longer.
    grace = int(worker["stop_grace_period"].rstrip("s"))
    assert grace > float(env["SHUTDOWN_TIMEOUT_SECONDS"])


def test_prometheus_in_compose_scrapes_every_worker_replica():
    config = yaml.safe_load(m.PROMETHEUS_CONFIG.read_text())
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "news-worker"]
    (discovery,) = job["dns_sd_configs"]
    assert discovery["names"] == ["worker"] and discovery["type"] == "A"
    assert discovery["port"] == int(m.compose_worker_environments()["worker"]["METRICS_PORT"])


# --- environment variables -------------------------------------------------------------------------------

def _worker_environments() -> list[tuple[str, dict[str, str]]]:
    return ([(f"compose:{name}", env) for name, env in m.compose_worker_environments().items()]
            + [(f"k8s:{name}", env) for name, env in m.k8s_worker_environments().items()])


@pytest.mark.parametrize("where, env", _worker_environments(), ids=lambda v: v if isinstance(v, str) else None)
def test_every_variable_set_for_the_worker_is_one_it_reads_and_its_settings_load(where, env):
    recording = m.RecordingEnv(env)
    Settings.from_env(recording)  # raises ConfigError when a required variable is missing or bad
    unread = set(env) - recording.asked
    assert not unread, f"{where} sets {sorted(unread)}, which the worker never reads (a typo, or a stale name)"
    missing = DEPLOYMENT_ESSENTIALS - set(env)
    assert not missing, f"{where} leaves {sorted(missing)} to defaults meant for a laptop"


# --- Kubernetes ------------------------------------------------------------------------------------------

def _kustomize(directory: Path) -> list[dict]:
    kubectl = _tool("kubectl", "kubectl, which bundles kustomize")
    return [doc for doc in yaml.safe_load_all(_run(kubectl, "kustomize", str(directory))) if doc]


@pytest.mark.parametrize("variant", ["", "hpa", "monitoring"])
def test_kustomize_builds_and_kubernetes_objects_match_the_api_schemas(variant):
    objects = _kustomize(m.K8S / variant)
    checked = 0
    for obj in objects:
        if obj["apiVersion"].startswith(("keda.sh/", "monitoring.coreos.com/")):
            continue  # custom resources: no schema in the Kubernetes API
        kubernetes_validate.validate(obj, "1.29.0", strict=True)
        checked += 1
    assert checked or variant == "monitoring"
    assert all(obj["metadata"].get("namespace") == "news" for obj in objects if obj["kind"] != "Namespace")


def _deployment() -> dict:
    (deployment,) = [o for o in m.k8s_objects(m.K8S / "base") if o["kind"] == "Deployment"]
    return deployment


def test_kubernetes_deployment_probes_shutdown_and_security():
    deployment = _deployment()
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = m.k8s_worker_environments()["news-worker/worker"]
    port = int(env["METRICS_PORT"])
    assert container["ports"][0]["containerPort"] == port
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["terminationGracePeriodSeconds"] > get_float(env, "SHUTDOWN_TIMEOUT_SECONDS", 20.0)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert "DEDUP_STATE_DIR" not in env, "a read-only root fs needs a volume for DEDUP_STATE_DIR"
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert container["resources"]["requests"] and container["resources"]["limits"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    # Secrets come from the Secret, never from the ConfigMap.
    config_map = next(o for o in m.k8s_objects(m.K8S / "base") if o["kind"] == "ConfigMap")
    assert not {"KAFKA_SASL_PASSWORD", "REDIS_URL"} & set(config_map["data"])


def test_autoscalers_stop_at_the_partition_count_and_scale_the_deployment():
    (scaled, auth) = m.load_yaml_documents(m.K8S / "keda-scaledobject.yaml")
    assert scaled["spec"]["maxReplicaCount"] == INPUT_PARTITIONS
    assert scaled["spec"]["scaleTargetRef"]["name"] == _deployment()["metadata"]["name"]
    (trigger,) = scaled["spec"]["triggers"]
    env = m.k8s_worker_environments()["news-worker/worker"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == env["KAFKA_GROUP_ID"]
    assert trigger["metadata"]["topic"] == env["TOPIC_PAGES_RAW"]
    assert trigger["metadata"]["bootstrapServers"] == env["KAFKA_BOOTSTRAP_SERVERS"]
    assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
    (hpa,) = m.load_yaml_documents(m.K8S / "hpa" / "hpa.yaml")
    assert hpa["spec"]["maxReplicas"] == INPUT_PARTITIONS
    assert hpa["spec"]["metrics"][0]["external"]["metric"]["name"] in m.exported_metric_names()
    (pdb,) = [o for o in m.k8s_objects(m.K8S / "base") if o["kind"] == "PodDisruptionBudget"]
    assert pdb["spec"]["selector"] == _deployment()["spec"]["selector"]


# --- Dockerfile ------------------------------------------------------------------------------------------

def test_dockerfile_runs_the_worker_as_pid_1_as_a_non_root_user_from_a_pinned_slim_image():
    instructions = m.dockerfile_instructions()
    args = dict(a.split("=", 1) for i, a in instructions if i == "ARG" and "=" in a)
    stages = [a for i, a in instructions if i == "FROM"]
    assert len(stages) >= 2, "multi-stage: wheels are built in a builder stage"
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base
    user = [a for i, a in instructions if i == "USER"][-1]
    assert user.split(":")[0] not in ("root", "0"), "the worker must not run as root"
    # Exec form (a JSON array): python itself is PID 1 and receives SIGTERM; no shell in between.
    entrypoint = json.loads([a for i, a in instructions if i == "ENTRYPOINT"][-1])
    command = json.loads([a for i, a in instructions if i == "CMD"][-1])
    assert entrypoint + command == ["python", "-m", "worker", "run"]
    assert m.dockerfile_healthcheck()[:2] == ["python", "-c"], "slim has no curl: the interpreter checks /healthz"
    ignore = (m.ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*") + 1:].count("!worker") == 1, ".dockerignore is an allow-list"



def test_the_image_build_gets_every_file_the_package_build_reads():
    # The builder's COPY and the .dockerignore allow-list must carry what the package build reads.
    copied = " ".join(a for i, a in m.dockerfile_instructions() if i == "COPY").split()
    allowed = (m.ROOT / ".dockerignore").read_text().split()
    for needed in ("pyproject.toml", "README.md", "worker"):
        assert needed in copied, f"the builder stage does not COPY {needed}"
        assert f"!{needed}" in allowed, f".dockerignore does not let {needed} into the build context"
