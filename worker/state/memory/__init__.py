"""In-process dedup index for a single replica, checkpointed to DEDUP_STATE_DIR.

One job a module:
- index.py       MemoryIndex: the decision steps of DedupIndex (base.py, rules.py), the window's
                 clock and compaction, checkpoint and restore;
- candidates.py  the claims and near candidates of a whole batch, looked up and verified at once;
- staging.py     a batch's records and claims until they are written at its end;
- columns.py     records and near rows in numpy columns;
- tables.py      key -> slot tables in sorted numpy runs;
- journal.py     the write-ahead log (LogRecord) and snapshots.
"""
from .index import MemoryIndex
from .journal import LOG_FILE, SNAPSHOT_FILE, LogRecord

__all__ = ["LOG_FILE", "SNAPSHOT_FILE", "LogRecord", "MemoryIndex"]
