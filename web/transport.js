// Play, stop, loop, the playback cursor and the playhead: the page's transport controls
// over a Player (player.js). Play plays the marked region when there is one (only its band,
// when asked), else from the cursor on. The playhead is drawn from the audio clock each frame, and the
// view turns the page when the playhead leaves it, as a score follower does.

import { Player } from './player.js';
import { audiblePartials } from './play-schedule.js';
import { xToTime } from './axes.js';
import { listenForClicks } from './plot-clicks.js';

function placeLine(line, t, start, end) {
  const fraction = (t - start) / (end - start);
  line.hidden = !(fraction >= 0 && fraction <= 1);
  line.style.left = `${fraction * 100}%`;
}

export class Transport {
  /**
   * @param {object} options
   * @param {object} options.elements {play, mode (select), loop (checkbox), playhead,
   *   overviewPlayhead, cursor (line elements), plot (where a click sets the cursor)}
   * @param {() => object|null} options.getView the view shown (s, Hz)
   * @param {() => object|null} options.getFile the open file's info ({duration, sampleRate})
   * @param {() => boolean} options.clicksSetCursor whether a click on the plot is for us
   *   (not while tracing or erasing)
   * @param {() => {solo: Array, mute: Array}} options.getMix partial ids soloed and muted
   * @param {() => Array<number>} options.getPartialIds the document's partial ids
   * @param {() => ({region: object, band: boolean}|null)} [options.getRegion] the region
   *   marked with the Select tool (s, Hz) and whether only its band is heard
   * @param {(url: string) => Promise<Uint8Array>} options.fetchBytes
   * @param {(view: object) => void} options.onView to turn the page
   * @param {(message: string) => void} options.onError
   */
  constructor({ elements, getView, getFile, clicksSetCursor, getMix, getPartialIds, fetchBytes,
    onView, onError, getRegion = () => null }) {
    Object.assign(this, { elements, getView, getFile, getMix, getPartialIds, fetchBytes, onView,
      onError, getRegion });
    this.cursor = null; // the time (s) playback starts from, or null: the view's start
    this.band = null; // [fmin, fmax] Hz heard while a region plays band-limited, else null
    this.frame = 0;
    this.player = new Player({
      fetchChunk: (start, seconds) => this.fetchChunk(start, seconds),
      sampleRate: () => this.getFile().sampleRate,
      onEnd: () => this.showPlaying(false),
      onError: (error) => { this.showPlaying(false); onError(`Playback stopped: ${error.message}`); },
    });
    this.onPlay = () => this.toggle();
    elements.play.addEventListener('click', this.onPlay);
    // A click on the plot (a press and release without a drag) puts the cursor there.
    this.stopClicks = listenForClicks(elements.plot, (event) => {
      const view = this.getView();
      if (!view || !clicksSetCursor()) return;
      const rect = elements.plot.getBoundingClientRect();
      this.cursor = xToTime(event.clientX - rect.left, view.start, view.end, rect.width);
      this.drawCursor();
    });
  }

  async fetchChunk(start, seconds) {
    const { solo, mute } = this.getMix();
    const query = new URLSearchParams({ start, seconds, mode: this.elements.mode.value,
      solo: solo.join(','), mute: mute.join(','),
      ...(this.band ? { fmin: this.band[0], fmax: this.band[1] } : {}) });
    const bytes = await this.fetchBytes(`/audio?${query}`);
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  /** Play the marked region (looped with Loop), else from the cursor (or the view's start)
   * to the end of the file, or loop the view. */
  toggle() {
    if (this.player.playing) {
      this.player.stop();
      this.showPlaying(false);
      return;
    }
    const view = this.getView();
    const file = this.getFile();
    if (!view || !file) return;
    if (this.elements.mode.value === 'partials' &&
        audiblePartials(this.getPartialIds(), this.getMix()).length === 0) {
      this.onError('There are no partials to play (all muted, or none traced yet): trace ' +
        'one, or play the Original.');
      return;
    }
    const loop = this.elements.loop.checked;
    const marked = this.getRegion();
    const cursorInView = this.cursor !== null && this.cursor >= view.start && this.cursor < view.end;
    let startAt = cursorInView ? this.cursor : view.start;
    let [from, to] = loop ? [view.start, view.end] : [startAt, file.duration];
    if (marked) [from, to, startAt] = [marked.region.start, marked.region.end, marked.region.start];
    this.band = marked && marked.band ? [marked.region.fmin, marked.region.fmax] : null;
    if (!(to > startAt)) return;
    this.player.play({ from, to, loop, startAt })
      .catch((error) => this.onError(`Cannot play: ${error.message}`));
    this.showPlaying(true);
    this.frame = requestAnimationFrame(() => this.follow());
  }

  showPlaying(playing) {
    const { play, playhead, overviewPlayhead } = this.elements;
    play.setAttribute('aria-pressed', String(playing));
    play.textContent = playing ? '■ Stop' : '▶ Play';
    if (!playing) {
      playhead.hidden = overviewPlayhead.hidden = true;
      delete document.body.dataset.playhead;
    }
  }

  /** Each frame while playing: the playhead where the audio clock is, kept in view. */
  follow() {
    if (!this.player.playing) return;
    const t = this.player.position();
    const view = this.getView();
    const file = this.getFile();
    if (t !== null && view && file) {
      if (!this.elements.loop.checked && (t > view.end || t < view.start)) {
        const span = view.end - view.start;
        const start = Math.min(Math.max(0, t), file.duration - span);
        this.onView({ ...view, start, end: start + span });
      }
      const shown = this.getView();
      placeLine(this.elements.playhead, t, shown.start, shown.end);
      placeLine(this.elements.overviewPlayhead, t, 0, file.duration);
      document.body.dataset.playhead = t.toFixed(3);
    }
    this.frame = requestAnimationFrame(() => this.follow());
  }

  drawCursor() {
    const view = this.getView();
    if (this.cursor === null || !view) {
      this.elements.cursor.hidden = true;
      return;
    }
    placeLine(this.elements.cursor, this.cursor, view.start, view.end);
  }

  /** A new file: stop, and forget the cursor. */
  reset() {
    if (this.player.playing) {
      this.player.stop();
      this.showPlaying(false);
    }
    this.cursor = null;
    this.drawCursor();
  }

  dispose() {
    cancelAnimationFrame(this.frame);
    this.player.dispose();
    this.elements.play.removeEventListener('click', this.onPlay);
    this.stopClicks();
  }
}
