"""End to end: opening a long file shows its work in the progress panel, which then clears."""

import numpy as np
import soundfile as sf

WATCH = """(() => {
  window.__seenTasks = new Set();
  const panel = document.getElementById('progress');
  new MutationObserver(() => {
    for (const row of panel.querySelectorAll('.task-label')) {
      window.__seenTasks.add(row.textContent);
    }
  }).observe(panel, { childList: true, subtree: true });
  return true;
})()"""


# The viewport's time-axis labels the progress panel covers.
COVERED_TICKS = """(() => {
  const panel = document.getElementById('progress').getBoundingClientRect();
  return [...document.querySelectorAll('#time-axis .tick')].filter((tick) => {
    const r = tick.getBoundingClientRect();
    return r.width > 0 && r.left < panel.right && r.right > panel.left && r.top < panel.bottom
      && r.bottom > panel.top;
  }).map((tick) => tick.textContent);
})()"""


def test_a_thirty_minute_file_shows_its_progress_then_clears(gui, tmp_path):
    sr = 44100
    path = tmp_path / "thirty-minutes.wav"
    t = np.arange(60 * sr) / sr
    # 220 Hz fills a minute with whole periods: the same minute, written 30 times, is seamless.
    noise = 0.01 * np.random.default_rng(0).standard_normal(t.size)
    minute = 0.3 * np.sin(2 * np.pi * 220 * t) + noise
    with sf.SoundFile(path, "w", sr, 1, subtype="PCM_16") as out:
        for _ in range(30):
            out.write(minute)
    window = gui()  # the demo first; then the long file, opened from the page
    window.wait_for("document.body.dataset.viewportKey", timeout=60)
    window.eval(WATCH)
    window.eval(f"window.pywebview.api.open_path({str(path)!r}), true")
    window.wait_for("!document.getElementById('progress').hidden", timeout=30)
    window.screenshot("progress-open.png")
    assert window.eval(COVERED_TICKS) == []  # the panel leaves the axis labels readable
    window.wait_for(
        "window.soma.state().file && "
        "window.soma.state().file.name === 'thirty-minutes.wav' && "
        "document.body.dataset.overviewKey === window.soma.state().overview.key",
        timeout=60,
    )
    seen = window.eval("[...window.__seenTasks]")
    assert any(label.startswith("Opening thirty-minutes.wav") for label in seen), seen
    assert any(label.startswith("Decoding") for label in seen), seen
    assert any(label.startswith("Overview of 1800.0 s") for label in seen), seen
    # Finished tasks stay a moment ("done"), then the panel clears.
    window.wait_for("document.getElementById('progress').hidden", timeout=60)
    assert window.eval("window.soma.state().error") == ""
