// At most one call per animation frame, the first one at once.
//
// A wheel or drag sends many events a frame; each asks for the viewport's image. Waiting for
// the next frame before every request coalesces them but adds up to a frame (16 ms) to the
// first, which is the one the user waits on after a single wheel notch. So the first call runs
// at once, and calls in the same frame run once, at the next frame, with what is newest then.

/**
 * @param {() => void} run reads whatever is newest when it runs
 * @param {{request?: (cb: () => void) => number, cancel?: (id: number) => void}} [frames]
 *   the frame clock: requestAnimationFrame and cancelAnimationFrame unless given
 * @returns {(() => void) & {dispose: () => void}} call it as often as you like; `dispose()`
 *   cancels a deferred call
 */
export function frameThrottle(run, frames = {}) {
  const request = frames.request ?? ((cb) => requestAnimationFrame(cb));
  const cancel = frames.cancel ?? ((id) => cancelAnimationFrame(id));
  let frame = 0; // set while the current frame has already run
  let deferred = false; // a call came during that frame
  const tick = () => {
    frame = 0;
    if (!deferred) return;
    deferred = false;
    run();
    frame = request(tick);
  };
  const call = () => {
    if (frame) {
      deferred = true;
      return;
    }
    run();
    frame = request(tick);
  };
  call.dispose = () => {
    if (frame) cancel(frame);
    frame = 0;
    deferred = false;
  };
  return call;
}
