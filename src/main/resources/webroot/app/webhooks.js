// Settings › Webhooks: URLs that run a stack's operations for a CI job or a Git host, made with
// the operations they may run (the secret shown once, with the call to make), listed without
// their secrets, and deleted.
import { html, nothing } from 'lit';
import { Light, toast, confirmDialog, clock, announce } from './ui.js';
import { get, post, del } from './api.js';
import { formDialog, infoDialog, secretOnce } from './forms.js';

/** In the order they run when several are chosen: the usual "pull, then up" comes out right. */
const OPERATIONS = [
  ['pull', 'pull: fetch newer images'],
  ['up', 'up: create and start (applies the new images)'],
  ['update', 'update: as an automatic update schedule does (with the stack\'s scan gate)'],
  ['restart', 'restart'],
  ['stop', 'stop'],
  ['down', 'down: stop and remove the containers'],
];

class Webhooks extends Light {
  static properties = {
    store: { attribute: false },
    hooks: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.hooks = null;
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.hooks = (await get('/api/webhooks')).webhooks || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  /** Stacks a hook can run: managed ones of the fleet's nodes (an HTTP peer's have their own DockUp). */
  stacks() {
    return [...this.store.stacks.values()].filter((s) => !s.peer && !s.external)
      .sort((a, b) => a.name.localeCompare(b.name) || a.node.localeCompare(b.node));
  }

  async create() {
    const stacks = this.stacks();
    const fleet = new Set(stacks.map((s) => s.node)).size > 1;
    const r = await formDialog({
      title: 'New webhook',
      confirm: 'Create webhook',
      body: () => html`<div class="field"><label for="hook-stack">Stack</label>
          <select id="hook-stack" name="stack">${stacks.map((s) => html`<option value="${s.node}/${s.name}">${s.name}${
            fleet ? ` (${s.node})` : ''}</option>`)}</select></div>
        <fieldset><legend>Operations, run in this order</legend>
          ${OPERATIONS.map(([op, label]) => html`<label class="check"><input type="checkbox" name="operations" value=${op}
            ?checked=${op === 'pull' || op === 'up'}> <span>${label}</span></label>`)}</fieldset>
        <p class="hint">Whoever has the secret can run these operations on this stack, and nothing else.</p>`,
      submit: (f) => {
        const chosen = String(f.get('stack') || '');
        if (!chosen) throw new Error('There is no stack to make a webhook for.');
        const operations = f.getAll('operations');
        if (!operations.length) throw new Error('Choose at least one operation.');
        const at = chosen.indexOf('/');
        return post('/api/webhooks', { node: chosen.slice(0, at), stack: chosen.slice(at + 1), operations });
      },
    });
    if (!r) return;
    this.load();
    announce(`Webhook for ${r.stack} created. Its secret is shown once.`);
    const url = r.url || `${location.origin}${r.path}`;
    await infoDialog({
      title: `Webhook for ${r.stack}`,
      body: html`<div class="field"><label for="hook-url">URL</label>
          <input id="hook-url" readonly .value=${url} spellcheck="false" @focus=${(e) => e.target.select()}></div>
        ${secretOnce('hook-secret', 'Secret', r.secret, 'It is shown only now: DockUp keeps it encrypted (a signature check needs it) and never shows it again.')}
        <p>Call it with the secret in a header, or sign the body as GitHub, Gitea and Forgejo do (<code>X-Hub-Signature-256</code>, with
          this secret as the webhook's secret):</p>
        <pre class="code">curl -fsS -X POST ${url} -H "X-Webhook-Secret: ${r.secret}"</pre>`,
      close: 'I have copied it',
    });
  }

  async deleteHook(h) {
    const ok = await confirmDialog({
      title: `Delete the webhook of ${h.stack}?`,
      body: html`<p>Calls to <code>${h.path}</code> are refused from then on.</p>`,
      confirm: 'Delete webhook',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/webhooks/${encodeURIComponent(h.id)}`);
      toast(`Webhook of ${h.stack} deleted.`, 'ok');
    } catch (err) {
      toast(`Deleting the webhook failed: ${err.message}`, 'error');
    }
    this.load();
  }

  render() {
    const list = this.hooks || [];
    return html`<div class="settings-part"><p>A webhook runs a stack's operations when a CI job or a Git host calls its URL with its secret.</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions"><button class="btn btn-primary" @click=${this.create}>New webhook…</button></div>
      ${!this.hooks && !this.error ? html`<p class="muted">Loading…</p>` : nothing}
      ${this.hooks && !list.length ? html`<p class="empty">No webhook yet.</p>` : nothing}
      ${list.length ? html`<div class="table-wrap"><table class="cards-narrow hooks" aria-label="Webhooks">
        <thead><tr><th scope="col">Stack</th><th scope="col">Operations</th><th scope="col">URL path</th><th scope="col">Created</th>
          <th scope="col">Actions</th></tr></thead>
        <tbody>${list.map((h) => html`<tr data-hook=${h.id}>
          <th scope="row" data-label="Stack">${h.stack} <span class="muted">on ${h.node}</span></th>
          <td data-label="Operations">${(h.operations || []).join(', then ')}</td>
          <td data-label="URL path"><code>${h.path}</code></td>
          <td data-label="Created"><span>${clock(h.created_at)}${h.created_by ? html` <span class="muted">by ${h.created_by}</span>` : nothing}</span></td>
          <td data-label="Actions"><button class="btn btn-small" @click=${() => this.deleteHook(h)}
            aria-label="Delete the webhook of ${h.stack} (${h.path})">Delete…</button></td></tr>`)}</tbody></table></div>` : nothing}</div>`;
  }
}
customElements.define('dockup-webhooks', Webhooks);
