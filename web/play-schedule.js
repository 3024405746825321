// Where playback is in the file: which chunk to fetch next, and what the audio clock means.
// Pure: the Player feeds it the AudioContext's clock; tests feed it numbers.

/**
 * A playback plan over [from, to) seconds of the file, starting at `startAt` (in that range;
 * default `from`), optionally looping back to `from`, laid out in chunks of `chunk` seconds on
 * the audio clock from `clockStart` (seconds of the AudioContext's clock at which the first
 * sample plays).
 */
export class PlaySchedule {
  constructor({ from, to, loop = false, chunk = 0.5, clockStart = 0, startAt = from }) {
    if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) {
      throw new Error(`cannot play from ${from} to ${to}`);
    }
    if (!(startAt >= from && startAt < to)) throw new Error(`cannot start at ${startAt}`);
    this.from = from;
    this.to = to;
    this.loop = loop;
    this.chunk = chunk;
    this.segments = []; // {clock, file, seconds}: each chunk scheduled so far
    this.nextClock = clockStart;
    this.nextFile = startAt;
  }

  /** True when everything up to `to` is scheduled and there is no loop. */
  get finished() {
    return !this.loop && this.nextFile >= this.to - 1e-9;
  }

  /** The next chunk to fetch and schedule: {clock, file, seconds}, or null when finished. */
  next() {
    if (this.finished) return null;
    if (this.nextFile >= this.to - 1e-9) this.nextFile = this.from; // loop around
    const seconds = Math.min(this.chunk, this.to - this.nextFile);
    const segment = { clock: this.nextClock, file: this.nextFile, seconds };
    this.segments.push(segment);
    this.nextClock += seconds;
    this.nextFile += seconds;
    // Keep only what the playhead may still be in: a long loop must not grow this forever.
    if (this.segments.length > 64) this.segments.splice(0, this.segments.length - 64);
    return segment;
  }

  /** Seconds of audio scheduled beyond `clock`. */
  ahead(clock) {
    return this.nextClock - clock;
  }

  /** The file time playing at audio-clock time `clock`, or null before the start or after
   * the end. */
  positionAt(clock) {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (clock >= s.clock) return clock < s.clock + s.seconds ? s.file + (clock - s.clock) : null;
    }
    return null;
  }
}

/**
 * The partials one hears when playing them: the soloed ones if any are, else all but the
 * muted ones (the rule app/playback.py applies to the same lists).
 * @param {Array<number>} ids the document's partial ids
 * @param {{solo: Array<number>, mute: Array<number>}} mix
 * @returns {Array<number>}
 */
export function audiblePartials(ids, { solo, mute }) {
  return ids.filter((id) => !mute.includes(id) && (solo.length === 0 || solo.includes(id)));
}
