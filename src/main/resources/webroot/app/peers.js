// Settings › HTTP peers: other DockUp instances reached with a token of theirs. Add, edit (a
// token left empty keeps the stored one: it is never shown), test, delete.
import { html, nothing } from 'lit';
import { Light, toast, confirmDialog, announce } from './ui.js';
import { get, post, put, del, ApiError } from './api.js';
import { formDialog, problem, fieldError } from './forms.js';

const enc = encodeURIComponent;

class Peers extends Light {
  static properties = {
    store: { attribute: false },
    peers: { state: true },
    error: { state: true },
    tests: { state: true },
  };

  constructor() {
    super();
    this.peers = null;
    this.error = '';
    this.tests = new Map();
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.peers = (await get('/api/peers')).peers || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  /** The peers' stacks on the overview follow the change. */
  refreshFleet() {
    get('/api/stacks/all').then((r) => this.store.setPeers(r.peers || [], r.stacks || [])).catch(() => {});
  }

  async edit(peer) {
    const adding = !peer;
    const p = peer || { name: '', url: '', enabled: true };
    const field = (err, name, label, input, hint = '') => html`<div class="field"><label for="peer-${name}">${label}</label>${input}
      ${hint ? html`<p class="hint" id="peer-${name}-hint">${hint}</p>` : nothing}${fieldError(`peer-${name}`, problem(err, name))}</div>`;
    const r = await formDialog({
      title: adding ? 'Add an HTTP peer' : `Edit peer ${p.name}`,
      confirm: adding ? 'Add peer' : 'Save peer',
      body: (err) => html`
        ${field(err, 'name', 'Name', html`<input id="peer-name" name="name" required .value=${p.name} aria-describedby="peer-name-error">`)}
        ${field(err, 'url', 'Address', html`<input id="peer-url" name="url" required .value=${p.url} placeholder="https://dockup.example.net" spellcheck="false"
          aria-describedby="peer-url-error peer-url-hint">`, 'Its DockUp address: http(s)://host[:port][/path].')}
        ${field(err, 'api_token', 'API token', html`<input id="peer-api_token" name="api_token" type="password" autocomplete="off" ?required=${adding}
          aria-describedby="peer-api_token-error peer-api_token-hint">`,
          adding ? 'A token made on the peer, with operate scope (read for listing only).' : 'Leave empty to keep the stored token.')}
        ${adding ? field(err, 'id', 'Id (optional)', html`<input id="peer-id" name="id" spellcheck="false" placeholder="made from the name"
          aria-describedby="peer-id-error">`) : nothing}
        <label class="check"><input type="checkbox" name="enabled" ?checked=${p.enabled !== false}> Enabled (its stacks are listed)</label>`,
      submit: (f) => {
        const body = { name: String(f.get('name')).trim(), url: String(f.get('url')).trim(), enabled: f.get('enabled') === 'on' };
        const token = String(f.get('api_token') || '');
        if (token) body.api_token = token;
        if (adding && String(f.get('id') || '').trim()) body.id = String(f.get('id')).trim();
        return adding ? post('/api/peers', body) : put(`/api/peers/${enc(p.id)}`, body);
      },
    });
    if (!r) return;
    toast(adding ? `Peer ${r.peer?.name || ''} added.` : `Peer ${p.name} saved.`, 'ok');
    this.load();
    this.refreshFleet();
  }

  async test(p) {
    this.tests = new Map(this.tests).set(p.id, { running: true });
    let result;
    try {
      const r = await get(`/api/peers/${enc(p.id)}/test`);
      result = r.success
        ? { ok: true, text: `Reachable in ${r.latency_ms} ms${r.instance_name ? ` (${r.instance_name})` : ''}.` }
        : { ok: false, text: r.reachable ? `Reachable, but it refused the token${r.status ? ` (HTTP ${r.status})` : ''}: ${r.error}` : `Unreachable: ${r.error}` };
    } catch (err) {
      result = { ok: false, text: err.message };
    }
    this.tests = new Map(this.tests).set(p.id, result);
    announce(`${p.name}: ${result.text}`);
  }

  async deletePeer(p) {
    const ok = await confirmDialog({
      title: `Delete peer ${p.name}?`,
      body: html`<p>DockUp forgets <strong>${p.name}</strong> (<code>${p.url}</code>) and its token. The peer itself is not changed.</p>`,
      confirm: 'Delete peer',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/peers/${enc(p.id)}`);
      toast(`Peer ${p.name} deleted.`, 'ok');
    } catch (err) {
      toast(err instanceof ApiError ? `Deleting ${p.name} failed: ${err.message}` : 'Deleting failed.', 'error');
    }
    this.load();
    this.refreshFleet();
  }

  render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.peers) return html`<p class="muted">Loading…</p>`;
    return html`<p>Other DockUp instances outside the cluster. Their stacks show on the overview; operations on them go through their API.</p>
      <div class="actions"><button class="btn btn-primary" @click=${() => this.edit(null)}>Add a peer…</button></div>
      ${this.peers.length ? html`<div class="table-wrap"><table class="cards-narrow" aria-label="HTTP peers">
        <thead><tr><th scope="col">Peer</th><th scope="col">Address</th><th scope="col">State</th><th scope="col">Token</th><th scope="col">Actions</th></tr></thead>
        <tbody>${this.peers.map((p) => {
          const t = this.tests.get(p.id);
          return html`<tr data-peer=${p.id}>
            <th scope="row" data-label="Peer">${p.name} <span class="muted small">${p.id}</span></th>
            <td data-label="Address" class="nowrap"><code>${p.url}</code></td>
            <td data-label="State">${p.enabled ? 'Enabled' : html`<span class="muted">Disabled</span>`}
              ${t ? html`<div class=${t.running ? 'muted' : t.ok ? 'op-ok' : 'op-fail'} data-test-result>${t.running ? 'Testing…' : html`<span aria-hidden="true">${t.ok ? '✓' : '✕'}</span> ${t.text}`}</div>` : nothing}</td>
            <td data-label="Token">${p.api_token_set ? 'Stored' : html`<span class="muted">None</span>`}</td>
            <td data-label="Actions"><div class="row-actions">
              <button class="btn btn-small" @click=${() => this.test(p)} aria-label="Test peer ${p.name}">Test</button>
              <button class="btn btn-small" @click=${() => this.edit(p)} aria-label="Edit peer ${p.name}">Edit…</button>
              <button class="btn btn-small" @click=${() => this.deletePeer(p)} aria-label="Delete peer ${p.name}">Delete…</button></div></td>
          </tr>`;
        })}</tbody></table></div>` : html`<p class="empty">No HTTP peer yet.</p>`}`;
  }
}
customElements.define('dockup-peers', Peers);
