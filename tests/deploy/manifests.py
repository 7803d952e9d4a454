"""Reading the deployment files the way their consumers do: the queries Grafana and Prometheus will
run, the environment docker compose and Kubernetes will give the worker's containers."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from worker.errors import Reason
from worker.metrics import Metrics
from worker.service.supervisor import SupervisorCollector

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
ALERTS_TEST = DEPLOY / "prometheus" / "alerts.test.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "news-worker.json"
K8S = DEPLOY / "k8s"
WORKER_IMAGE = "news-worker"

# What Grafana puts in place of its variables when the dashboard shows every replica; the rate
# window is one that holds several samples at the 1 s scrape interval of the test Prometheus.
DASHBOARD_VARIABLES = {"instance": ".*", "__rate_interval": "30s", "__interval": "5s", "__range": "5m"}

PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
                   "bool", "offset", "inf", "nan"}


def load_yaml_documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def yaml_and_json_files() -> list[Path]:
    files = [COMPOSE, *sorted(DEPLOY.rglob("*.yml")), *sorted(DEPLOY.rglob("*.yaml")), *sorted(DEPLOY.rglob("*.json"))]
    return files


# --- queries ---------------------------------------------------------------------------------------

def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def dashboard_targets() -> Iterator[tuple[str, str]]:
    """(panel title / refId, raw expression) of every query on the dashboard, rows included."""
    def panels(items):
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    for panel in panels(dashboard()["panels"]):
        for target in panel.get("targets", []):
            yield f"{panel['title']} / {target['refId']}", target["expr"]


def substitute_dashboard_variables(expr: str) -> str:
    """The query as Grafana sends it; fails on a variable the dashboard does not define."""
    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if name not in DASHBOARD_VARIABLES:
            raise KeyError(f"dashboard variable ${name} has no test value in DASHBOARD_VARIABLES: {expr}")
        return DASHBOARD_VARIABLES[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, expr)


def dashboard_queries() -> list[tuple[str, str]]:
    return [(name, substitute_dashboard_variables(expr)) for name, expr in dashboard_targets()]


def rule_groups() -> list[dict[str, Any]]:
    return yaml.safe_load(ALERTS.read_text())["groups"]


def rules() -> list[dict[str, Any]]:
    return [rule for group in rule_groups() for rule in group["rules"]]


def alert_rules() -> list[dict[str, Any]]:
    return [rule for rule in rules() if "alert" in rule]


def recorded_names() -> set[str]:
    return {rule["record"] for rule in rules() if "record" in rule}


def rule_queries() -> list[tuple[str, str]]:
    return [(rule.get("alert") or rule["record"], rule["expr"]) for rule in rules()]


def metric_names_in(expr: str) -> set[str]:
    """Names of the series an expression selects: what remains after removing strings, label
    matchers, grouping clauses, range/offset durations, function calls, keywords and numbers."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\boffset\s+\w+", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in PROMQL_KEYWORDS:
            continue
        names.add(word)
    return names


def exported_metric_names() -> set[str]:
    """Every series name the worker's registry can export: families and their type's suffixes."""
    names = set()
    for family in _families(labelled=False):  # (the supervisor's own too, WORKER_PROCESSES > 1)
        names.add(family.name)
        names.update(family.name + suffix for suffix in SERIES_SUFFIXES.get(family.type, ("",)))
    return names


SERIES_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
                   "summary": ("_sum", "_count", "_created"), "info": ("_info",), "gauge": ("",)}
# Labels every scraped series carries (the scrape's target), whatever the worker exports.
TARGET_LABELS = {"job", "instance"}


def _families(labelled: bool) -> list:
    """The worker's metric families and the supervisor's; with `labelled`, every labelled family gets
    one child first, so that its label names show in the samples (a fresh Metrics object: the values
    made up here never mix with the ones the worker exports at start)."""
    metrics = Metrics()
    if labelled:  # (prometheus-client has no public accessor of a registry's collectors or label names)
        for collector in list(metrics.registry._collector_to_names):
            if getattr(collector, "_labelnames", ()):
                collector.labels(*("x" for _ in collector._labelnames))
    supervisor = SupervisorCollector(SimpleNamespace(restarts=0, running_children=lambda: 0))
    return [*metrics.registry.collect(), *supervisor.collect()]


def exported_labels() -> dict[str, set[str]]:
    """Series name (with its type's suffixes) -> the label names it carries."""
    result: dict[str, set[str]] = {}
    for family in _families(labelled=True):
        labels = {name for sample in family.samples for name in sample.labels}
        for suffix in SERIES_SUFFIXES.get(family.type, ("",)):
            name = family.name + suffix
            result.setdefault(name, set()).update(labels if suffix == "_bucket" else labels - {"le"})
    return result


def known_label_values() -> dict[tuple[str, str], set[str]]:
    """(series name, label) -> every value it can take, where the worker knows them in advance: the
    series it exports at 0 from the start, and the DLQ reasons (worker/errors.py)."""
    result: dict[tuple[str, str], set[str]] = {}
    for family in _families(labelled=False):
        for sample in family.samples:
            for label, value in sample.labels.items():
                if label != "le" and family.type != "info":
                    result.setdefault((sample.name, label), set()).add(value)
    reasons = {reason.value for reason in Reason}
    for name in ("newsworker_dlq_records_total", "newsworker_stage_failures_total"):
        result[(name, "reason")] = reasons
    return result


def recorded_labels() -> dict[str, set[str]]:
    """Recorded series -> its labels: those of its rule's outer aggregation (`sum by (topic) (...)`:
    topic; `sum(...)`: none), or else those of the series it reads."""
    result: dict[str, set[str]] = {}
    for rule in rules():
        if "record" in rule:
            expr = rule["expr"]
            grouped = re.match(r"\s*\w+\s+by\s*\(([^)]*)\)", expr)
            if grouped:
                labels = {label.strip() for label in grouped.group(1).split(",") if label.strip()}
            elif re.match(r"\s*(sum|min|max|avg|count)\s*\(", expr):
                labels = set()
            else:
                labels = set().union(*(exported_labels().get(n, result.get(n, set())) for n in metric_names_in(expr)))
            result[rule["record"]] = labels
    return result


def label_problems(expr: str) -> list[str]:
    """Label names and values an expression selects or groups by that the series it reads cannot
    carry: a typo there is no error in PromQL, only an empty result (an alert that never fires)."""
    exported, known, recorded = exported_labels(), known_label_values(), recorded_labels()
    problems = []
    for match in re.finditer(r"([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}", expr):
        name, matchers = match.groups()
        if name not in exported:
            continue
        for label, op, value in re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', matchers):
            if label not in exported[name] | TARGET_LABELS:
                problems.append(f"{name} has no label {label}")
            elif op == "=" and (name, label) in known and value not in known[(name, label)]:
                problems.append(f'{name}{{{label}="{value}"}} is never exported (values: {sorted(known[(name, label)])})')
    readable = set().union(*(exported.get(n, recorded.get(n, set())) for n in metric_names_in(expr)))
    for clause in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        for label in (label.strip() for label in clause.split(",")):
            if label and label not in readable | TARGET_LABELS:
                problems.append(f"grouping by {label}, which none of {sorted(metric_names_in(expr))} carries")
    return problems


# --- environment of the worker's containers ----------------------------------------------------------

def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def compose_worker_environments() -> dict[str, dict[str, str]]:
    """Service name -> environment, for the services that run the worker's image."""
    result = {}
    for name, service in compose()["services"].items():
        if str(service.get("image", "")).split(":")[0] != WORKER_IMAGE:
            continue
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        result[name] = {key: "" if value is None else str(value) for key, value in environment.items()}
    return result


def k8s_objects(directory: Path) -> list[dict[str, Any]]:
    return [doc for path in sorted(directory.glob("*.yaml")) if path.name != "kustomization.yaml"
            for doc in load_yaml_documents(path)]


def k8s_worker_environments() -> dict[str, dict[str, str]]:
    """Container name -> environment for the worker's containers in deploy/k8s/base, resolved the way
    the kubelet does: envFrom ConfigMaps/Secrets, then env (values, secretKeyRef, fieldRef)."""
    objects = k8s_objects(K8S / "base")
    config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    secrets = {o["metadata"]["name"]: o.get("stringData", {}) for o in objects if o["kind"] == "Secret"}
    result = {}
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            if container["image"].split(":")[0] != WORKER_IMAGE:
                continue
            env: dict[str, str] = {}
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    env.update(config_maps[source["configMapRef"]["name"]])
                if "secretRef" in source:
                    env.update(secrets[source["secretRef"]["name"]])
            for item in container.get("env", []):
                if "value" in item:
                    env[item["name"]] = str(item["value"])
                elif "secretKeyRef" in item["valueFrom"]:
                    ref = item["valueFrom"]["secretKeyRef"]
                    env[item["name"]] = secrets[ref["name"]][ref["key"]]
                elif "configMapKeyRef" in item["valueFrom"]:
                    ref = item["valueFrom"]["configMapKeyRef"]
                    env[item["name"]] = config_maps[ref["name"]][ref["key"]]
                else:  # fieldRef / resourceFieldRef: filled in by the kubelet
                    env[item["name"]] = f"<{item['name'].lower()} from the pod>"
            result[f"{deployment['metadata']['name']}/{container['name']}"] = env
    return result


class RecordingEnv(dict):
    """An environment that remembers every name the settings code asks for."""

    def __init__(self, values: dict[str, str]):
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


# --- Dockerfile ----------------------------------------------------------------------------------------

def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    result = []
    for entry in logical:
        instruction, _, arguments = entry.partition(" ")
        result.append((instruction.upper(), arguments.strip()))
    return result


def dockerfile_healthcheck() -> list[str]:
    """The HEALTHCHECK command of the Dockerfile, as the engine would exec it."""
    (healthcheck,) = [a for i, a in dockerfile_instructions() if i == "HEALTHCHECK"]
    return json.loads(healthcheck.split("CMD", 1)[1].strip())


def scratch_space_bytes() -> dict[str, int]:
    """Size of the writable /tmp the worker gets, per deployment (it runs on a read-only root)."""
    (deployment,) = [o for o in k8s_objects(K8S / "base") if o["kind"] == "Deployment"]
    (volume,) = [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "tmp"]
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
    limit = volume["emptyDir"]["sizeLimit"]
    (tmpfs,) = [v for v in compose()["services"]["worker"]["volumes"] if v["type"] == "tmpfs"]
    return {"k8s": int(limit[:-2]) * units[limit[-2:]], "compose": int(tmpfs["tmpfs"]["size"])}
