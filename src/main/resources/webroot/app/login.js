// Sign-in and first-run setup (the one-time code DockUp printed to its log).
import { html } from 'lit';
import { Light } from './ui.js';
import { post, ApiError } from './api.js';

class Login extends Light {
  static properties = {
    setup: { type: Boolean },
    notice: { type: String },
    error: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.setup = false;
    this.notice = '';
    this.error = '';
    this.busy = false;
  }

  firstUpdated() {
    this.querySelector('input')?.focus();
  }

  async submit(e) {
    e.preventDefault();
    const form = new FormData(e.target);
    this.error = '';
    if (this.setup && form.get('password') !== form.get('confirm')) {
      this.error = 'The two passwords differ.';
      return;
    }
    this.busy = true;
    try {
      if (this.setup) {
        await post('/api/auth/setup', { setup_code: String(form.get('code')).trim(), password: form.get('password') }, { quiet401: true });
      } else {
        await post('/api/auth/login', { password: form.get('password') }, { quiet401: true });
      }
      this.dispatchEvent(new CustomEvent('signed-in', { bubbles: true }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : 'Sign-in failed.';
      this.busy = false;
      await this.updateComplete;
      this.querySelector('input[name=password]')?.focus();
    }
  }

  render() {
    return html`<main id="main" class="login" tabindex="-1">
      <form class="card login-card" @submit=${this.submit} novalidate>
        <h1><img src="${document.querySelector('dockup-app').dataset.base}app/icon.svg" alt="" width="32" height="32"> DockUp</h1>
        ${this.setup
          ? html`<p>Welcome. Set the password for this DockUp. The one-time setup code is in DockUp's log
              (<code>One-time setup code: …</code>).</p>
              <label for="code">Setup code</label>
              <input id="code" name="code" autocomplete="one-time-code" required spellcheck="false">
              <label for="password">New password <span class="hint">(at least 8 characters)</span></label>
              <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
              <label for="confirm">Repeat the password</label>
              <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="8" required>`
          : html`${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : ''}
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>`}
        ${this.error ? html`<p class="error" role="alert" id="login-error">${this.error}</p>` : ''}
        <button class="btn btn-primary" type="submit" ?disabled=${this.busy}>
          ${this.setup ? 'Set password and sign in' : 'Sign in'}
        </button>
      </form>
    </main>`;
  }
}
customElements.define('dockup-login', Login);
