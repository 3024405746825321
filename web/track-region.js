// The Track tool's arithmetic, pure so node tests it: the settings form's fields to the
// settings the bridge takes, and where a split cuts. (Its rectangle is a region: region.js.)

/** The defaults of the settings form, as workers/track.py's TrackSettings has them. */
export const TRACK_DEFAULTS = { thresholdDb: 18, minDurationMs: 50, maxPartials: null };

/**
 * The settings the bridge's `track` takes from the form's text fields; a field left empty
 * takes its default (max partials: no limit). The numbers are sent as typed: Python checks
 * their range and says what is wrong.
 * @param {{thresholdDb: string, minDurationMs: string, maxPartials: string}} fields
 * @returns {{thresholdDb: number, minDurationMs: number, maxPartials: number|null}}
 */
export function trackSettingsFrom(fields) {
  const read = (text, fallback) => (String(text ?? '').trim() === '' ? fallback : Number(text));
  return {
    thresholdDb: read(fields.thresholdDb, TRACK_DEFAULTS.thresholdDb),
    minDurationMs: read(fields.minDurationMs, TRACK_DEFAULTS.minDurationMs),
    maxPartials: read(fields.maxPartials, TRACK_DEFAULTS.maxPartials),
  };
}

/**
 * The time a split cuts at: under the mouse when it is over the plot (the X key), else the
 * playback cursor (the menu, whose use takes the mouse off the plot); null when neither.
 * @param {number|null} pointerTime s
 * @param {number|null} cursorTime s
 */
export function splitTime(pointerTime, cursorTime) {
  if (Number.isFinite(pointerTime)) return pointerTime;
  return Number.isFinite(cursorTime) ? cursorTime : null;
}
