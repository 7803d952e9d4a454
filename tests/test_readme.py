"""The README documents every environment variable the worker reads and every metric it exports."""
import re
from pathlib import Path
from types import SimpleNamespace

from worker.config import Settings
from worker.metrics import Metrics
from worker.service.supervisor import SupervisorCollector

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


class RecordingEnv(dict):
    """An empty environment that remembers which variables were asked for."""

    def __init__(self):
        super().__init__()
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return default


def test_every_variable_the_worker_reads_is_documented():
    env = RecordingEnv()
    Settings.from_env(env)
    undocumented = sorted(name for name in env.asked if f"`{name}`" not in README)
    assert not undocumented, f"add these to README.md's Configuration table: {undocumented}"


def _exported() -> dict[str, set[str]]:
    """Name as scraped (counters with _total, info with _info) -> label names, of the worker's
    registry and of the supervisor's own series (WORKER_PROCESSES > 1)."""
    supervisor = SupervisorCollector(SimpleNamespace(restarts=0, running_children=lambda: 0))
    suffix = {"counter": "_total", "info": "_info"}
    metrics = Metrics()
    # Every labelled family with one child, so that its label names show in the samples
    # (prometheus-client has no public accessor of a registry's collectors or their label names).
    for collector in list(metrics.registry._collector_to_names):
        if getattr(collector, "_labelnames", ()):
            collector.labels(*("x" for _ in collector._labelnames))
    exported: dict[str, set[str]] = {}
    for family in [*metrics.registry.collect(), *supervisor.collect()]:
        labels = {name for sample in family.samples for name in sample.labels} - {"le"}
        if family.type == "info":
            labels = set()  # (its labels are the values it reports)
        exported.setdefault(family.name + suffix.get(family.type, ""), set()).update(labels)
    return exported


def _metrics_table() -> list[str]:
    section = README[README.index("## Metrics and health"):]
    section = section[:section.index("\n## ", 1)]
    return [line for line in section.splitlines() if line.startswith("| `newsworker_")]


def test_every_metric_the_worker_exports_is_documented_with_its_labels():
    rows = _metrics_table()
    for name, labels in _exported().items():
        documented = [row for row in rows if re.search(rf"`{name}(\{{[^}}]*\}})?`", row)]
        assert documented, f"add {name} to README.md's Metrics table"
        (row,) = documented
        missing = sorted(label for label in labels if not re.search(rf"[`{{,]\s*{label}\b", row))
        assert not missing, f"README.md's Metrics table does not name the labels {missing} of {name}"


def test_the_metrics_table_names_no_metric_the_worker_does_not_export():
    exported = _exported()
    named = {name for row in _metrics_table() for name in re.findall(r"`(newsworker_\w+)", row)}
    assert not named - set(exported), f"README.md documents metrics the worker does not export: {named - set(exported)}"
