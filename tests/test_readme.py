"""The README documents every environment variable the worker reads."""
from pathlib import Path

from worker.config import Settings

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
