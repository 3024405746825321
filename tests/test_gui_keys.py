"""End to end: the keyboard shortcuts work whatever was clicked last (Auto, the keys list's
Close, the message's ×, a partial's colour), and not while typing in a field."""

import json

from gui_session import (
    IMAGE_FOR_VIEW,
    OPEN_DIALOG,
    UNSAVED_DIALOG,
    element_centre,
    tone_project,
    wait_for_window,
    window_closed,
    xdotool,
)

SPAN = "(v => v.end - v.start)(JSON.parse(document.body.dataset.view))"
LEVELS = "window.soma.state().levels"
COLOUR_DIALOG = "Select Color"  # Qt's colour dialog, which an <input type=color> opens
PLOT_BOX = (
    "(r => [r.left, r.top, r.width, r.height])"
    "(document.querySelector('.plot').getBoundingClientRect())"
)


def _click(window, selector):
    x, y = element_centre(window, selector)
    xdotool("mousemove", x, y, "click", 1)


def _zooms_in(window, key="plus"):
    """Press `key` and wait for the view to narrow."""
    span = window.eval(SPAN)
    xdotool("key", key)
    window.wait_for(f"{SPAN} < {span} * 0.9", timeout=10)


def test_shortcuts_work_after_buttons_and_dialogs_but_not_in_fields(gui, tmp_path):
    project = tone_project(tmp_path)
    window = gui(project)
    window.wait_for("window.soma.state() && window.soma.state().partials.length === 1", timeout=60)
    window.wait_for(IMAGE_FOR_VIEW, timeout=60)
    overview = window.eval("window.soma.state().overview")

    # A letter typed in a field is typing, not Trace's T; Tab then leaves the field.
    _click(window, "#tolerance")
    xdotool("key", "t", "Tab")
    window.wait_for("document.activeElement !== document.getElementById('tolerance')")
    assert window.eval("document.body.dataset.mode") == "navigate"

    # Levels typed in, back with Auto, then the view keys.
    auto = overview["autoLevels"]["floor"]
    _click(window, "#level-floor")
    xdotool("key", "ctrl+a")
    xdotool("type", "--", f"{auto + 10:g}")
    xdotool("key", "Return")
    window.wait_for(f"{LEVELS}.floor === {auto + 10}", timeout=10)
    _click(window, "#levels-reset")
    window.wait_for(f"{LEVELS}.floor === {auto}", timeout=10)
    _zooms_in(window)

    # The keys list, closed with its button.
    xdotool("key", "question")
    window.wait_for("document.getElementById('help').open", timeout=10)
    _click(window, "#help form button")
    window.wait_for("!document.getElementById('help').open", timeout=10)
    _zooms_in(window)

    # A message, over the pictures: nothing moves, and it shows once (no toast of it).
    plot = window.eval(PLOT_BOX)
    window.eval("window.pywebview.api.open_path('/no/such/file.wav'), true")
    window.wait_for("!document.getElementById('error').hidden", timeout=10)
    window.wait_for(
        "[...document.getElementById('log-lines').children]"
        ".some(line => line.textContent.includes("
        "document.getElementById('error-text').textContent))",
        timeout=10,
    )
    assert window.eval(PLOT_BOX) == plot
    assert window.eval("document.getElementById('toasts').childElementCount") == 0
    window.screenshot("message-overlay.png")
    _click(window, "#error-dismiss")
    window.wait_for("document.getElementById('error').hidden", timeout=10)
    _zooms_in(window, "equal")
    window.screenshot("keys-after-message.png")

    # A partial's colour dialog, closed without a choice.
    _click(window, ".partial .swatch")
    dialog = wait_for_window(COLOUR_DIALOG)
    xdotool("key", "Escape")
    window_closed(dialog)
    _zooms_in(window)
    xdotool("key", "Home")
    window.wait_for(f"{SPAN} === {json.dumps(overview['view']['end'])}", timeout=10)

    # Saving and opening from the keyboard, with the colour swatch still focused.
    window.eval("window.pywebview.api.rename_partial(1, 'Renamed'), true")
    window.wait_for("window.soma.state().modified", timeout=10)
    xdotool("key", "ctrl+s")
    window.wait_for("!window.soma.state().modified", timeout=20)
    assert json.loads(project.read_text())["partials"][0]["name"] == "Renamed"
    xdotool("key", "ctrl+o")
    dialog = wait_for_window(OPEN_DIALOG)
    window.screenshot("keys-open-dialog.png")
    xdotool("key", "Escape")
    window_closed(dialog)

    # The title names the project and marks unsaved changes. Ctrl+Q asks Save, Don't save
    # or Cancel: Cancel (Escape) keeps the window; Save (Return) saves, then quits.
    xdotool("search", "--sync", "--name", "^tone.soma.json \u2014 Soma$")
    window.eval("window.pywebview.api.rename_partial(1, 'Kept'), true")
    xdotool("search", "--sync", "--name", "^\u2022 tone.soma.json \u2014 Soma$")
    xdotool("key", "ctrl+q")
    dialog = wait_for_window(UNSAVED_DIALOG)
    window.screenshot("unsaved-prompt.png")
    xdotool("key", "Escape")
    window_closed(dialog)
    assert window.eval("window.soma.state().modified")
    xdotool("key", "ctrl+q")
    wait_for_window(UNSAVED_DIALOG)
    xdotool("key", "Return")
    assert window.process.wait(30) == 0
    assert json.loads(project.read_text())["partials"][0]["name"] == "Kept"
