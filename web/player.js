// Playback through Web Audio: chunks fetched from Python just ahead of the audio clock, so an
// hour-long file starts at once and the playhead follows what is heard, not a timer.

import { PlaySchedule } from './play-schedule.js';

const CHUNK_SECONDS = 0.5;
const LOOKAHEAD_SECONDS = 1.5; // scheduled ahead of the clock: covers a slow fetch
const TICK_MS = 100;
const START_DELAY = 0.05; // s between pressing play and the first sample: time to fetch it

export class Player {
  /**
   * @param {object} options
   * @param {(start: number, seconds: number) => Promise<Float32Array>} options.fetchChunk
   *   mono samples at `sampleRate()` for [start, start + seconds) of the file.
   * @param {() => number} options.sampleRate the file's, Hz.
   * @param {() => void} options.onEnd called when playback stops by itself.
   * @param {(error: Error) => void} options.onError called when a chunk cannot be had;
   *   playback stops then (a gap would be worse than silence with a reason).
   */
  constructor({ fetchChunk, sampleRate, onEnd, onError }) {
    this.fetchChunk = fetchChunk;
    this.sampleRate = sampleRate;
    this.onEnd = onEnd;
    this.onError = onError;
    this.context = null; // created on the first play: browsers allow audio after a gesture only
    this.schedule = null;
    this.sources = new Set();
    this.timer = 0;
    this.generation = 0; // a stop() makes chunks still being fetched for the old run stale
  }

  get playing() {
    return this.schedule !== null;
  }

  /** The file time being heard now (s), or null when stopped. */
  position() {
    return this.schedule ? this.schedule.positionAt(this.context.currentTime) : null;
  }

  /** Play [from, to) of the file (seconds) starting at `startAt`, looping if asked;
   * replaces what was playing. */
  async play({ from, to, loop = false, startAt = from }) {
    this.stop();
    if (!this.context) this.context = new AudioContext();
    const generation = this.generation;
    await this.context.resume();
    if (generation !== this.generation) return; // stopped while the context woke up
    this.schedule = new PlaySchedule({ from, to, loop, startAt, chunk: CHUNK_SECONDS,
      clockStart: this.context.currentTime + START_DELAY });
    const tick = () => this.fill(generation);
    this.timer = setInterval(tick, TICK_MS);
    tick();
  }

  stop() {
    this.generation += 1;
    clearInterval(this.timer);
    this.timer = 0;
    for (const source of this.sources) {
      source.onended = null;
      source.stop();
    }
    this.sources.clear();
    this.schedule = null;
  }

  async fill(generation) {
    const schedule = this.schedule;
    if (!schedule || generation !== this.generation) return;
    const now = this.context.currentTime;
    if (schedule.finished && schedule.positionAt(now) === null && now > schedule.nextClock) {
      this.stop();
      this.onEnd?.();
      return;
    }
    while (schedule.ahead(now) < LOOKAHEAD_SECONDS) {
      const segment = schedule.next();
      if (!segment) return;
      let samples;
      try {
        samples = await this.fetchChunk(segment.file, segment.seconds);
      } catch (error) {
        if (generation !== this.generation) return;
        this.stop();
        this.onError?.(error);
        return;
      }
      if (generation !== this.generation) return;
      if (!samples.length) continue;
      const buffer = this.context.createBuffer(1, samples.length, this.sampleRate());
      buffer.copyToChannel(samples, 0);
      const source = this.context.createBufferSource();
      source.buffer = buffer;
      source.connect(this.context.destination);
      source.onended = () => this.sources.delete(source);
      // A chunk that arrives late starts at once rather than in the past (a skip, not a stall).
      source.start(Math.max(segment.clock, this.context.currentTime));
      this.sources.add(source);
    }
  }

  dispose() {
    this.stop();
    if (this.context) this.context.close();
    this.context = null;
  }
}
