"""Command line: `python -m worker run | process | feed | dlq | demo`."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from . import stop_signals
from .config import ConfigError, Settings
from .memory import keep_freed_memory
from .service.logging import configure_logging, settings_secrets, settings_summary

EXIT_USAGE = 2
# Stopped by SIGTERM before the end of the input (128 + the signal's number, as a shell reports it).
EXIT_TERMINATED = 128 + signal.SIGTERM


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="the streaming service (configured by environment variables, see README)")
    process = commands.add_parser("process", help="run the pipeline offline over a JSON-lines file of raw pages")
    process.add_argument("--input", required=True, type=Path, help="JSON-lines file, one raw page per line")
    process.add_argument("--output-dir", required=True, type=Path, help="writes <topic>.jsonl per output topic here")
    process.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    process.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                         help="processes that clean and fingerprint (default: the cores); outputs as with 1")
    feed = commands.add_parser("feed", help="produce a JSON-lines file of raw pages to the input topic")
    feed.add_argument("--input", required=True, type=Path)
    _add_dlq_parser(commands)
    demo = commands.add_parser("demo", help="the embedded default: local broker, sample pages, printed results")
    demo.add_argument("--input", type=Path, help="JSON-lines pages (default: the bundled samples)")
    demo.add_argument("--keep-running", action="store_true", help="keep broker and worker up until Ctrl-C")
    args = parser.parse_args(argv)
    keep_freed_memory()  # (each page's copies reuse freed memory: worker/memory.py)

    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.service.log_level, secrets=settings_secrets(settings))
    if args.command == "run":
        logging.getLogger("worker").info("settings", extra={"settings": settings_summary(settings)})

    if args.command != "run":  # (their signals as Python's own: see worker/stop_signals.py)
        stop_signals.restore()
    if args.command == "run" and settings.service.worker_processes > 1:
        from .service.supervisor import Supervisor  # (without the pipeline's modules: the children have them)
        return Supervisor(settings).run()
    if args.command == "run":
        from .service.app import run_service
        return run_service(settings)
    if args.command == "process":
        return _process(settings, args.input, args.output_dir, progress=not args.no_progress and sys.stderr.isatty(),
                        jobs=args.jobs)
    if args.command == "feed":
        return _feed(settings, args.input)
    if args.command == "dlq":
        return _dlq(settings, args)
    from .local.demo import run_demo
    return run_demo(args.input, keep_running=args.keep_running)


DLQ_EPILOG = """\
The dead letters come from the dead-letter topic (TOPIC_PAGES_DLQ, read from its start; nothing is
committed) or, with --file, from a `process` output file. Times are ISO-8601 (UTC unless stated) or
an age back from now (30m, 2h, 1d); --since is inclusive, --until exclusive.

replay re-publishes the original key and value of each selected letter to the input topic
(TOPIC_PAGES_RAW, or --to), and says how many. It refuses to run without a selection. It is safe to
run again: a page already published comes out as the same decision (dedup decisions are keyed by the
article id), and a page that still fails becomes a new dead letter. Letters whose original was cut to
fit the size limit are skipped and counted.
"""


def _add_dlq_parser(commands) -> None:
    dlq = commands.add_parser("dlq", help="list, count, show and replay dead letters (the DLQ runbook)",
                              description="Dead letters operators can act on.", epilog=DLQ_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    for name, text in (("count", "dead letters per reason, with the first and last failure time"),
                       ("list", "one line per dead letter: ref, time, reason, stage, original, url, error"),
                       ("show", "one dead letter in full (headers and event)"),
                       ("replay", "re-publish the originals of a selection to the input topic")):
        action = actions.add_parser(name, help=text, description=text, epilog=DLQ_EPILOG,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        action.add_argument("--file", type=Path, help="a `process` output file instead of the topic")
        if name == "show":
            action.add_argument("ref", help="PARTITION:OFFSET in the topic, or the line number in --file")
            continue
        action.add_argument("--reason", action="append", default=[], help="only this reason (repeatable)")
        action.add_argument("--since", type=_moment, help="failed at or after this time")
        action.add_argument("--until", type=_moment, help="failed before this time")
        action.add_argument("--limit", type=_positive_int, help="at most this many letters, oldest first")
        if name == "replay":
            action.add_argument("--to", help="topic to publish to (default: TOPIC_PAGES_RAW)")
            action.add_argument("--dry-run", action="store_true", help="say what would be re-published, publish nothing")


def _moment(text: str):
    from .service.dlq import parse_moment
    try:
        return parse_moment(text)
    except (ValueError, OverflowError) as error:  # (OverflowError: an age or offset past year 1 or 9999)
        raise argparse.ArgumentTypeError(f"not a time (ISO-8601, or 30m / 2h / 1d): {text!r}") from error


def _dlq(settings: Settings, args: argparse.Namespace) -> int:
    from .errors import DependencyError, DependencyMisconfigured
    from .service import dlq
    from .service.startup import EXIT_CONFIG, EXIT_UNAVAILABLE
    from .transport.kafka_check import check_broker

    if args.file is not None:
        if not args.file.is_file():
            print(f"error: file {args.file} does not exist", file=sys.stderr)
            return EXIT_USAGE
    else:
        try:
            check_broker(settings.kafka, time.monotonic() + settings.service.startup_timeout_seconds)
        except DependencyError as error:
            print(f"error: cannot reach the broker: {error}", file=sys.stderr)
            return EXIT_CONFIG if isinstance(error, DependencyMisconfigured) else EXIT_UNAVAILABLE
    # Every read is closed before returning, however the command ends: a topic's reader left to
    # the interpreter's exit closes its consumer then, and that waits for ever on kafka-python's
    # network thread, already stopped (`dlq list | head` hung after its traceback).
    opened: list = []

    def read_letters():
        letters = dlq.letters_from_file(args.file) if args.file is not None else dlq.letters_from_topic(settings)
        opened.append(letters)
        return letters

    try:
        if args.dlq_command == "show":
            return dlq.show(read_letters(), args.ref, sys.stdout)
        selection = dlq.Selection(frozenset(args.reason), args.since, args.until, args.limit)
        if args.dlq_command == "replay":
            return dlq.replay(settings, read_letters, selection, args.to or settings.topics.pages_raw, sys.stdout,
                              dry_run=args.dry_run)
        report = dlq.count if args.dlq_command == "count" else dlq.list_letters
        return report(selection.apply(read_letters()), sys.stdout)
    except LookupError as error:  # (the topic does not exist)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of the output went away (`dlq list | head`): stop, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (nothing left to flush at exit)
        return 0
    finally:
        for letters in opened:
            letters.close()


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _process(settings: Settings, input_path: Path, output_dir: Path, progress: bool, jobs: int | None) -> int:
    from .parallel import ParallelPipeline, default_jobs
    from .errors import DependencyError, DependencyMisconfigured, StateIncompatible
    from .pipeline import Pipeline
    from .service.health import Health
    from .service.loop import ConsumeLoop
    from .metrics import Metrics
    from .service.startup import EXIT_CONFIG, EXIT_UNAVAILABLE
    from .state import open_index
    from .transport.memory import JsonLinesSink, JsonLinesSource

    if not input_path.is_file():
        print(f"error: input file {input_path} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:  # (before any work: a path that cannot be the output directory is a bad argument)
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: --output-dir {output_dir} cannot be a directory of outputs: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    metrics = Metrics()
    try:
        index = open_index(settings.dedup, settings.redis)
    except DependencyError as error:  # the memory backend's directory, held by another process
        print(f"error: cannot start: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except StateIncompatible as error:  # its state, written with other settings
        print(f"error: cannot start: {error}", file=sys.stderr)
        return EXIT_CONFIG
    try:  # the same bounded check as `run`: a wrong Redis password is not waited out
        index.check(time.monotonic() + settings.service.startup_timeout_seconds)
    except DependencyError as error:
        index.close()
        print(f"error: cannot start: {error}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(error, DependencyMisconfigured) else EXIT_UNAVAILABLE
    jobs = jobs or default_jobs()
    # (first: its processes start before the progress bar's thread does)
    pipeline = ParallelPipeline(settings, index, metrics, jobs) if jobs > 1 else Pipeline(settings, index, metrics)
    source = JsonLinesSource(input_path, settings.topics.pages_raw)
    sink = JsonLinesSink(output_dir, settings.topics.outputs())
    output = _ProgressSink(sink, len(source)) if progress else sink
    loop = ConsumeLoop(source, output, pipeline, index, metrics, settings.service,
                       Health(metrics, settings.service.liveness_timeout_seconds), read_ahead=jobs > 1)
    # SIGTERM (a cancelled batch job) stops at the next page, as `run` does: the batches written so
    # far stay, and the preparing processes are stopped rather than left behind.
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        loop.run(stop)
    except DependencyMisconfigured as error:
        print(f"error: stopped: {error}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        signal.signal(signal.SIGTERM, previous)
        pipeline.close()
        output.close()
        index.close()
    total = sum(sink.counts.values())
    if stop.is_set():
        print(f"stopped by SIGTERM: {total} pages written from {input_path}, the rest not", file=sys.stderr)
        return EXIT_TERMINATED
    print(f"processed {total} pages from {input_path}")
    for topic, count in sink.counts.items():
        print(f"  {count:6d}  {output_dir / (topic + '.jsonl')}")
    articles = sink.counts[settings.topics.articles_normalized] + sink.counts[settings.topics.articles_duplicates]
    if articles:
        print(f"duplicate rate: {sink.counts[settings.topics.articles_duplicates] / articles:.1%}")
    return 0


class _ProgressSink:
    """Advances a progress bar as outputs are delivered."""

    def __init__(self, sink, total: int):
        from tqdm import tqdm
        self._sink = sink
        self._bar = tqdm(total=total, unit="page", file=sys.stderr)

    def deliver(self, outputs):
        refused = self._sink.deliver(outputs)
        self._bar.update(len(outputs))
        return refused

    def close(self) -> None:
        self._bar.close()
        self._sink.close()


def _feed(settings: Settings, input_path: Path) -> int:
    from .errors import DependencyError, DependencyMisconfigured
    from .local.client import page_key, produce_values, read_jsonl_values
    from .service.startup import EXIT_CONFIG, EXIT_UNAVAILABLE
    from .transport.kafka_check import check_broker

    if not input_path.is_file():
        print(f"error: input file {input_path} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:  # the same bounded broker check as `run`, instead of "Unable to bootstrap" after 30 s
        check_broker(settings.kafka, time.monotonic() + settings.service.startup_timeout_seconds)
    except DependencyError as error:
        print(f"error: cannot reach the broker: {error}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(error, DependencyMisconfigured) else EXIT_UNAVAILABLE
    values = read_jsonl_values(input_path)
    keys = [page_key(v) for v in values]
    refused: list[tuple[int, str]] = []
    count = produce_values(settings.kafka, settings.topics.pages_raw, values, keys, refused=refused)
    print(f"produced {count} pages to {settings.topics.pages_raw} at {settings.kafka.bootstrap_servers}")
    if refused:
        print(f"not produced: {len(refused)} page(s) larger than KAFKA_MAX_REQUEST_SIZE "
              f"({settings.kafka.max_request_size} bytes):", file=sys.stderr)
        for position, _ in refused:
            print(f"  page {position + 1} of the file ({len(values[position])} bytes): "
                  f"{(keys[position] or b'(no url)').decode('utf-8', 'replace')[:200]}", file=sys.stderr)
        return 1
    return 0
