// The log panel (Python's log, filtered by level) and the toasts for warnings and errors.

const LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };
const TOAST_MS = 6000;
const TOASTS_SHOWN = 3; // the newest; a burst of warnings must not pile up over the window
const KEEP = 500; // lines kept in the panel

export class LogPanel {
  /**
   * @param {HTMLElement} list where lines go
   * @param {HTMLSelectElement} levelSelect the minimum level shown (option values: level names)
   * @param {HTMLElement} toasts where warning and error toasts appear
   * @param {(message: string) => boolean} [shownElsewhere] a message the page shows already
   *   (the error banner's) gets no toast: a message appears once
   */
  constructor(list, levelSelect, toasts, shownElsewhere = () => false) {
    this.list = list;
    this.levelSelect = levelSelect;
    this.toasts = toasts;
    this.shownElsewhere = shownElsewhere;
    this.lastSerial = 0;
    this.onLevel = () => this.filter();
    levelSelect.addEventListener('change', this.onLevel);
  }

  /** Add the records not seen yet: [{serial, level, name, message, time, traceback}] from
   * Python; a traceback (or null) is shown under its line, the toast keeps to the line. */
  add(records) {
    const fresh = records.filter((r) => r.serial > this.lastSerial);
    if (!fresh.length) return;
    this.lastSerial = fresh[fresh.length - 1].serial;
    for (const record of fresh) {
      const line = document.createElement('div');
      line.className = `log-line ${record.level.toLowerCase()}`;
      line.dataset.level = String(LEVELS[record.level] ?? 20);
      const time = new Date(record.time * 1000).toLocaleTimeString('en-GB');
      line.textContent = `${time} ${record.level} ${record.message}`;
      if (record.traceback) {
        const trace = document.createElement('pre');
        trace.className = 'log-traceback';
        trace.textContent = record.traceback;
        line.append(trace);
      }
      this.list.append(line);
      if ((LEVELS[record.level] ?? 0) >= LEVELS.WARNING) this.toast(record);
    }
    while (this.list.childElementCount > KEEP) this.list.firstElementChild.remove();
    this.filter();
    this.showNewest();
  }

  /** Scroll to the newest line. A hidden panel has no layout to scroll: showing it must
   * call this again, or it opens on the oldest line. */
  showNewest() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  filter() {
    const minimum = LEVELS[this.levelSelect.value] ?? 20;
    for (const line of this.list.children) line.hidden = Number(line.dataset.level) < minimum;
  }

  toast(record) {
    if (this.shownElsewhere(record.message)) return;
    const toast = document.createElement('div');
    toast.className = `toast ${record.level.toLowerCase()}`;
    toast.textContent = record.message;
    toast.addEventListener('click', () => toast.remove());
    this.toasts.append(toast);
    while (this.toasts.childElementCount > TOASTS_SHOWN) this.toasts.firstElementChild.remove();
    setTimeout(() => toast.remove(), TOAST_MS);
  }

  dispose() {
    this.levelSelect.removeEventListener('change', this.onLevel);
  }
}
