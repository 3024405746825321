// One call in flight at a time, the newest arguments next: the cursor asks for a slice on
// every mouse move, and the bridge runs each call on a thread of its own, so a fast hand
// would otherwise queue dozens of answers nobody will read.

/**
 * @param {(...args) => Promise<any>} send
 * @param {(reply: any) => void} receive gets each reply, in order
 * @returns {((...args) => void) & {dispose: () => void}} later replies are dropped after
 *   dispose
 */
export function singleFlight(send, receive) {
  let busy = false;
  let pending = null; // the newest arguments asked for while busy
  let disposed = false;
  async function run(args) {
    busy = true;
    try {
      const reply = await send(...args);
      if (!disposed) receive(reply);
    } finally {
      busy = false;
      if (pending && !disposed) {
        const next = pending;
        pending = null;
        run(next);
      }
    }
  }
  const request = (...args) => {
    if (busy) pending = args;
    else run(args);
  };
  request.dispose = () => {
    disposed = true;
    pending = null;
  };
  return request;
}
