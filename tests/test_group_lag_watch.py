"""The group-lag thread: failures are counted and keep the last values; vanished partitions go."""
from kafka.errors import KafkaConnectionError

from worker.service.group_lag import GroupLagWatch
from worker.metrics import Metrics


class Reader:
    def __init__(self, answers):
        self.answers = list(answers)
        self.closed = False

    def lag(self):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        self.closed = True


def sample(metrics: Metrics, name: str, **labels) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_a_failed_read_is_counted_and_the_last_values_kept():
    metrics = Metrics()
    watch = GroupLagWatch(Reader([{("in", 0): 7, ("in", 1): 3}, KafkaConnectionError("down"), RuntimeError("odd"),
                                  {("in", 0): 2}]), metrics, 60)
    lag = "newsworker_consumer_group_lag_records"
    last_read = "newsworker_group_lag_last_read_timestamp_seconds"
    assert sample(metrics, last_read) == 0
    watch.read_once()
    assert sample(metrics, lag, topic="in", partition="0") == 7
    read_at = sample(metrics, last_read)
    assert read_at > 0
    watch.read_once()
    watch.read_once()
    assert sample(metrics, "newsworker_group_lag_read_failures_total") == 2
    assert sample(metrics, lag, topic="in", partition="1") == 3
    assert sample(metrics, last_read) == read_at  # (the NewsWorkerLagUnknown alert reads its age)
    watch.read_once()
    assert sample(metrics, lag, topic="in", partition="0") == 2
    assert sample(metrics, lag, topic="in", partition="1") is None


def test_the_thread_reads_at_once_and_stops():
    reader = Reader([{("in", 0): 1}] * 3)
    watch = GroupLagWatch(reader, Metrics(), 60).start()
    watch.stop()
    assert reader.closed and len(reader.answers) == 2
