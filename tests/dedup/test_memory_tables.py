"""SlotTable against a plain dict of lists: same answers through batch merges, run cascades,
compaction and reload."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.state.memory.tables import NO_SLOT, SlotTable

# Batches of slots, each slot with the keys it is stored under.
operations = st.lists(st.lists(st.sets(st.integers(0, 40), min_size=1, max_size=6), min_size=1, max_size=4),
                      min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(batches=operations, compact_after=st.integers(0, 60))
def test_table_answers_like_a_dict_of_lists(batches, compact_after):
    table = SlotTable(np.uint32, run_limits=(8, 30))
    model: dict[int, list[int]] = {}
    slot = 0
    for number, batch in enumerate(batches):
        keys, slots = [], []
        for slot_keys in batch:
            keys += sorted(slot_keys)
            slots += [slot] * len(slot_keys)
            for key in slot_keys:
                model.setdefault(key, []).append(slot)
            slot += 1
        table.add(np.array(keys, dtype=np.uint32), np.array(slots, dtype=np.int32))
        if number == compact_after:  # forget every third slot, renumber the rest in order
            alive = [s for s in range(slot) if s % 3]
            new_slot = np.full(slot, NO_SLOT, dtype=np.int32)
            new_slot[alive] = np.arange(len(alive))
            table.compact(new_slot)
            model = {k: [int(new_slot[s]) for s in v if new_slot[s] != NO_SLOT] for k, v in model.items()}
            model = {k: v for k, v in model.items() if v}
            slot = len(alive)
    queried = np.arange(45, dtype=np.uint32)
    assert table.newest(queried).tolist() == [max(model[k]) if k in model else NO_SLOT for k in queried.tolist()]
    index, slots = table.find_all(queried)
    assert sorted(zip(queried[index].tolist(), slots.tolist())) == sorted((k, s) for k, v in model.items() for s in v)
    reloaded = SlotTable(np.uint32, run_limits=(8, 30))
    reloaded.load(*table.arrays())
    assert reloaded.newest(queried).tolist() == table.newest(queried).tolist()
