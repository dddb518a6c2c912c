// Settings › Tokens and password: API tokens (made with a scope and shown once, listed without
// their secret, revoked), the 1.3.0 instance token (regenerated, shown once), and the password.
import { html, nothing } from 'lit';
import { Light, toast, confirmDialog, clock, announce } from './ui.js';
import { get, post, del } from './api.js';
import { formDialog, infoDialog, secretOnce } from './forms.js';

const SCOPES = [
  ['read', 'Read', 'lists, states, logs; no secrets'],
  ['operate', 'Operate', 'read, plus up, stop, restart, pull, update checks and scans'],
  ['admin', 'Admin', 'everything: files, settings, tokens, backups'],
];

function showOnce(title, token, usage) {
  return infoDialog({
    title,
    body: html`${secretOnce('token-value', 'Token', token)}
      <p>Use it in the <code>X-API-Token</code> header:</p>
      <pre class="code">${usage}</pre>`,
    close: 'I have copied it',
  });
}

class Tokens extends Light {
  static properties = {
    config: { attribute: false },
    tokens: { state: true },
    error: { state: true },
    pwError: { state: true },
    pwBusy: { state: true },
  };

  constructor() {
    super();
    this.tokens = null;
    this.error = '';
    this.pwError = '';
    this.pwBusy = false;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.tokens = (await get('/api/tokens')).tokens || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  async create() {
    const r = await formDialog({
      title: 'New API token',
      confirm: 'Create token',
      body: () => html`<div class="field"><label for="tok-name">Name</label>
          <input id="tok-name" name="name" required autocomplete="off" placeholder="certbot" aria-describedby="tok-name-hint">
          <p class="hint" id="tok-name-hint">Says where it is used; it names the token in the audit log.</p></div>
        <fieldset><legend>Scope</legend>
          ${SCOPES.map(([v, label, what], i) => html`<label class="check"><input type="radio" name="scope" value=${v} ?checked=${i === 0}>
            <span><strong>${label}</strong>: ${what}</span></label>`)}</fieldset>`,
      submit: (f) => {
        const name = String(f.get('name')).trim();
        if (!name) throw new Error('Give the token a name.');
        return post('/api/tokens', { name, scope: f.get('scope') });
      },
    });
    if (!r) return;
    this.load();
    announce(`Token ${r.name} created with ${r.scope} scope. It is shown once.`);
    await showOnce(`Token “${r.name}” (${r.scope})`, r.token, `curl -H "X-API-Token: ${r.token}" ${location.origin}/api/stacks`);
  }

  async revoke(t) {
    const ok = await confirmDialog({
      title: `Revoke token ${t.name}?`,
      body: html`<p>Every script using <strong>${t.name}</strong> (${t.scope}) is refused from now on, and so is every JWT obtained with it.</p>`,
      confirm: 'Revoke token',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/tokens/${encodeURIComponent(t.id)}`);
      toast(`Token ${t.name} revoked.`, 'ok');
    } catch (err) {
      toast(`Revoking ${t.name} failed: ${err.message}`, 'error');
    }
    this.load();
  }

  async regenerate() {
    const had = this.config?.api_token_set;
    const ok = await confirmDialog({
      title: had ? 'Regenerate the instance token?' : 'Create the instance token?',
      body: html`<p>The instance token is the single admin token of DockUp 1.3.0's API. ${had
        ? html`<strong>The current one stops working at once</strong>, with every JWT obtained with it.` : ''}
        Named tokens above can be revoked one by one: prefer them.</p>`,
      confirm: had ? 'Regenerate' : 'Create',
      danger: had,
    });
    if (!ok) return;
    try {
      const r = await post('/api/config/regenerate-token');
      get('/api/config').then((c) => this.dispatchEvent(new CustomEvent('saved', { detail: c, bubbles: true }))).catch(() => {});
      await showOnce('Instance token', r.token, `curl -H "X-API-Token: ${r.token}" ${location.origin}/api/stacks`);
    } catch (err) {
      toast(`The instance token could not be made: ${err.message}`, 'error');
    }
  }

  async changePassword(e) {
    e.preventDefault();
    const form = e.target;
    const f = new FormData(form);
    this.pwError = '';
    if (String(f.get('new_password')).length < 8) this.pwError = 'The new password needs at least 8 characters.';
    else if (f.get('new_password') !== f.get('repeat')) this.pwError = 'The two new passwords differ.';
    if (this.pwError) {
      await this.updateComplete;
      this.querySelector('#pw-error')?.focus();
      return;
    }
    this.pwBusy = true;
    try {
      await post('/api/auth/change-password', { current: f.get('current'), new_password: f.get('new_password') });
      form.reset();
      toast('Password changed. Every other session and JWT has ended; this one goes on.', 'ok');
    } catch (err) {
      this.pwError = err.message;
      await this.updateComplete;
      this.querySelector('#pw-error')?.focus();
    } finally {
      this.pwBusy = false;
    }
  }

  renderTokens() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.tokens) return html`<p class="muted">Loading…</p>`;
    if (!this.tokens.length) return html`<p class="empty">No API token yet.</p>`;
    return html`<div class="table-wrap"><table class="cards-narrow" aria-label="API tokens">
      <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
      <tbody>${this.tokens.map((t) => html`<tr data-token=${t.name}>
        <th scope="row" data-label="Name">${t.name}</th>
        <td data-label="Scope"><span class="tag">${t.scope}</span></td>
        <td data-label="Created">${clock(t.created_at)}</td>
        <td data-label="Actions"><button class="btn btn-small" @click=${() => this.revoke(t)} aria-label="Revoke token ${t.name}">Revoke…</button></td>
      </tr>`)}</tbody></table></div>`;
  }

  render() {
    return html`<section aria-labelledby="tok-h" class="settings-part">
        <div class="editor-head"><h3 id="tok-h">API tokens</h3><button class="btn btn-primary btn-small" @click=${this.create}>New token…</button></div>
        <p class="muted">For scripts and other tools: sent as <code>X-API-Token</code>. DockUp stores only their hashes.</p>
        ${this.renderTokens()}
      </section>
      <section aria-labelledby="inst-h" class="settings-part">
        <h3 id="inst-h">Instance token</h3>
        <p>${this.config?.api_token_set ? 'An instance token is set.' : 'No instance token is set.'}
          <span class="muted">The single admin token of DockUp 1.3.0's API, kept for scripts written for it.</span></p>
        <button class="btn" @click=${this.regenerate}>${this.config?.api_token_set ? 'Regenerate…' : 'Create…'}</button>
      </section>
      <section aria-labelledby="pw-h" class="settings-part">
        <h3 id="pw-h">Password</h3>
        <form class="settings-form pw-form" @submit=${this.changePassword} novalidate>
          <div class="field"><label for="pw-current">Current password</label>
            <input id="pw-current" name="current" type="password" autocomplete="current-password" required></div>
          <div class="field"><label for="pw-new">New password <span class="hint">(at least 8 characters)</span></label>
            <input id="pw-new" name="new_password" type="password" autocomplete="new-password" minlength="8" required></div>
          <div class="field"><label for="pw-repeat">Repeat the new password</label>
            <input id="pw-repeat" name="repeat" type="password" autocomplete="new-password" required></div>
          ${this.pwError ? html`<p class="error" role="alert" id="pw-error" tabindex="-1">${this.pwError}</p>` : nothing}
          <p class="muted">Every other session and JWT ends; API tokens keep working.</p>
          <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.pwBusy}>${this.pwBusy ? 'Changing…' : 'Change password'}</button></div>
        </form>
      </section>`;
  }
}
customElements.define('dockup-tokens', Tokens);
