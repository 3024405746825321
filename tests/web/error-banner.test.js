import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireErrorBanner } from '../../web/error-banner.js';
import { FakeElement } from './fake-element.js';

function harness() {
  const elements = { banner: new FakeElement(), text: new FakeElement(), dismiss: new FakeElement() };
  const page = { state: null, dismissed: 0 };
  const banner = wireErrorBanner({ elements, getState: () => page.state,
    onDismiss: () => { page.dismissed += 1; } });
  return { elements, page, banner };
}

test("the page's own error shows until Python reports a newer one", () => {
  const { elements, page, banner } = harness();
  banner.show('refused');
  assert.equal(elements.text.textContent, 'refused');
  assert.equal(elements.banner.hidden, false);
  const previous = page.state = { error: '' };
  page.state = { error: '' };
  banner.stateArrived(page.state, previous);
  assert.equal(elements.text.textContent, 'refused', 'a push without an error keeps it');
  const before = page.state;
  page.state = { error: 'decode failed' };
  banner.stateArrived(page.state, before);
  assert.equal(elements.text.textContent, 'decode failed');
});

test('dismissing hides the banner and tells Python; after dispose no listener is left', () => {
  const { elements, page, banner } = harness();
  banner.show('refused');
  elements.dismiss.dispatchEvent(new Event('click'));
  assert.equal(elements.banner.hidden, true);
  assert.equal(page.dismissed, 1);
  banner.dispose();
  assert.equal(elements.dismiss.listeners, 0);
  elements.dismiss.dispatchEvent(new Event('click'));
  assert.equal(page.dismissed, 1);
});

test('a message appears once: a toast with the banner\'s text goes, and shows() tells', () => {
  const elements = { banner: new FakeElement(), text: new FakeElement(), dismiss: new FakeElement() };
  const toast = (text) => ({ textContent: text, removed: false, remove() { this.removed = true; } });
  const same = toast('cannot open x.wav'), other = toast('disk nearly full');
  const toasts = { get children() { return [same, other].filter((t) => !t.removed); } };
  const banner = wireErrorBanner({ elements, getState: () => null, onDismiss: () => {}, toasts });
  banner.show('cannot open x.wav');
  assert.equal(same.removed, true);
  assert.equal(other.removed, false);
  assert.equal(banner.shows('cannot open x.wav'), true);
  assert.equal(banner.shows('disk nearly full'), false);
});
