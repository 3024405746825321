// Controls back to what the page's HTML says they start as: the one home of their defaults.

/**
 * Set each control to its default: a checkbox's `defaultChecked`, a select's option marked
 * `selected` in the HTML (else its first), any other input's `defaultValue`.
 * @param {Array<HTMLInputElement|HTMLSelectElement>} controls
 */
export function restoreDefaults(controls) {
  for (const control of controls) {
    if (control.options) {
      const options = [...control.options];
      control.value = (options.find((option) => option.defaultSelected) ?? options[0]).value;
    } else if (control.type === 'checkbox' || control.type === 'radio') {
      control.checked = control.defaultChecked;
    } else {
      control.value = control.defaultValue;
    }
  }
}
