// The fleet overview: node cards, then one table of every stack on every node and peer, with
// search, filters and sorting kept in the URL, quick actions per row and bulk actions.
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { Light, announce, toast, confirmDialog, showQuery, STATUSES, HEALTHS, SEVERITIES, worstSeverity, clock, bytes } from './ui.js';
import { get, post } from './api.js';
import { keyOf } from './store.js';
import { row, usage } from './rows.js';
import { runOperation, checkUpdates, bulk } from './ops.js';
import './nodes.js';

const FILTERS = ['q', 'node', 'status', 'health', 'updates', 'vulns', 'sort', 'dir'];
const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name),
  node: (a, b) => (a.peer || a.node).localeCompare(b.peer || b.node) || a.name.localeCompare(b.name),
  status: (a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status),
  health: (a, b) => HEALTHS.indexOf(b.health_status) - HEALTHS.indexOf(a.health_status),
  containers: (a, b) => (a.running || 0) - (b.running || 0),
  updates: (a, b) => Number(!!b.update_available) - Number(!!a.update_available),
  vulns: (a, b) => severityRank(a) - severityRank(b),
};
const FILTERED_FIELDS = ['status', 'health_status', 'update_available', 'running', 'containers', 'reachable'];

/** 0 for the worst (critical), growing to "nothing found", then "not scanned". */
function severityRank(s) {
  const w = worstSeverity(s.vulnerabilities);
  return w === null ? SEVERITIES.length + 1 : w === 'NONE' ? SEVERITIES.length : SEVERITIES.indexOf(w);
}

/** The filter "vulns": has critical, high or worse, not scanned. */
const VULN_FILTERS = {
  critical: (s) => (s.vulnerabilities?.CRITICAL || 0) > 0,
  high: (s) => (s.vulnerabilities?.CRITICAL || 0) + (s.vulnerabilities?.HIGH || 0) > 0,
  unscanned: (s) => !s.vulnerabilities,
};

class Overview extends Light {
  static properties = {
    store: { attribute: false },
    query: { attribute: false },
    peersLoaded: { state: true },
  };

  constructor() {
    super();
    this.selected = new Set();
    this.visible = [];
  }

  connectedCallback() {
    super.connectedCallback();
    this.offList = this.store.onList((key, before, after) => {
      // A new or removed stack changes the table; a change only when the filter or order may change.
      if (!before || !after || FILTERED_FIELDS.some((f) => before[f] !== after[f])
        || severityRank(before) !== severityRank(after)) this.schedule();
    });
    this.loadOnce();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.offList();
    cancelAnimationFrame(this.frame);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.requestUpdate();
    });
  }

  /**
   * What the feed does not carry, asked once when the page opens: node facts, each node's disk,
   * each node's recent operations (the feed keeps the column current from then on), and the
   * HTTP peers' stacks.
   */
  async loadOnce() {
    get('/api/nodes').then((r) => {
      this.store.learnNodes(r.nodes);
      this.store.nodesChanged();
      for (const n of (r.nodes || []).filter((x) => x.reachable !== false)) {
        const at = `/api/nodes/${encodeURIComponent(n.name)}`;
        get(`${at}/host/stats`).then((h) => {
          this.store.node(n.name).disk = h.disk;
          this.store.nodesChanged();
        }).catch(() => {});
        get(`${at}/operations`).then((o) => this.store.seedLastOps(n.name, o.operations || [])).catch(() => {});
      }
    }).catch(() => {});
    this.loadPeers();
  }

  async loadPeers() {
    try {
      const r = await get('/api/stacks/all');
      this.store.setPeers(r.peers || [], r.stacks || []);
      this.peersLoaded = true;
    } catch { /* peers are optional */ }
  }

  get f() {
    const q = this.query || new URLSearchParams();
    return Object.fromEntries(FILTERS.map((k) => [k, q.get(k) || '']));
  }

  setFilter(name, value) {
    this.query = showQuery('', this.query, { [name]: value });
  }

  sortBy(col) {
    const f = this.f;
    const dir = f.sort === col && f.dir !== 'desc' ? 'desc' : '';
    this.query = showQuery('', this.query, { sort: col, dir });
  }

  filtered() {
    const f = this.f;
    const needle = f.q.trim().toLowerCase();
    const out = [];
    for (const s of this.store.stacks.values()) {
      if (needle && !s.name.toLowerCase().includes(needle) && !(s.services || []).some((x) => x.toLowerCase().includes(needle))) continue;
      if (f.node && (s.peer ? `peer:${s.peer}` : s.node) !== f.node) continue;
      if (f.status && s.status !== f.status) continue;
      if (f.health && s.health_status !== f.health) continue;
      if (f.updates === 'available' && !s.update_available) continue;
      if (f.vulns && VULN_FILTERS[f.vulns] && !VULN_FILTERS[f.vulns](s)) continue;
      out.push(s);
    }
    const by = f.sort === 'cpu' || f.sort === 'memory'
      ? (a, b) => ((usage(this.store.stats.get(keyOf(a)))?.[f.sort === 'cpu' ? 'cpu' : 'mem'] || 0)
        - (usage(this.store.stats.get(keyOf(b)))?.[f.sort === 'cpu' ? 'cpu' : 'mem'] || 0))
      : SORTS[f.sort] || SORTS.name;
    out.sort((a, b) => by(a, b) || SORTS.name(a, b));
    if (f.dir === 'desc') out.reverse();
    return out.map(keyOf);
  }

  select(key, on) {
    if (on) this.selected.add(key);
    else this.selected.delete(key);
    this.store.touch(key);
    this.requestUpdate();
  }

  selectAll(on) {
    for (const key of this.visible) {
      if (on) this.selected.add(key);
      else this.selected.delete(key);
      this.store.touch(key);
    }
    this.requestUpdate();
  }

  refOf(key) {
    const s = this.store.stacks.get(key);
    return s ? { node: s.node, peer: s.peer, name: s.name } : null;
  }

  quick(key, op) {
    const ref = this.refOf(key);
    if (ref) runOperation(this.store, ref, op);
  }

  async runBulk(op) {
    const refs = [...this.selected].map((k) => this.refOf(k)).filter((r) => r && !this.store.stacks.get(keyOf(r)).external);
    if (!refs.length) return;
    const label = { up: 'Up', restart: 'Restart', pull: 'Pull', check: 'Check updates' }[op];
    announce(`${label} of ${refs.length} stacks started.`);
    if (op === 'check') await bulk(refs, label, (r) => checkUpdates(r, { quiet: true }).then((x) => x || { success: false }));
    else await bulk(refs, label, (r) => runOperation(this.store, r, op, { quiet: true }));
  }

  async openTrash() {
    let trash = [];
    try {
      trash = (await get('/api/trash')).trash || [];
    } catch (err) {
      toast(err.message, 'error');
      return;
    }
    const list = trash.length
      ? html`<ul class="trash">${trash.map((t) => html`<li><label><input type="radio" name="id" value=${t.id} required>
          <strong>${t.stack}</strong> <span class="muted">deleted ${clock(t.deleted_at)} · ${bytes(t.bytes)}</span></label></li>`)}</ul>`
      : html`<p>The trash is empty.</p>`;
    const r = await confirmDialog({ title: 'Trash of this node', body: list, confirm: 'Restore selected' });
    const id = r?.data?.get('id');
    if (!id) return;
    try {
      const res = await post(`/api/trash/${encodeURIComponent(id)}/restore`);
      toast(`Stack ${res.stack} restored.`, 'ok');
    } catch (err) {
      toast(`Restore failed: ${err.message}`, 'error');
    }
  }

  renderFilters(f) {
    const nodes = [...this.store.nodes.keys()].sort();
    const peers = [...this.store.peers.values()];
    const sel = (name, label, options) => html`<div class="field">
      <label for="f-${name}">${label}</label>
      <select id="f-${name}" .value=${f[name]} @change=${(e) => this.setFilter(name, e.target.value)}>
        <option value="" ?selected=${!f[name]}>All</option>
        ${options.map(([v, t]) => html`<option value=${v} ?selected=${f[name] === v}>${t}</option>`)}
      </select></div>`;
    return html`<form class="filters" role="search" @submit=${(e) => e.preventDefault()}>
      <div class="field field-grow"><label for="f-q">Search stacks</label>
        <input id="f-q" type="search" placeholder="Name or service" .value=${f.q}
          @input=${(e) => this.setFilter('q', e.target.value)}></div>
      ${sel('node', 'Node', [...nodes.map((n) => [n, n]), ...peers.map((p) => [`peer:${p.id}`, `${p.name || p.id} (peer)`])])}
      ${sel('status', 'Status', STATUSES.map((s) => [s, s[0].toUpperCase() + s.slice(1)]))}
      ${sel('health', 'Health', HEALTHS.map((s) => [s, s === 'stopped' ? 'Not running' : s[0].toUpperCase() + s.slice(1)]))}
      ${sel('updates', 'Updates', [['available', 'Update available']])}
      ${sel('vulns', 'Vulnerabilities', [['critical', 'Has critical'], ['high', 'High or critical'], ['unscanned', 'Not scanned']])}
    </form>`;
  }

  th(col, label) {
    const f = this.f;
    const active = (f.sort || 'name') === col;
    const sort = active ? (f.dir === 'desc' ? 'descending' : 'ascending') : 'none';
    return html`<th scope="col" aria-sort=${sort}><button class="sort" @click=${() => this.sortBy(col)}>${label}
      <span aria-hidden="true">${active ? (f.dir === 'desc' ? '▼' : '▲') : ''}</span></button></th>`;
  }

  render() {
    const f = this.f;
    const keys = this.filtered();
    this.visible = keys;
    const total = this.store.stacks.size;
    const selected = [...this.selected].filter((k) => this.store.stacks.has(k));
    const allOn = keys.length > 0 && keys.every((k) => this.selected.has(k));
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Fleet</h1>
        <div class="page-actions">
          <a class="btn btn-primary" href="#/new">New stack</a>
          <button class="btn" @click=${this.openTrash}>Trash…</button>
          ${this.store.peers.size ? html`<button class="btn" @click=${this.loadPeers}>Refresh peers</button>` : nothing}
        </div>
      </div>
      <section aria-labelledby="nodes-h"><h2 id="nodes-h" class="visually-hidden">Nodes</h2>
        <dockup-node-cards .store=${this.store}></dockup-node-cards></section>
      <section aria-labelledby="stacks-h">
        <h2 id="stacks-h">Stacks <span class="muted count" id="stack-count">${keys.length === total ? `${total}` : `${keys.length} of ${total}`}</span></h2>
        ${this.renderFilters(f)}
        ${selected.length ? html`<div class="bulk" role="group" aria-label="Bulk actions">
          <span>${selected.length} selected</span>
          <button class="btn" @click=${() => this.runBulk('up')}>Up</button>
          <button class="btn" @click=${() => this.runBulk('restart')}>Restart</button>
          <button class="btn" @click=${() => this.runBulk('pull')}>Pull</button>
          <button class="btn" @click=${() => this.runBulk('check')}>Check updates</button>
          <button class="btn btn-link" @click=${() => { this.selected.clear(); this.selectAll(false); }}>Clear selection</button>
        </div>` : nothing}
        <div class="table-wrap">
          <table class="stacks" aria-labelledby="stacks-h">
            <thead><tr>
              <th scope="col" class="c-sel"><input type="checkbox" aria-label="Select all shown stacks" .checked=${allOn} @change=${(e) => this.selectAll(e.target.checked)}></th>
              ${this.th('name', 'Stack')}${this.th('node', 'Node')}${this.th('status', 'Status')}${this.th('health', 'Health')}
              ${this.th('containers', 'Containers')}${this.th('updates', 'Update')}${this.th('vulns', 'Vulnerabilities')}${this.th('cpu', 'CPU')}${this.th('memory', 'Memory')}
              <th scope="col">Last operation</th><th scope="col">Actions</th>
            </tr></thead>
            <tbody>${repeat(keys, (k) => k, (k) => html`<tr data-key=${k}>${row(this, k)}</tr>`)}</tbody>
          </table>
        </div>
        ${keys.length ? nothing : html`<p class="empty">${total ? 'No stack matches these filters.' : 'No stacks yet. Create one with “New stack”.'}</p>`}
      </section>
    </main>`;
  }
}
customElements.define('dockup-overview', Overview);
