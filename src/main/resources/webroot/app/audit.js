// Settings › Audit log: who changed what, newest first, filtered by action, actor and stack,
// in pages. The API answers the newest N entries only, so the page asks for a batch and
// filters and pages it here; "Load older" asks for a larger batch.
import { html, nothing } from 'lit';
import { Light, clock, showQuery } from './ui.js';
import { get } from './api.js';

const BATCH = 500;
const MAX = 10000;
const PAGE = 50;

/** Path segments that name an action, not a thing: kept as they are. */
const VERBS = new Set(['refresh', 'prune', 'validate', 'cache', 'create', 'restore', 'download', 'all', 'categories', 'list', 'test']);
const NAMED = /^(stack|peer|peers|tokens|trash|images|network|networks|container|templates|operations|backups?|history)$/;

/** The kind of a request, without its names and ids: `POST /api/stack/{name}/operation`. */
export function actionOf(e) {
  const parts = (e.path || '').split('?')[0].split('/');
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === 'nodes' && parts[i - 1] === 'api') parts[i + 1] = '{node}';
    else if (NAMED.test(parts[i]) && parts[i + 1] && !VERBS.has(parts[i + 1]) && !parts[i + 1].startsWith('{')) {
      parts[i + 1] = parts[i] === 'stack' ? '{name}' : '{id}';
    }
  }
  return `${e.method} ${parts.join('/')}`;
}

class Audit extends Light {
  static properties = {
    query: { attribute: false },
    entries: { state: true },
    limit: { state: true },
    error: { state: true },
    action: { state: true },
    actor: { state: true },
    stack: { state: true },
    page: { state: true },
  };

  constructor() {
    super();
    this.entries = null;
    this.limit = BATCH;
    this.error = '';
    this.page = 0;
  }

  connectedCallback() {
    super.connectedCallback();
    const q = this.query || new URLSearchParams();
    this.action = q.get('action') || '';
    this.actor = q.get('actor') || '';
    this.stack = q.get('stack') || '';
    this.load();
  }

  async load() {
    try {
      this.entries = (await get(`/api/audit?limit=${this.limit}`)).entries || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  older() {
    this.limit = Math.min(MAX, this.limit + BATCH * 2);
    this.load();
  }

  set(name, value) {
    this[name] = value;
    this.page = 0;
    showQuery('settings/audit', null, { action: this.action, actor: this.actor, stack: this.stack });
  }

  render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.entries) return html`<p class="muted">Loading…</p>`;
    const all = this.entries;
    const distinct = (fn) => [...new Set(all.map(fn).filter(Boolean))].sort();
    const rows = all.filter((e) => (!this.action || actionOf(e) === this.action) && (!this.actor || e.credential === this.actor)
      && (!this.stack || e.stack === this.stack));
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    const page = Math.min(this.page, pages - 1);
    const shown = rows.slice(page * PAGE, (page + 1) * PAGE);
    const sel = (name, label, options) => html`<div class="field"><label for="au-${name}">${label}</label>
      <select id="au-${name}" @change=${(e) => this.set(name, e.target.value)}>
        <option value="" ?selected=${!this[name]}>All</option>
        ${options.map((o) => html`<option value=${o} ?selected=${this[name] === o}>${o}</option>`)}
        ${this[name] && !options.includes(this[name]) ? html`<option value=${this[name]} selected>${this[name]}</option>` : nothing}
      </select></div>`;
    return html`<p class="muted">Every change made with a valid credential, and every sign-in. The newest ${all.length} entries are loaded.</p>
      <form class="filters" role="search" @submit=${(e) => e.preventDefault()}>
        ${sel('action', 'Action', distinct(actionOf))}${sel('actor', 'Actor', distinct((e) => e.credential))}${sel('stack', 'Stack', distinct((e) => e.stack))}
      </form>
      <p id="audit-count">${rows.length === all.length ? `${rows.length} entries` : `${rows.length} of ${all.length} entries match`}</p>
      ${shown.length ? html`<div class="table-wrap"><table class="cards-narrow audit" aria-describedby="audit-count" aria-label="Audit log">
        <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Stack</th><th scope="col">Result</th><th scope="col">Client</th></tr></thead>
        <tbody>${shown.map((e) => html`<tr>
          <td data-label="Time"><time datetime=${e.time}>${clock(e.time)}</time></td>
          <td data-label="Actor"><code>${e.credential}</code></td>
          <td data-label="Action"><code>${e.method} ${e.path}</code></td>
          <td data-label="Stack">${e.stack || html`<span class="muted">–</span>`}</td>
          <td data-label="Result" class=${e.status < 400 ? 'op-ok' : 'op-fail'}>${e.status}</td>
          <td data-label="Client"><code>${e.client}</code></td></tr>`)}</tbody></table></div>` : html`<p class="empty">No entry matches.</p>`}
      <nav class="pager" aria-label="Audit log pages">
        <button class="btn btn-small" ?disabled=${page === 0} @click=${() => { this.page = page - 1; }}>Newer</button>
        <span>Page ${page + 1} of ${pages}</span>
        <button class="btn btn-small" ?disabled=${page >= pages - 1} @click=${() => { this.page = page + 1; }}>Older</button>
        ${all.length >= this.limit && this.limit < MAX ? html`<button class="btn btn-small" @click=${this.older}>Load older entries</button>` : nothing}
      </nav>`;
  }
}
customElements.define('dockup-audit', Audit);
