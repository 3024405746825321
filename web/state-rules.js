// The rules by which the page takes a document state: pure, so node tests them.

/** Whether `incoming` is older than the state `shown` (a late push): the page ignores it. */
export function isStale(shown, incoming) {
  return Boolean(shown) && incoming.revision < shown.revision;
}

/** Whether `state` shows another file (or none) than `previous`: the images, the transport
 * and the per-file settings start afresh. */
export function isNewFile(previous, state) {
  return !previous || !previous.overview || !state.overview ||
    previous.overview.key !== state.overview.key;
}

/** Whether the traces drawn for `previous` differ from those of `state`. */
export function tracesChanged(previous, state) {
  return previous.partialsVersion !== state.partialsVersion ||
    String(previous.selection) !== String(state.selection);
}

/** What the file allows a view to be: exactly what SomaDocument.set_view checks; null
 * without a file. */
export function viewLimits(state) {
  const overview = state && state.overview;
  return overview
    ? { duration: overview.view.end, nyquist: overview.view.fmax, minFreq: overview.view.fmin }
    : null;
}

/** The selection after a click on partial `id` (null: on none); `additive` (Shift, Ctrl)
 * toggles it in the selection instead of choosing it alone. */
export function nextSelection(current, id, additive) {
  if (id === null) return additive ? current : [];
  if (!additive) return [id];
  return current.includes(id) ? current.filter((i) => i !== id) : [...current, id];
}
