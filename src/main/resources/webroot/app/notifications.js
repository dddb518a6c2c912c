// Settings › Notifications: on or off, the URLs (stored ones shown masked: they hold
// credentials; posting a mask back keeps the stored URL), which events, and a test that shows
// each URL's own result.
import { html, nothing } from 'lit';
import { announce } from './ui.js';
import { post } from './api.js';
import { SettingsForm } from './settings.js';
import { fieldError } from './forms.js';

const EVENTS = [
  ['update_available', 'An update is available'],
  ['update_applied', 'An automatic update was applied'],
  ['update_failed', 'An automatic update failed (and was rolled back)'],
  ['update_blocked', 'An update was blocked by the scan gate'],
  ['stack_unhealthy', 'A stack became unhealthy'],
  ['operation_failed', 'An operation failed'],
];

class Notifications extends SettingsForm {
  static properties = {
    urls: { state: true },
    dirty: { state: true },
    results: { state: true },
    testing: { state: true },
    testError: { state: true },
  };

  constructor() {
    super();
    this.urls = null;
    this.dirty = false;
    this.results = null;
    this.testing = false;
    this.testError = '';
  }

  willUpdate(changed) {
    // The list being edited starts from what is stored, and again after each save.
    if (changed.has('config')) {
      this.urls = [...(this.config.notification_urls || [])].map((u) => ({ value: u, stored: true }));
      this.dirty = false;
    }
  }

  add() {
    const input = this.querySelector('#notify-new');
    const value = input.value.trim();
    if (!value) {
      input.focus();
      return;
    }
    this.urls = [...this.urls, { value, stored: false }];
    input.value = '';
    this.dirty = true;
    announce('URL added; save to keep it.');
  }

  dropUrl(i) {
    this.urls = this.urls.filter((_, j) => j !== i);
    this.dirty = true;
    announce('URL removed; save to apply.');
  }

  submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const pending = this.querySelector('#notify-new').value.trim();
    const urls = [...this.urls.map((u) => u.value), ...(pending ? [pending] : [])];
    this.save({
      notification_enabled: f.get('notification_enabled') === 'on',
      notification_urls: urls,
      notify_on: EVENTS.map(([k]) => k).filter((k) => f.get(`on-${k}`) === 'on'),
    }, 'Notification settings saved.').then((ok) => {
      if (ok) this.querySelector('#notify-new').value = '';
    });
  }

  async test() {
    this.testing = true;
    this.testError = '';
    this.results = null;
    try {
      this.results = (await post('/api/notifications/test')).results || [];
      const failed = this.results.filter((r) => !r.ok).length;
      announce(this.results.length ? `Test sent: ${this.results.length - failed} delivered, ${failed} failed.` : 'There is no URL to test.');
    } catch (err) {
      this.testError = err.message;
      announce(err.message);
    } finally {
      this.testing = false;
    }
  }

  render() {
    const c = this.config;
    const on = new Set(c.notify_on || []);
    const urlError = this.problem('notification_urls');
    return html`<form class="settings-form" @submit=${this.submit} novalidate>
      ${this.formError()}
      <label class="check"><input type="checkbox" name="notification_enabled" ?checked=${c.notification_enabled}> Send notifications</label>
      <fieldset><legend>Where to</legend>
        ${this.urls.length ? html`<ul class="url-list" aria-label="Notification URLs">${this.urls.map((u, i) => html`<li>
            <code>${u.value}</code>${u.stored ? html`<span class="muted small">stored, shown masked</span>` : html`<span class="tag tag-warn">not saved yet</span>`}
            <button type="button" class="btn btn-small" @click=${() => this.dropUrl(i)} aria-label="Remove ${u.value}">Remove</button></li>`)}</ul>`
          : html`<p class="muted">No URL yet.</p>`}
        <div class="field"><label for="notify-new">Add a URL</label>
          <div class="secret-row"><input id="notify-new" name="notification_urls" spellcheck="false" autocomplete="off"
              placeholder="ntfy://ntfy.sh/my-topic" aria-invalid=${urlError ? 'true' : 'false'} aria-describedby="notify-new-error notify-new-hint"
              @keydown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); this.add(); } }}>
            <button type="button" class="btn" @click=${this.add}>Add</button></div>
          <p class="hint" id="notify-new-hint">Shoutrrr forms: <code>gotify://host/token</code>, <code>ntfy://host/topic</code>, <code>discord://token@id</code>,
            <code>slack://a/b/c</code>, <code>generic+https://host/path</code>.</p>
          ${fieldError('notify-new', urlError)}</div>
      </fieldset>
      <fieldset><legend>When</legend>
        ${EVENTS.map(([k, label]) => html`<label class="check"><input type="checkbox" name="on-${k}" ?checked=${on.has(k)}> ${label}</label>`)}
        ${fieldError('notify-on', this.problem('notify_on'))}
      </fieldset>
      <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save notifications'}</button>
        <button type="button" class="btn" ?disabled=${this.testing || this.dirty} @click=${this.test}>${this.testing ? 'Sending…' : 'Send a test message'}</button>
        ${this.dirty ? html`<span class="muted">Save first: the test uses the saved URLs.</span>` : nothing}</div>
      ${this.testError ? html`<p class="error">${this.testError}</p>` : nothing}
      ${this.results ? html`<section aria-labelledby="test-h" class="test-results"><h3 id="test-h">Test results</h3>
        ${this.results.length ? html`<ul class="plain">${this.results.map((r) => html`<li class=${r.ok ? 'op-ok' : 'op-fail'}>
          <span aria-hidden="true">${r.ok ? '✓' : '✕'}</span> <code>${r.url}</code>:
          ${r.ok ? `delivered${r.status ? ` (HTTP ${r.status})` : ''}` : `failed: ${r.error || (r.status ? `HTTP ${r.status}` : 'no answer')}`}</li>`)}</ul>`
          : html`<p class="muted">There is no URL to test.</p>`}</section>` : nothing}
    </form>`;
  }
}
customElements.define('dockup-notifications', Notifications);
