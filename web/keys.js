// Which key presses are the page's shortcuts: all of them, wherever the focus is (a button
// just clicked, a dialog just closed, a colour swatch), except while the user types in a
// field, where letters, digits, arrows and + are text.

/** Inputs whose keys are not text: pressing a letter there is still a shortcut. */
const NOT_TYPED = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range',
  'reset', 'submit']);

/**
 * Whether keys pressed with `target` focused are typing: a text-like input, a textarea, a
 * select (its arrows and letters choose an option) or editable content.
 * @param {EventTarget|null} target a keydown event's target
 */
export function isTyping(target) {
  if (!target || typeof target.tagName !== 'string') return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !NOT_TYPED.has(String(target.type || 'text').toLowerCase());
}

/**
 * The command a key press asks for, or null: 'open', 'save', 'save-as', 'undo', 'redo',
 * 'navigate', 'trace', 'erase', 'track', 'select' (the tools), 'find-harmonics', 'join',
 * 'split', 'play', 'help', 'delete', 'slice', 'waveform', 'harmonics' (the measurement panes,
 * shown or hidden), 'clear-region' (Esc), 'quit'. The navigation keys
 * (viewForKey) are the caller's, asked first.
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean,
 *   shiftKey?: boolean}} event a keydown event
 */
export function shortcutFor({ key, ctrlKey, metaKey, altKey, shiftKey }) {
  const lower = key.toLowerCase();
  const command = ctrlKey || metaKey;
  if (command && lower === 'o') return 'open';
  if (command && lower === 'q') return 'quit';
  if (command && lower === 's') return shiftKey ? 'save-as' : 'save';
  if (command && (lower === 'y' || (lower === 'z' && shiftKey))) return 'redo';
  if (command && lower === 'z') return 'undo';
  const tool = { t: 'trace', e: 'erase', n: 'navigate', r: 'track', m: 'select',
    f: 'find-harmonics', j: 'join', x: 'split' }[lower];
  if (!command && !altKey && tool) return tool;
  const pane = { s: 'slice', w: 'waveform', h: 'harmonics' }[lower];
  if (!command && !altKey && pane) return pane;
  if (!command && lower === ' ') return 'play';
  if (key === '?') return 'help';
  if (key === 'Escape' && !command && !altKey) return 'clear-region';
  if (lower === 'delete' || lower === 'backspace') return 'delete';
  return null;
}
