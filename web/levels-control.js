// The colour-levels fields in the status bar: they show the document's levels (the dBFS range
// the colours span) and send the user's through `onSet`; Auto sends the levels fitted to the
// file's picture (from its noise floor to its peak: workers/imaging.py auto_levels), those it
// opened with.

import { listenAll } from './listen.js';

/** Whether two {floor, ceiling} (or null) are the same levels. */
export function sameLevels(a, b) {
  return a === b || (!!a && !!b && a.floor === b.floor && a.ceiling === b.ceiling);
}

/** The Auto levels of `state`: those fitted to the file's overview (else its whole range). */
export function autoLevels(state) {
  const image = state && state.overview;
  return image ? image.autoLevels || { floor: image.dbMin, ceiling: image.dbMax } : null;
}

export class LevelsControl {
  /**
   * @param {{floor: HTMLInputElement, ceiling: HTMLInputElement, reset: HTMLButtonElement}} elements
   * @param {{onSet: (floor: number, ceiling: number) => Promise<{ok: boolean}>}} callbacks
   */
  constructor(elements, { onSet }) {
    this.elements = elements;
    this.onSet = onSet;
    this.state = null; // the document state last rendered
    const changed = () => this.set(Number(elements.floor.value), Number(elements.ceiling.value));
    const reset = () => {
      const auto = autoLevels(this.state);
      if (auto) this.set(auto.floor, auto.ceiling);
    };
    this.unlisten = [listenAll(elements.floor, [['change', changed]]),
      listenAll(elements.ceiling, [['change', changed]]),
      listenAll(elements.reset, [['click', reset]])];
  }

  /** Show `state`'s levels, within what its images hold; a field being typed in is left
   * alone unless `force`. */
  render(state, force = false) {
    this.state = state;
    const { levels, overview } = state;
    for (const key of ['floor', 'ceiling']) {
      const input = this.elements[key];
      input.disabled = !levels;
      if (!levels) {
        input.value = '';
        continue;
      }
      input.min = String(overview.dbMin);
      input.max = String(overview.dbMax);
      if (force || input.ownerDocument.activeElement !== input) {
        input.value = String(Math.round(levels[key] * 10) / 10);
      }
    }
    this.elements.reset.disabled = !levels || sameLevels(levels, autoLevels(state));
  }

  async set(floor, ceiling) {
    // A field left after a refused value fires 'change' again on blur, with the levels in
    // force: sending them again could overtake a newer request (Auto) and undo it.
    if (!this.state || sameLevels(this.state.levels, { floor, ceiling })) return;
    const reply = await this.onSet(floor, ceiling);
    if (!reply.ok && this.state) this.render(this.state, true); // back to the levels in force
  }

  dispose() {
    for (const unlisten of this.unlisten) unlisten();
  }
}
