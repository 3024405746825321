"""The save dialog's name gets the extension of the type filter the user chose."""

import pytest

from app.shell.window import with_filter_extension


@pytest.mark.parametrize(
    "path, chosen_filter, expected",
    [
        ("/a/take", "Soma projects (*.soma.json)", "/a/take.soma.json"),
        ("/a/take.soma.json", "Soma projects (*.soma.json)", "/a/take.soma.json"),
        ("/a/take.SOMA.JSON", "Soma projects (*.soma.json)", "/a/take.SOMA.JSON"),
        ("/a/take", "Partials (*.csv *.json *.txt)", "/a/take.csv"),
        ("/a/take.txt", "Partials (*.csv *.json *.txt)", "/a/take.txt"),
        ("/a/take", "All files (*.*)", "/a/take"),
        ("/a/take", "", "/a/take"),
    ],
)
def test_a_saved_name_gets_the_extension_of_the_filter_chosen(path, chosen_filter, expected):
    assert with_filter_extension(path, chosen_filter) == expected
