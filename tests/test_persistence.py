"""Levels saved in a project come back only when they still fit the file's images."""
import pytest

from app.persistence import levels_problem, restored_levels
from app.project import Project
from app.state import Image, Levels, View

IMAGE = Image(key="overview-1", width=10, height=10, db_min=-100.0, db_max=0.0,
              view=View(0.0, 1.0, 20.0, 4000.0), method="stft", window_size=1024, seconds=0.1)


def test_levels_within_the_images_range_come_back():
    project = Project(settings={"levels": {"floor": -70, "ceiling": -10.5}})
    assert restored_levels(project, IMAGE) == Levels(-70.0, -10.5)


@pytest.mark.parametrize("settings", [
    {},                                                    # an older project: no levels
    {"levels": None},
    {"levels": [-70, -10]},
    {"levels": {"floor": "-70", "ceiling": -10}},
    {"levels": {"floor": True, "ceiling": -10}},
    {"levels": {"floor": -70}},
    {"levels": {"floor": -120, "ceiling": -10}},           # the file changed: out of its range
    {"levels": {"floor": -70, "ceiling": 5}},
    {"levels": {"floor": -10, "ceiling": -70}},
    {"levels": {"floor": -12, "ceiling": -10}},            # narrower than 6 dB
    {"levels": {"floor": float("nan"), "ceiling": -10}},
])
def test_levels_that_do_not_fit_are_dropped_for_the_files_own(settings):
    assert restored_levels(Project(settings=settings), IMAGE) is None


def test_levels_problem_names_what_is_wrong():
    assert levels_problem(-70, -10, IMAGE) == ""
    assert "within -100 to 0 dB" in levels_problem(-110, -10, IMAGE)
    assert "at least 6 dB above" in levels_problem(-10, -12, IMAGE)
