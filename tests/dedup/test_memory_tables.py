"""SlotTable against a plain dict of lists: same answers through dict merges, run cascades,
compaction and reload."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.state.memory_tables import NO_SLOT, SlotTable

operations = st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=6), min_size=1, max_size=120)


@settings(max_examples=60, deadline=None)
@given(batches=operations, compact_at=st.integers(0, 120))
def test_table_answers_like_a_dict_of_lists(batches, compact_at):
    table = SlotTable(np.uint32, pending_limit=5, run_limits=(8, 30))
    model: dict[int, list[int]] = {}
    for slot, keys in enumerate(batches):
        table.flush_if_full()
        table.add_many(keys, slot)
        for key in set(keys):
            model.setdefault(key, []).append(slot)
        if slot == compact_at:  # forget every third slot, renumber the rest in order
            alive = [s for s in range(slot + 1) if s % 3]
            new_slot = np.full(slot + 1, NO_SLOT, dtype=np.int32)
            new_slot[alive] = np.arange(len(alive))
            table.compact(new_slot)
            model = {k: [int(new_slot[s]) for s in v if new_slot[s] != NO_SLOT] for k, v in model.items()}
            model = {k: v for k, v in model.items() if v}
    queried = list(range(45))
    assert table.newest(queried) == [max(model[k]) if k in model else NO_SLOT for k in queried]
    index, slots = table.runs_find_all(np.array(queried, dtype=np.uint32))
    found = {(queried[i], s) for i, s in zip(index.tolist(), slots.tolist())}
    found |= {(k, s) for k in queried for s in table.pending_find_all([k])}
    assert found == {(k, s) for k, v in model.items() for s in v}
    reloaded = SlotTable(np.uint32, pending_limit=5, run_limits=(8, 30))
    reloaded.load(*table.arrays())
    assert reloaded.newest(queried) == table.newest(queried)
