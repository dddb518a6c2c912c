// The host of the node serving this page: disk used by each stack's data (bind mounts and
// volumes, as a bar chart), Docker Hub's pull allowance, and the versions of DockUp, the engine
// and compose (every node's DockUp version in a fleet).
import { html, nothing } from 'lit';
import { Light, bytes, clock, percent, since, announce } from './ui.js';
import { get } from './api.js';

const SHOWN = 30;
/** After "Measure again", the answer is asked again at these delays until the walk ends, then no more. */
const FOLLOW_UP_MS = [2000, 4000, 8000, 15000, 30000];

class Host extends Light {
  static properties = {
    store: { attribute: false },
    appdata: { state: true },
    appdataError: { state: true },
    hub: { state: true },
    hubError: { state: true },
    version: { state: true },
    stats: { state: true },
    all: { state: true },
  };

  constructor() {
    super();
    this.appdata = null;
    this.appdataError = '';
    this.hub = null;
    this.hubError = '';
    this.version = null;
    this.stats = null;
    this.all = false;
  }

  connectedCallback() {
    super.connectedCallback();
    this.loadAppdata();
    get('/api/version').then((v) => { this.version = v; }).catch((err) => { this.version = { error: err.message }; });
    get('/api/host/stats').then((s) => { this.stats = s; }).catch(() => {});
    get('/api/nodes').then((r) => {
      this.store.learnNodes(r.nodes);
      this.requestUpdate();
    }).catch(() => {});
    this.loadHub();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this.followUp);
  }

  async loadAppdata(refresh = false, step = 0) {
    clearTimeout(this.followUp);
    try {
      this.appdata = await get(`/api/appdata/sizes${refresh ? '?refresh=true' : ''}`);
      this.appdataError = '';
      // A walk the user asked for: its end is asked for a few times, then the page stops asking.
      if (this.appdata.refreshing && step < FOLLOW_UP_MS.length) {
        this.followUp = setTimeout(() => this.loadAppdata(false, step + 1), FOLLOW_UP_MS[step]);
      } else if (step > 0 && !this.appdata.refreshing) {
        announce('Disk use measured again.');
      }
    } catch (err) {
      this.appdataError = err.message;
    }
  }

  async loadHub() {
    this.hub = null;
    this.hubError = '';
    try {
      this.hub = await get('/api/docker-hub/rate-limit');
    } catch (err) {
      this.hubError = err.message;
    }
  }

  renderAppdata() {
    const a = this.appdata;
    if (this.appdataError) return html`<p class="error" role="alert">${this.appdataError}</p>`;
    if (!a) return html`<p class="muted">Loading…</p>`;
    const rows = Object.entries(a.stacks || {}).map(([name, s]) => ({ name, ...s })).sort((x, y) => y.bytes - x.bytes);
    const measured = rows.filter((r) => r.bytes > 0);
    const unseen = rows.filter((r) => r.bytes < 0);
    const shown = this.all ? measured : measured.slice(0, SHOWN);
    const max = Math.max(1, ...measured.map((r) => r.bytes));
    const total = measured.reduce((n, r) => n + r.bytes, 0);
    return html`<p class="muted">${a.updated_at ? html`Measured ${clock(a.updated_at)} (${since(a.updated_at)} ago).` : 'Not measured yet.'}
        ${a.refreshing ? html`<strong>Measuring now…</strong>` : nothing} ${bytes(total)} in ${measured.length} stacks;
        ${rows.length - measured.length - unseen.length} use nothing measurable.</p>
      ${measured.length ? html`<table class="bars" aria-label="Disk used by each stack's data">
        <thead><tr><th scope="col">Stack</th><th scope="col" class="num">Size</th><th scope="col"><span class="visually-hidden">Share of the largest</span></th></tr></thead>
        <tbody>${shown.map((r) => html`<tr>
          <th scope="row"><code>${r.name}</code><div class="muted small">${[...(r.paths || []).map((p) => p.path), ...(r.volumes || []).map((v) => `volume ${v.name}`)].slice(0, 3).join(', ')}</div></th>
          <td class="num">${bytes(r.bytes)}</td>
          <td class="bar-cell" aria-hidden="true"><span class="bar" style="width:${Math.max(1, (100 * r.bytes) / max).toFixed(1)}%"></span></td>
        </tr>`)}</tbody></table>` : html`<p class="empty">No stack keeps data DockUp can measure.</p>`}
      ${measured.length > SHOWN ? html`<button class="btn btn-link" aria-expanded=${this.all} @click=${() => { this.all = !this.all; }}>
        ${this.all ? `Show the largest ${SHOWN}` : `Show all ${measured.length}`}</button>` : nothing}
      ${unseen.length ? html`<p class="notice">DockUp cannot see the data of ${unseen.map((r) => r.name).join(', ')} (a path outside what it can read).</p>` : nothing}`;
  }

  renderHub() {
    if (this.hubError) return html`<p class="error">${this.hubError}</p>`;
    const h = this.hub;
    if (!h) return html`<p class="muted">Asking Docker Hub…</p>`;
    if (h.unlimited) return html`<p><span class="state-ok" aria-hidden="true">●</span> No pull limit applies (${h.source || 'account'}).</p>`;
    return html`<p><strong>${h.remaining ?? '?'}</strong> of ${h.limit ?? '?'} pulls left${h.window_seconds ? ` per ${Math.round(h.window_seconds / 3600)} h` : ''}
      ${h.percentage != null ? html`(${percent(h.percentage)} left)` : nothing}<span class="muted">${h.source ? ` · counted per ${h.source}` : ''}</span></p>
      ${h.limit ? html`<meter class="meter" min="0" max=${h.limit} low=${h.limit * 0.2} high=${h.limit * 0.5} optimum=${h.limit} .value=${h.remaining ?? 0}
        aria-label="Docker Hub pulls left"></meter>` : nothing}`;
  }

  renderVersions() {
    const v = this.version;
    if (!v) return html`<p class="muted">Loading…</p>`;
    if (v.error) return html`<p class="error">${v.error}</p>`;
    const nodes = [...this.store.nodes.values()].filter((n) => n.version);
    const rows = [['Node', v.node], ['DockUp', v.dockup_version], ['Docker engine', `${v.docker_version} (API ${v.api_version}, ${v.engine_os}/${v.engine_arch})`],
      ['Compose', `${v.compose_version} (${v.compose_command})`], ['Java', v.java_version],
      ['Scanner', v.scanner ? `${v.scanner.name} ${v.scanner.version || ''}${v.scanner.mode ? ` (${v.scanner.mode})` : ''}` : 'none found']];
    return html`<dl class="facts">${rows.map(([k, val]) => html`<div><dt>${k}</dt><dd>${val ?? '–'}</dd></div>`)}</dl>
      ${nodes.length > 1 ? html`<h3>DockUp on each node</h3><ul class="plain">${nodes.map((n) => html`<li><strong>${n.name}</strong>: ${n.version}</li>`)}</ul>` : nothing}`;
  }

  render() {
    const s = this.stats;
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Host</h1></div>
      <p class="muted">The host of ${this.version?.node ? html`node <strong>${this.version.node}</strong>` : 'this node'} (the one serving this page).</p>
      ${s ? html`<dl class="facts facts-row">
        <div><dt>CPU</dt><dd>${percent(s.cpu_percent)}</dd></div>
        <div><dt>Memory</dt><dd>${percent(s.memory?.percent)} <span class="muted">of ${bytes(s.memory?.total)}</span></dd></div>
        <div><dt>Disk</dt><dd>${percent(s.disk?.percent)} <span class="muted">of ${bytes(s.disk?.total)}</span></dd></div>
        <div><dt>Containers</dt><dd>${s.containers?.running ?? '–'} running, ${s.containers?.stopped ?? '–'} stopped</dd></div>
        <div><dt>Up for</dt><dd>${s.uptime_seconds != null ? since(new Date(Date.now() - s.uptime_seconds * 1000).toISOString()) : '–'}</dd></div>
      </dl>` : nothing}
      <section class="card" aria-labelledby="appdata-h">
        <div class="editor-head"><h2 id="appdata-h">Stack data on disk</h2>
          <button class="btn btn-small" ?disabled=${this.appdata?.refreshing} @click=${() => this.loadAppdata(true)}>Measure again</button></div>
        ${this.renderAppdata()}
      </section>
      <div class="two-col">
        <section class="card" aria-labelledby="hub-h">
          <div class="editor-head"><h2 id="hub-h">Docker Hub pulls</h2><button class="btn btn-small" @click=${this.loadHub}>Ask again</button></div>
          ${this.renderHub()}
        </section>
        <section class="card" aria-labelledby="ver-h"><h2 id="ver-h">Versions</h2>${this.renderVersions()}</section>
      </div>
    </main>`;
  }
}
customElements.define('dockup-host', Host);
