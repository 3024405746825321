"""Join, split and prune: pure edits of the partials, each one undoable step."""

import numpy as np
import pytest

from app.document import cleanup, editing
from app.document.state import DocumentState


def _points(t0, t1, f=440.0, db=-6.0, hop=0.01):
    t = np.arange(round((t1 - t0) / hop) + 1) * hop + t0
    return np.stack([t, np.full_like(t, f), np.full_like(t, db)], axis=1)


def _state(*tracks):
    return editing.added_all(DocumentState(), tracks, [{"n": k} for k in range(len(tracks))], "Add")


def test_added_all_is_one_step_with_names_sources_and_the_selection():
    state = _state(_points(0, 1), _points(0, 1, 880))
    named = editing.added_all(state, [_points(0, 1, 660)], [{}], "Harmonics", names=["H3"])
    assert [p.name for p in named.partials] == ["Partial 1", "Partial 2", "H3"]
    assert named.selection == (3,) and named.next_partial_id == 4
    assert named.undone().partials == state.partials and named.undo_stack[-1].label == "Harmonics"
    with pytest.raises(editing.EditError, match="no partials"):
        editing.added_all(state, [], [], "Track")


def test_join_puts_two_partials_one_after_the_other_into_the_earlier():
    state = _state(_points(1.0, 1.5, 450), _points(0.0, 0.5), _points(0, 2, 99))
    after = cleanup.joined(state, (1, 2))
    first = after.partial(2)
    assert after.partial(1) is None and [p.id for p in after.partials] == [2, 3]
    assert len(first.points) == 102 and np.all(np.diff(first.points[:, 0]) > 0)
    assert first.points[-1, 1] == 450 and first.name == "Partial 2"
    assert first.source == {"method": "join", "parts": [{"n": 1}, {"n": 0}]}
    assert after.selection == (2,)
    assert after.undone().partials == state.partials


def test_join_refuses_overlapping_or_single_partials():
    state = _state(_points(0.0, 1.0), _points(0.9, 2.0, 880))
    with pytest.raises(editing.EditError, match=r"overlap in time \(0\.900 to 1\.000 s\)"):
        cleanup.joined(state, (1, 2))
    with pytest.raises(editing.EditError, match="two partials or more"):
        cleanup.joined(state, (1, 1))
    with pytest.raises(editing.EditError, match="no partial 9"):
        cleanup.joined(state, (1, 9))


def test_split_cuts_a_partial_at_a_time_into_two():
    state = _state(_points(0.0, 1.0), _points(0, 1, 880))
    after = cleanup.split(state, 1, 0.255)
    head, tail = after.partials[0], after.partials[1]
    assert [p.id for p in after.partials] == [1, 3, 2]
    assert head.points[-1, 0] == pytest.approx(0.25) and tail.points[0, 0] == pytest.approx(0.26)
    assert len(head.points) + len(tail.points) == 101
    assert tail.name == "Partial 1 (2)" and tail.source == head.source
    assert after.selection == (1, 3) and after.undone().partials == state.partials


@pytest.mark.parametrize("time", [-1.0, 0.0, 0.01, 0.995, 1.0, 5.0])
def test_split_refuses_a_cut_that_leaves_a_piece_of_one_point_or_none(time):
    state = _state(_points(0.0, 1.0))
    with pytest.raises(editing.EditError, match="fewer than two points"):
        cleanup.split(state, 1, time)


def test_prune_deletes_short_or_weak_partials_in_the_selection_or_everywhere():
    weak = _points(0, 1, 660, db=-70)
    with_gap = _points(0, 1, 770, db=-20)
    with_gap[10:, 1:] = np.nan  # its loudest point counts, not its gaps
    state = _state(_points(0, 1), _points(0, 0.03, 880), weak, with_gap)
    everywhere = cleanup.pruned(state, None, 0.05, -60)
    assert [p.id for p in everywhere.partials] == [1, 4]
    assert everywhere.undo_stack[-1].label == "Delete short or weak"
    among = cleanup.pruned(state, (1, 2), 0.05, -60)
    assert [p.id for p in among.partials] == [1, 3, 4]
    assert cleanup.pruned(state, None, 0.01, -80) is state  # none: no undo step
    assert everywhere.undone().partials == state.partials
