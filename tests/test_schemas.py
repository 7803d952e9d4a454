"""The JSON Schemas in worker/schema/ describe what the worker really accepts and emits."""
import json
from pathlib import Path

import jsonschema
import orjson
import pytest

from tests.helpers import SAMPLES
from worker.config import Settings
from worker.pipeline import Pipeline
from worker.state import MemoryIndex
from worker.models import SourceRecord
from worker.stages.decode import DecodeStage
from worker.errors import PageRejected

SCHEMAS = Path(__file__).resolve().parent.parent / "worker" / "schema"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def sample_outputs():
    pipeline = Pipeline(Settings(), MemoryIndex())
    values = [v for v in SAMPLES.read_bytes().splitlines() if v.strip()]
    return values, [pipeline.process(SourceRecord("pages.raw", 0, i, None, v)) for i, v in enumerate(values)]


def test_raw_page_schema_agrees_with_the_decode_stage(sample_outputs):
    values, _ = sample_outputs
    schema = validator("raw_page.schema.json")
    for value in values:
        try:
            data = orjson.loads(value)
        except orjson.JSONDecodeError:
            continue
        try:
            DecodeStage(10_000_000)(SourceRecord("pages.raw", 0, 0, None, value))
            accepted = True
        except PageRejected:
            accepted = False
        assert schema.is_valid(data) == accepted, data.get("url")


def test_every_emitted_event_matches_its_schema(sample_outputs):
    _, outputs = sample_outputs
    articles, letters = validator("article_event.schema.json"), validator("dead_letter.schema.json")
    kinds = set()
    for output in outputs:
        event = orjson.loads(output.value)
        (letters if output.kind == "dlq" else articles).validate(event)
        kinds.add(output.kind)
    assert kinds == {"unique", "duplicate", "dlq"}
