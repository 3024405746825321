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
