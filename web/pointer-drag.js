// One pointer drag at a time on an element, for the gesture modules: the pointer is captured,
// so the drag lives on when the hand leaves the element, and the element carries a data
// attribute meanwhile (data-dragging, or the one named), for the cursor in CSS.

export class PointerDrag {
  /**
   * @param {HTMLElement} element
   * @param {string} [marker] the dataset key set during a drag
   */
  constructor(element, marker = 'dragging') {
    this.element = element;
    this.marker = marker;
    /** The drag in progress: {pointerId, ...the gesture's own fields}, or null. */
    this.current = null;
  }

  /** Whether a press may start a drag: the primary button of the primary pointer, none running. */
  canStart(event) {
    return event.button === 0 && event.isPrimary !== false && !this.current;
  }

  /** Start a drag by `event`'s pointer, holding the gesture's `fields`; the marker's value
   * is `mark`. */
  start(event, fields, mark = '') {
    this.current = { pointerId: event.pointerId, ...fields };
    this.element.setPointerCapture(event.pointerId);
    if (this.element.dataset) this.element.dataset[this.marker] = mark;
    return this.current;
  }

  /** The drag `event` belongs to, or null. */
  of(event) {
    return this.current && event.pointerId === this.current.pointerId ? this.current : null;
  }

  /** End the drag: any (no event), or only the one `event` belongs to. Returns the drag
   * ended, or null. */
  end(event) {
    if (!this.current || (event && !this.of(event))) return null;
    const ended = this.current;
    this.current = null;
    if (this.element.dataset) delete this.element.dataset[this.marker];
    // Throws if the capture is already gone (e.g. on lostpointercapture); nothing to undo then.
    try { this.element.releasePointerCapture(ended.pointerId); } catch { /* already released */ }
    return ended;
  }
}
