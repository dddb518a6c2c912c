// The networks of the node serving this page: which containers use each, create one, delete one
// (the engine's own three cannot be; one in use is refused, and the answer names its users).
import { html, nothing } from 'lit';
import { Light, toast, confirmDialog } from './ui.js';
import { get, post, del, ApiError } from './api.js';
import { formDialog, sortHeader, sortRows, infoDialog, someOf } from './forms.js';

const BUILT_IN = ['bridge', 'host', 'none'];
const DRIVERS = ['bridge', 'macvlan', 'ipvlan', 'overlay'];
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const COMPARE = {
  name: (a, b) => a.name.localeCompare(b.name),
  driver: (a, b) => (a.driver || '').localeCompare(b.driver || ''),
  containers: (a, b) => (a.containers || []).length - (b.containers || []).length,
};

class Networks extends Light {
  static properties = {
    store: { attribute: false },
    networks: { state: true },
    error: { state: true },
    node: { state: true },
    q: { state: true },
  };

  constructor() {
    super();
    this.networks = null;
    this.error = '';
    this.node = '';
    this.q = '';
    this.sort = 'name';
    this.sortDir = 'asc';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    this.store.selfName().then((name) => { this.node = name; }).catch(() => {});
  }

  async load() {
    try {
      this.networks = (await get('/api/networks')).networks || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  async create() {
    const r = await formDialog({
      title: 'Create a network',
      confirm: 'Create network',
      body: () => html`<div class="field"><label for="net-name">Name</label>
          <input id="net-name" name="name" required autocomplete="off" spellcheck="false" aria-describedby="net-name-hint">
          <p class="hint" id="net-name-hint">Letters, digits, “_”, “.” and “-”. Compose files use it with <code>external: true</code>.</p></div>
        <div class="field"><label for="net-driver">Driver</label>
          <select id="net-driver" name="driver">${DRIVERS.map((d) => html`<option value=${d}>${d}</option>`)}</select></div>
        <div class="field-row">
          <div class="field"><label for="net-subnet">Subnet <span class="muted">(optional)</span></label>
            <input id="net-subnet" name="subnet" placeholder="172.30.0.0/24" spellcheck="false"></div>
          <div class="field"><label for="net-gateway">Gateway <span class="muted">(optional)</span></label>
            <input id="net-gateway" name="gateway" placeholder="172.30.0.1" spellcheck="false"></div></div>
        <label class="check"><input type="checkbox" name="internal"> Internal (no access to outside networks)</label>
        <label class="check"><input type="checkbox" name="attachable"> Attachable (containers started by hand may join)</label>`,
      submit: async (f) => {
        const name = String(f.get('name')).trim();
        if (!NAME.test(name)) throw new ApiError(400, 'Give the network a name: letters, digits, “_”, “.” and “-”, starting with a letter or digit.');
        const body = { name, driver: f.get('driver'), internal: f.get('internal') === 'on', attachable: f.get('attachable') === 'on' };
        for (const k of ['subnet', 'gateway']) if (String(f.get(k)).trim()) body[k] = String(f.get(k)).trim();
        return post('/api/network', body);
      },
    });
    if (!r) return;
    toast(`Network ${r.name} created.`, 'ok');
    this.load();
  }

  async deleteNetwork(n) {
    const ok = await confirmDialog({
      title: `Delete network ${n.name}?`,
      body: html`<p>This removes the network <code>${n.name}</code> from ${this.node || 'this node'}.</p>`,
      confirm: 'Delete network',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/network/${encodeURIComponent(n.id)}`);
      toast(`Network ${n.name} deleted.`, 'ok');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const users = err.body.containers || n.containers || [];
        await infoDialog({
          title: `${n.name} is in use`,
          body: html`<p id="net-in-use">The network was not deleted: ${users.length
            ? `${users.length} container${users.length === 1 ? ' is' : 's are'} connected to it:` : err.message}</p>
            ${someOf(users)}
            <p>Take down the stacks they belong to (or disconnect them), then delete it.</p>`,
        });
      } else {
        toast(`Deleting ${n.name} failed: ${err.message}`, 'error');
      }
    }
    this.load();
  }

  render() {
    const needle = this.q.trim().toLowerCase();
    const rows = sortRows((this.networks || []).filter((n) => !needle || n.name.toLowerCase().includes(needle)
      || (n.containers || []).some((c) => c.toLowerCase().includes(needle))), this, COMPARE);
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Networks</h1>
        <div class="page-actions"><button class="btn btn-primary" @click=${this.create}>Create network…</button>
          <button class="btn" @click=${this.load}>Reload</button></div></div>
      <p class="muted">The networks of ${this.node ? html`node <strong>${this.node}</strong>` : 'this node'} (the one serving this page).</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <form class="filters" role="search" @submit=${(e) => e.preventDefault()}>
        <div class="field field-grow"><label for="net-q">Search networks</label>
          <input id="net-q" type="search" placeholder="Network or container name" .value=${this.q} @input=${(e) => { this.q = e.target.value; }}></div>
      </form>
      ${this.networks ? html`<div class="table-wrap"><table class="cards-narrow" aria-label="Networks">
        <thead><tr>${sortHeader(this, 'name', 'Network')}${sortHeader(this, 'driver', 'Driver')}<th scope="col">Subnet</th>
          <th scope="col">Options</th>${sortHeader(this, 'containers', 'Containers', { numeric: true })}<th scope="col">Actions</th></tr></thead>
        <tbody>${rows.map((n) => html`<tr data-network=${n.name}>
          <th scope="row" data-label="Network"><code>${n.name}</code>${BUILT_IN.includes(n.name) ? html` <span class="tag">built in</span>` : nothing}</th>
          <td data-label="Driver">${n.driver} <span class="muted">${n.scope}</span></td>
          <td data-label="Subnet">${n.subnet ? html`<code>${n.subnet}</code>${n.gateway ? html` <span class="muted">via ${n.gateway}</span>` : nothing}` : html`<span class="muted">–</span>`}</td>
          <td data-label="Options">${[n.internal ? 'internal' : '', n.attachable ? 'attachable' : ''].filter(Boolean).join(', ') || html`<span class="muted">–</span>`}</td>
          <td data-label="Containers">${(n.containers || []).length ? someOf(n.containers, 6) : html`<span class="muted">none</span>`}</td>
          <td data-label="Actions">${BUILT_IN.includes(n.name) ? html`<span class="muted">–</span>`
            : html`<button class="btn btn-small" @click=${() => this.deleteNetwork(n)} aria-label="Delete network ${n.name}">Delete…</button>`}</td>
        </tr>`)}</tbody></table></div>
        ${rows.length ? nothing : html`<p class="empty">No network matches.</p>`}` : html`<p class="muted">Loading…</p>`}
    </main>`;
  }
}
customElements.define('dockup-networks', Networks);
