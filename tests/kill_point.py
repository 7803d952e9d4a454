"""`python -m tests.kill_point run`: the worker with a fault aimed between delivery and commit.

After the KILL_POINT_AFTER_DELIVERY-th batch whose outputs the broker acknowledged, before the
loop goes on to commit its offsets, the process
- KILL_POINT_ACTION=kill: sends itself SIGKILL (no shutdown code runs);
- KILL_POINT_ACTION=pause: creates KILL_POINT_DIR/reached and waits for KILL_POINT_DIR/go (the
  test breaks a dependency meanwhile), then carries on.
KILL_POINT_SNAPSHOT_MIN_LOG_RECORDS lowers the memory backend's snapshot threshold (restores then
read a snapshot and the log after it).
The worker itself is unchanged: the hook wraps ConsumeLoop._deliver in this process only.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from worker.cli import main
from worker.service.loop import ConsumeLoop


def install(after: int, action: str, directory: Path) -> None:
    deliver = ConsumeLoop._deliver
    delivered_batches = 0

    def aimed(self, outputs, stop):
        nonlocal delivered_batches
        delivered = deliver(self, outputs, stop)
        if delivered:
            delivered_batches += 1
            if delivered_batches == after:
                if action == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                (directory / "reached").touch()
                while not (directory / "go").exists():
                    time.sleep(0.02)
        return delivered

    ConsumeLoop._deliver = aimed


if __name__ == "__main__":
    if "KILL_POINT_SNAPSHOT_MIN_LOG_RECORDS" in os.environ:
        # The memory backend snapshots once its log holds this many records and as many as the
        # index (worker default 20,000): a short stream then restores from snapshots and logs.
        from worker.state.memory import index as memory_index
        memory_index.MIN_LOG_RECORDS_FOR_SNAPSHOT = int(os.environ["KILL_POINT_SNAPSHOT_MIN_LOG_RECORDS"])
    install(int(os.environ["KILL_POINT_AFTER_DELIVERY"]), os.environ.get("KILL_POINT_ACTION", "kill"),
            Path(os.environ.get("KILL_POINT_DIR", ".")))
    sys.exit(main())
