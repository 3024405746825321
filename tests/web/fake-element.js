// Just enough of the DOM for the gesture modules, in node: listener counting (so tests can
// check that dispose() removes everything), a bounding rect, pointer capture, dataset.

/** An EventTarget that counts its live listeners. */
export class Counted extends EventTarget {
  constructor() {
    super();
    this.listeners = 0;
  }
  addEventListener(type, listener, options) {
    this.listeners += 1;
    super.addEventListener(type, listener, options);
  }
  removeEventListener(type, listener, options) {
    this.listeners -= 1;
    super.removeEventListener(type, listener, options);
  }
}

/** An element at `rect` (CSS px) with pointer capture that throws when nothing is captured,
 * as the DOM does. */
export class FakeElement extends Counted {
  constructor(rect = { left: 100, top: 50, width: 600, height: 300 }) {
    super();
    this.rect = rect;
    this.dataset = {};
    this.captured = new Set();
    this.focused = 0;
  }
  getBoundingClientRect() {
    const { left, top, width, height } = this.rect;
    return { left, top, width, height, x: left, y: top, right: left + width, bottom: top + height };
  }
  setPointerCapture(id) { this.captured.add(id); }
  releasePointerCapture(id) {
    if (!this.captured.has(id)) throw new Error('NotFoundError');
    this.captured.delete(id);
  }
  focus() { this.focused += 1; }
}
