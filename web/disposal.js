// A disposal scope: everything a part of the page sets up (listeners, observers, timers,
// gestures) hands back a dispose handle, and the part's owner keeps them all here, so that
// nothing outlives it. Disposing runs every handle once, the newest first (what was set up
// last may lean on what came before); a handle added after disposal runs at once.

export class DisposalScope {
  constructor() {
    this.handles = [];
    this.disposed = false;
  }

  /**
   * Keep `handle` until the scope is disposed.
   * @template {(() => void) | {dispose: () => void}} H
   * @param {H} handle a dispose function, or an object with dispose()
   * @returns {H} the handle, so a part can be made and kept in one expression
   */
  add(handle) {
    const run = typeof handle === 'function' ? handle : () => handle.dispose();
    if (this.disposed) run();
    else this.handles.push(run);
    return handle;
  }

  /** Run every handle kept, newest first, once; a handle that throws does not stop the
   * others (the first error is thrown when all have run). */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    let failure = null;
    for (const run of this.handles.splice(0).reverse()) {
      try {
        run();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }
}
