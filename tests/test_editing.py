"""Edits of the partials as pure state transitions."""

import time

import numpy as np
import pytest

from app.document import editing
from app.document.state import DocumentState


def _points(t0, t1, f=440.0, hop=0.01):
    t = np.arange(t0, t1 + hop / 2, hop)
    return np.stack([t, np.full_like(t, f), np.full_like(t, -6.0)], axis=1)


@pytest.fixture
def state():
    state = editing.added(DocumentState(), _points(0.0, 1.0), {"guide": [[0, 440], [1, 440]]})
    return editing.added(state, _points(0.5, 1.5, 880.0), {})


def test_added_partials_get_fresh_ids_names_colours_and_the_selection(state):
    assert [p.id for p in state.partials] == [1, 2]
    assert [p.name for p in state.partials] == ["Partial 1", "Partial 2"]
    assert state.partials[0].color != state.partials[1].color
    assert state.selection == (2,) and state.next_partial_id == 3
    assert not state.partials[0].points.flags.writeable


def test_erasing_the_middle_splits_a_partial_in_two(state):
    after = editing.erased(state, [(1, 0.295, 0.605)])
    first, second = after.partials[0], after.partials[1]  # in place of the original
    assert [p.id for p in after.partials] == [1, 3, 2]
    assert first.id == 1 and second.id == 3 and second.name == "Partial 1 (2)"
    assert first.points[:, 0].max() < 0.295 and second.points[:, 0].min() > 0.605
    assert len(first.points) + len(second.points) == len(state.partials[0].points) - 31
    assert after.undone().partials == state.partials


def test_erasing_an_end_trims_and_erasing_everything_deletes(state):
    trimmed = editing.erased(state, [(1, 0.9, 5.0)])
    assert [p.id for p in trimmed.partials] == [1, 2]
    assert trimmed.partials[0].points[:, 0].max() < 0.9
    gone = editing.erased(state, [(1, -1.0, 5.0)])
    assert [p.id for p in gone.partials] == [2]
    assert editing.erased(state, [(1, 3.0, 4.0)]) is state  # nothing under the eraser


def test_delete_rename_recolor_and_their_errors(state):
    assert [p.id for p in editing.deleted(state, (1, 2)).partials] == []
    assert editing.renamed(state, 2, "  fifth harmonic ").partial(2).name == "fifth harmonic"
    assert editing.recolored(state, 2, "#A0B1C2").partial(2).color == "#a0b1c2"
    with pytest.raises(editing.EditError, match="no partial 9"):
        editing.deleted(state, (1, 9))
    with pytest.raises(editing.EditError, match="empty"):
        editing.renamed(state, 1, "   ")
    with pytest.raises(editing.EditError, match="#rrggbb"):
        editing.recolored(state, 1, "red")


def test_resnap_replaces_points_in_place_and_is_undoable(state):
    new = _points(0.0, 1.0, 445.0)
    after = editing.resnapped(state, 1, new, {"guide": [], "tolerance_cents": 50})
    assert after.partials[0].id == 1 and after.partials[0].points[0, 1] == 445.0
    assert after.partials[0].source["tolerance_cents"] == 50
    assert after.undone().partials[0].points[0, 1] == 440.0


def test_resnap_of_a_split_partial_keeps_the_erased_stretch_erased(state):
    split = editing.erased(state, [(1, 0.295, 0.605)])
    first, second = split.partial(1).points, split.partial(3).points
    after = editing.resnapped(split, 1, _points(0.0, 1.0, 445.0), {"tolerance_cents": 50})
    np.testing.assert_array_equal(after.partial(1).points[:, 0], first[:, 0])
    assert (after.partial(1).points[:, 1] == 445.0).all()
    assert after.partial(3).points is second  # the split-off piece is left alone
    later = editing.resnapped(after, 3, _points(0.0, 1.0, 450.0), {"tolerance_cents": 50})
    np.testing.assert_array_equal(later.partial(3).points[:, 0], second[:, 0])


def test_resnap_with_nothing_over_the_partials_span_is_an_error(state):
    with pytest.raises(editing.EditError, match="Partial 2"):
        editing.resnapped(state, 2, _points(2.0, 3.0, 880.0), {})


def test_extending_appends_and_prepends_what_lies_beyond_the_ends_in_one_step(state):
    # The stroke began on partial 1's end (1.0 s) and ran on to 1.8 s, over 445 Hz.
    after = editing.extended(state, 1, _points(0.9, 1.8, 445.0), {"guide": [[0.9, 440]]})
    points = after.partial(1).points
    assert points[0, 0] == 0.0 and abs(points[-1, 0] - 1.8) < 1e-9
    assert np.all(np.diff(points[:, 0]) > 0)
    assert (points[points[:, 0] <= 1.0, 1] == 440.0).all()  # its own points untouched
    assert (points[points[:, 0] > 1.0 + 1e-6, 1] == 445.0).all()
    assert after.partial(1).source["method"] == "extend"
    assert after.partial(1).source["base"] == state.partial(1).source
    assert after.undo_stack[-1].label == "Extend" and after.selection == (1,)
    assert after.undone().partial(1).points is state.partial(1).points
    before = editing.extended(state, 2, _points(0.0, 0.6, 870.0), {})
    assert before.partial(2).points[0, 0] == 0.0 and before.partial(2).points[0, 1] == 870.0
    assert abs(before.partial(2).points[-1, 0] - 1.5) < 1e-9


def test_extending_with_nothing_beyond_the_ends_is_an_error(state):
    with pytest.raises(editing.EditError, match="nothing beyond Partial 1"):
        editing.extended(state, 1, _points(0.2, 0.8, 440.0), {})
    with pytest.raises(editing.EditError):
        editing.extended(state, 9, _points(2.0, 3.0), {})


def test_a_moved_stretch_replaces_the_points_over_its_time_in_one_step(state):
    after = editing.moved(state, 1, _points(0.3, 0.6, 450.0), {"tolerance_cents": 50})
    points = after.partial(1).points
    assert points[0, 0] == 0.0 and points[-1, 0] == 1.0 and np.all(np.diff(points[:, 0]) > 0)
    inside = (points[:, 0] >= 0.3 - 1e-9) & (points[:, 0] <= 0.6 + 1e-9)
    assert (points[inside, 1] == 450.0).all() and (points[~inside, 1] == 440.0).all()
    assert after.partial(1).source["method"] == "move"
    assert after.undo_stack[-1].label == "Move" and after.selection == (1,)
    assert after.undone().partial(1).points is state.partial(1).points
    with pytest.raises(editing.EditError, match="outside Partial 1"):
        editing.moved(state, 1, _points(2.0, 3.0), {})
    with pytest.raises(editing.EditError, match="two points"):
        editing.moved(state, 1, _points(0.5, 0.5), {})


def test_one_eraser_stroke_over_several_partials_is_one_undo_step(state):
    after = editing.erased(state, [(1, 0.2, 0.3), (1, 0.6, 0.7), (2, 1.0, 1.1)])
    assert [p.id for p in after.partials] == [1, 3, 4, 2, 5]
    assert [p.name for p in after.partials][:3] == ["Partial 1", "Partial 1 (2)", "Partial 1 (3)"]
    assert after.undo_stack[-1].label == "Erase" and len(after.undo_stack) == 3
    assert after.undone().partials == state.partials
    with pytest.raises(editing.EditError, match="no partial 8"):
        editing.erased(state, [(8, 0.0, 1.0)])
    with pytest.raises(editing.EditError, match="before it starts"):
        editing.erased(state, [(1, 0.2, 0.3), (1, 0.7, 0.6)])


def _erased_by_reference(points: np.ndarray, ranges) -> list[np.ndarray]:
    """The runs of at least two points that `ranges` [(start, end), ...] leave, one point
    at a time."""
    runs, run = [], []
    for point in points:
        if any(start <= point[0] <= end for start, end in ranges):
            runs.append(run)
            run = []
        else:
            run.append(point)
    runs.append(run)
    return [np.array(r) for r in runs if len(r) >= 2]


@pytest.mark.parametrize("seed", range(5))
def test_erasing_many_overlapping_ranges_matches_a_point_by_point_reference(seed):
    rng = np.random.default_rng(seed)
    points = _points(0.0, 2.0)
    state = editing.added(DocumentState(), points, {})
    starts = rng.uniform(-0.1, 2.0, 40)
    ranges = list(zip(starts, starts + rng.exponential(0.05, 40), strict=True))
    # ranges that touch points exactly, and one that holds no point
    ranges += [(points[10, 0], points[12, 0]), (points[50, 0] + 0.001, points[50, 0] + 0.002)]
    after = editing.erased(state, [(1, start, end) for start, end in ranges])
    expected = _erased_by_reference(points, ranges)
    assert len(after.partials) == len(expected)
    for partial, run in zip(after.partials, expected, strict=True):
        np.testing.assert_array_equal(partial.points, run)
    assert [p.id for p in after.partials] == [1, *list(range(2, len(expected) + 1))]


def test_erasing_5000_ranges_from_2_million_points_is_quick():
    n, k = 2_000_000, 5_000
    t = np.arange(n) * 0.001
    state = editing.added(DocumentState(), np.c_[t, np.full(n, 440.0), np.full(n, -6.0)], {})
    first = np.linspace(1_000, n - 1_000, k).astype(int)  # 100 points from each
    began = time.perf_counter()
    after = editing.erased(state, [(1, t[i], t[i + 99]) for i in first])
    elapsed = time.perf_counter() - began
    assert len(after.partials) == k + 1
    assert sum(len(p.points) for p in after.partials) == n - 100 * k
    assert elapsed < 5.0, f"{elapsed:.1f} s"
