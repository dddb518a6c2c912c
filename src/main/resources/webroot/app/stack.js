// One stack's page (#/nodes/<node>/stacks/<name>): status and actions, services and their
// containers (with live CPU and memory), the operation terminal, and tabs for logs, the compose
// file, the .env file, their history, updates and vulnerabilities; in a fleet, a move to another node. Details are read again when the feed says
// the stack changed; scan states change live from the feed's scan messages.
import { html, nothing } from 'lit';
import { Light, statusBadge, healthBadge, severityBadge, since, percent, bytes, toast, confirmDialog, announce } from './ui.js';
import { get, del, post, stackPath, nodePath, lazy } from './api.js';
import { keyOf } from './store.js';
import { runOperation, checkUpdates, updateNow } from './ops.js';
import './panels.js';
import './compose.js';
import './updates.js';

const TABS = [['logs', 'Logs'], ['compose', 'Compose file'], ['env', 'Environment'], ['history', 'History'], ['updates', 'Updates'],
  ['vulns', 'Vulnerabilities']];
/** Tabs whose panel is a module loaded when first opened. */
const LAZY_TABS = { vulns: () => import('./scans.js'), history: () => import('./history.js') };

class StackPage extends Light {
  static properties = {
    store: { attribute: false },
    ref: { attribute: false },
    detail: { state: true },
    error: { state: true },
    tab: { state: true },
    busy: { state: true },
    deleted: { state: true },
    moved: { state: true },
    scan: { state: true },
    tabsLoaded: { state: true },
  };

  constructor() {
    super();
    this.tab = 'logs';
    /** The stack's scan summary; {unavailable: reason} when the node has no scanner. */
    this.scan = null;
    /** image_id → {status, queue_position}: scans asked for here that the feed has not reported yet. */
    this.asked = new Map();
    this.tabsLoaded = new Set();
    this.detail = null;
    this.error = '';
    this.busy = '';
    this.deleted = null;
    /** {node} once the stack was moved to another node. */
    this.moved = null;
  }

  get key() {
    return keyOf(this.ref);
  }

  connectedCallback() {
    super.connectedCallback();
    this.listen();
    this.load();
    this.loadScan();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    if (this.off) this.off();
    if (this.offScans) this.offScans();
    this.offNodes?.();
    clearTimeout(this.reloadTimer);
    clearTimeout(this.scanTimer);
  }

  listen() {
    if (this.off) this.off();
    const key = this.key;
    let status = this.store.stacks.get(key);
    this.off = this.store.onKey(key, () => {
      const now = this.store.stacks.get(key);
      // A stack_status (a container started, stopped, died…) asks for the details once more.
      if (now !== status) {
        status = now;
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => this.load(), 150);
      }
      this.requestUpdate();
    });
    if (this.offScans) this.offScans();
    this.offNodes?.();
    // "Move…" is offered while another node answers.
    this.offNodes = this.store.onNodes(() => this.requestUpdate());
    this.offScans = this.store.onMessage((m, k) => {
      if (k !== key || (m.type !== 'scan_started' && m.type !== 'scan_complete')) return;
      this.asked.delete(m.image_id);
      if (m.type === 'scan_complete') {
        announce(`Scan of ${m.image} ${m.status === 'failed' ? `failed: ${m.error || 'no result'}` : 'complete'}.`);
        clearTimeout(this.scanTimer);
        this.scanTimer = setTimeout(() => this.loadScan(), 300);
      }
    });
  }

  async loadScan() {
    if (this.ref.peer) return;
    const key = this.key;
    try {
      const s = await get(stackPath(this.ref, '/scan-summary'));
      if (key === this.key) this.scan = s;
    } catch (err) {
      if (key === this.key) this.scan = { unavailable: err.status === 503 ? err.message : '', error: err.message };
    }
  }

  /** The scan state of an image: what the feed said last, else what was asked here, else the summary. */
  imageScan(imageId) {
    const live = this.store.scans.get(`${this.ref.node}/${imageId}`);
    const asked = this.asked.get(imageId);
    const summary = (this.scan?.images || []).find((i) => i.image_id === imageId);
    if (asked && (!live || live.status !== 'scanning')) return asked;
    return live || summary || { status: 'not_scanned' };
  }

  /** Whether an image of this stack is being scanned or waits its turn. */
  scanningNow() {
    if (!this.scan || this.scan.unavailable !== undefined) return false;
    return (this.detail?.container_list || []).some((c) => ['scanning', 'queued'].includes(this.imageScan(c.image_id).status));
  }

  async scanContainer(c) {
    try {
      const r = await post(nodePath(this.ref.node, `/container/${encodeURIComponent(c.id)}/scan?force=true`));
      if (r.status === 'queued' || r.status === 'scanning') this.asked.set(c.image_id, { status: r.status, queue_position: r.queue_position });
      this.requestUpdate();
      announce(`Scan of ${c.image} ${r.status === 'queued' ? `queued (position ${r.queue_position || '?'})` : 'started'}.`);
    } catch (err) {
      toast(`Scanning ${c.image} failed: ${err.message}`, 'error');
    }
  }

  async scanStack() {
    this.busy = 'scan';
    try {
      const r = await post(stackPath(this.ref, '/scan?force=true'));
      for (const i of r.images || []) if (i.status === 'queued' || i.status === 'scanning') this.asked.set(i.image_id, { status: i.status, queue_position: i.queue_position });
      this.requestUpdate();
      announce(`Scanning the images of ${this.ref.name}.`);
    } catch (err) {
      toast(`Scanning ${this.ref.name} failed: ${err.message}`, 'error');
    } finally {
      this.busy = '';
    }
  }

  async load() {
    const key = this.key;
    try {
      const d = await get(stackPath(this.ref));
      if (key !== this.key) return;
      this.detail = d;
      this.error = '';
    } catch (err) {
      if (key !== this.key) return;
      this.error = err.status === 404 ? 'This stack does not exist (any more).' : err.message;
      this.detail = null;
    }
  }

  get item() {
    return this.store.stacks.get(this.key) || this.detail;
  }

  async op(operation, services) {
    this.busy = operation;
    this.terminal()?.mark(`${operation}${services ? ` ${services.join(' ')}` : ''}`);
    try {
      await runOperation(this.store, this.ref, operation, { services });
    } finally {
      this.busy = '';
    }
  }

  terminal() {
    return this.querySelector('dockup-terminal');
  }

  async check() {
    this.busy = 'check';
    try {
      await checkUpdates(this.ref);
      this.querySelector('dockup-updates')?.load();
    } finally {
      this.busy = '';
    }
  }

  async updateStack() {
    this.busy = 'update';
    this.terminal()?.mark('update now: pull, then up');
    try {
      await updateNow(this.store, this.ref);
    } finally {
      this.busy = '';
    }
  }

  async deleteStack() {
    const name = this.ref.name;
    const r = await confirmDialog({
      title: `Delete stack “${name}”?`,
      body: html`<p>This runs <code>down</code> for <strong>${name}</strong> on ${this.ref.node}, then moves its folder to the
        trash, where it is kept 30 days.</p>`,
      extra: html`<label class="check"><input type="checkbox" name="images"> Also remove its images that nothing else uses</label>`,
      confirm: `Delete ${name}`,
      danger: true,
    });
    if (!r) return;
    this.busy = 'delete';
    try {
      const res = await del(stackPath(this.ref, r.data?.get('images') ? '?delete_images=true' : ''));
      this.deleted = { trash_id: res.trash_id };
      toast(`Stack ${name} deleted; it is in the trash.`, 'ok');
    } catch (err) {
      toast(`Deleting ${name} failed: ${err.message}`, 'error');
    } finally {
      this.busy = '';
    }
  }

  async moveToNode() {
    try {
      const { moveStack } = await lazy(() => import('./move.js'));
      await moveStack(this);
      if (this.moved) {
        await this.updateComplete;
        this.querySelector('#moved a')?.focus();
      }
    } catch {
      toast('The move dialog could not be loaded. Check the connection, then reload the page.', 'error');
    }
  }

  /** Another node of the fleet answers: the stack could move there. */
  canMove() {
    return !this.ref.peer && [...this.store.nodes.values()].some((n) => n.name !== this.ref.node && n.reachable);
  }

  async restore() {
    try {
      const at = this.ref.node ? `/api/nodes/${encodeURIComponent(this.ref.node)}` : '/api';
      await post(`${at}/trash/${encodeURIComponent(this.deleted.trash_id)}/restore`);
      this.deleted = null;
      toast(`Stack ${this.ref.name} restored.`, 'ok');
      this.load();
    } catch (err) {
      toast(`Restore failed: ${err.message}`, 'error');
    }
  }

  renderActions(s) {
    const ro = !s || s.external || this.busy;
    const b = (op, label, extra = {}) => html`<button class="btn ${extra.cls || ''}" ?disabled=${ro || extra.off}
      @click=${extra.run || (() => this.op(op))}>${label}</button>`;
    return html`<div class="actions" role="group" aria-label="Stack actions">
      ${b('up', 'Up', { cls: 'btn-primary' })}${b('restart', 'Restart')}${b('stop', 'Stop', { off: s?.self })}
      ${b('down', 'Down', { off: s?.self })}${b('pull', 'Pull')}
      <button class="btn" ?disabled=${!s || this.busy || s.external} @click=${this.check}>Check updates</button>
      <button class="btn" ?disabled=${ro} @click=${this.updateStack}>Update now</button>
      ${this.ref.peer || this.scan?.unavailable !== undefined ? nothing
        : html`<button class="btn" ?disabled=${!s || !!this.busy || !s.running} @click=${this.scanStack}>Scan images</button>`}
      ${this.canMove() ? html`<button class="btn" ?disabled=${ro || s?.self} @click=${this.moveToNode}>Move to another node…</button>` : nothing}
      ${this.ref.peer ? nothing : html`<button class="btn btn-danger" ?disabled=${ro || s?.self} @click=${this.deleteStack}>Delete…</button>`}
    </div>`;
  }

  renderServices(s) {
    const d = this.detail;
    const containers = d?.container_list || [];
    const stats = new Map((this.store.stats.get(this.key)?.containers || []).map((c) => [c.id, c]));
    const services = [...new Set([...(s?.services || []), ...containers.map((c) => c.service)])].filter(Boolean);
    const ro = !s || s.external || !!this.busy || !!this.ref.peer;
    const host = location.hostname;
    const ports = (c) => (c.ports || []).filter((p) => p.public).map((p) => {
      const label = `${p.public}→${p.private}/${p.type}`;
      return p.type === 'tcp'
        ? html`<a href="http://${host.includes(':') ? `[${host}]` : host}:${p.public}/" target="_blank" rel="noopener noreferrer">${label}</a> `
        : html`<span>${label}</span> `;
    });
    const svcActions = (svc) => html`<div class="row-actions">
      ${['up', 'restart', 'stop', 'pull'].map((op) => html`<button class="btn btn-small" ?disabled=${ro}
        @click=${() => this.op(op, [svc])} aria-label="${op[0].toUpperCase() + op.slice(1)} service ${svc}">${op[0].toUpperCase() + op.slice(1)}</button>`)}</div>`;
    return html`<section aria-labelledby="svc-h" class="card">
      <h2 id="svc-h">Services and containers</h2>
      <div class="table-wrap"><table class="containers">
        <thead><tr><th scope="col">Service</th><th scope="col">Container</th><th scope="col">State</th><th scope="col">Health</th>
          <th scope="col">Image</th><th scope="col">Vulnerabilities</th><th scope="col">Up for</th><th scope="col">Ports</th><th scope="col">CPU</th><th scope="col">Memory</th>
          <th scope="col">Service actions</th></tr></thead>
        <tbody>${services.map((svc) => {
          const list = containers.filter((c) => c.service === svc);
          if (!list.length) {
            return html`<tr><th scope="row" data-label="Service">${svc}</th><td colspan="9" class="muted" data-label="Container">not created</td>
              <td data-label="Actions">${svcActions(svc)}</td></tr>`;
          }
          return list.map((c, i) => {
            const st = stats.get(c.id);
            return html`<tr data-container=${c.name}>
              <th scope="row" data-label="Service">${svc}</th>
              <td data-label="Container"><code>${c.name}</code></td>
              <td data-label="State" class="state-${c.state}">${c.status || c.state}</td>
              <td data-label="Health">${c.health || html`<span class="muted">none</span>`}</td>
              <td data-label="Image"><code>${c.image}</code></td>
              <td data-label="Vulnerabilities" class="c-scan">${this.renderContainerScan(c)}</td>
              <td data-label="Up for">${c.state === 'running' ? since(c.started_at) : '–'}</td>
              <td data-label="Ports">${ports(c).length ? ports(c) : html`<span class="muted">–</span>`}</td>
              <td data-label="CPU" class="num">${st ? percent(st.cpu_percent) : '–'}</td>
              <td data-label="Memory" class="num">${st ? bytes(st.mem_bytes) : '–'}</td>
              <td data-label="Actions">${i === 0 ? svcActions(svc) : nothing}</td></tr>`;
          });
        })}</tbody></table></div>
    </section>`;
  }

  renderContainerScan(c) {
    if (this.ref.peer || !this.scan) return html`<span class="muted">–</span>`;
    if (this.scan.unavailable !== undefined) return html`<span class="muted" title=${this.scan.error}>No scanner</span>`;
    const st = this.imageScan(c.image_id);
    let state;
    if (st.status === 'scanning') state = html`<span class="badge op-running"><span aria-hidden="true">⟳</span> Scanning…</span>`;
    else if (st.status === 'queued') state = html`<span class="badge op-running"><span aria-hidden="true">…</span> Queued${st.queue_position ? ` (${st.queue_position})` : ''}</span>`;
    else if (st.status === 'failed') state = html`<span class="badge op-fail" title=${st.error || ''}><span aria-hidden="true">✕</span> Scan failed</span>`;
    else state = severityBadge(st.status === 'not_scanned' ? null : st.vulnerabilities);
    const busy = st.status === 'scanning' || st.status === 'queued';
    return html`<span class="scan-state" data-scan=${st.status}>${state}</span>
      <button class="btn btn-small" ?disabled=${busy || c.state !== 'running'} @click=${() => this.scanContainer(c)}
        aria-label="Scan ${c.name} now">Scan</button>`;
  }

  updated() {
    // The Vulnerabilities tab shows this page's scan states: it is redrawn with the page.
    this.querySelector('dockup-scans')?.requestUpdate();
  }

  async openTab(id) {
    this.tab = id;
    if (!LAZY_TABS[id] || this.tabsLoaded.has(id)) return;
    try {
      await lazy(LAZY_TABS[id]);
      this.tabsLoaded = new Set([...this.tabsLoaded, id]);
    } catch {
      toast('This panel could not be loaded. Check the connection, then reload the page.', 'error');
    }
  }

  renderTabs() {
    const tabs = this.ref.peer ? [] : TABS;
    if (!tabs.length) return html`<p class="muted">Logs, files and updates of a peer's stack are managed on the peer itself.</p>`;
    const key = (e) => {
      const i = tabs.findIndex(([id]) => id === this.tab);
      const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
      if (next === null) return;
      this.openTab(tabs[(next + tabs.length) % tabs.length][0]);
      this.updateComplete.then(() => this.querySelector(`#tab-${this.tab}`)?.focus());
    };
    const s = this.item;
    return html`<div class="tabs" role="tablist" aria-label="Stack details" @keydown=${key}>
        ${tabs.map(([id, label]) => html`<button role="tab" id="tab-${id}" aria-controls="panel-${id}" aria-selected=${this.tab === id}
          tabindex=${this.tab === id ? 0 : -1} @click=${() => this.openTab(id)}>${label}</button>`)}
      </div>
      <div class="tab-panel card" role="tabpanel" id="panel-${this.tab}" aria-labelledby="tab-${this.tab}">
        ${this.tab === 'logs' ? html`<dockup-logs .ref=${this.ref} .services=${s?.services || []}></dockup-logs>` : nothing}
        ${this.tab === 'compose' ? html`<dockup-compose .ref=${this.ref} .store=${this.store} ?readonly=${!!s?.external}></dockup-compose>` : nothing}
        ${this.tab === 'env' ? html`<dockup-env .ref=${this.ref} ?readonly=${!!s?.external}></dockup-env>` : nothing}
        ${this.tab === 'history' ? (this.tabsLoaded.has('history')
          ? html`<dockup-history .ref=${this.ref} .store=${this.store} ?readonly=${!!s?.external}></dockup-history>` : html`<p class="muted">Loading…</p>`) : nothing}
        ${this.tab === 'updates' ? html`<dockup-updates .ref=${this.ref} .scanning=${!!this.scan && this.scan.unavailable === undefined}></dockup-updates>` : nothing}
        ${this.tab === 'vulns' ? (this.tabsLoaded.has('vulns')
          ? html`<dockup-scans .ref=${this.ref} .store=${this.store} .page=${this}></dockup-scans>` : html`<p class="muted">Loading…</p>`) : nothing}
      </div>`;
  }

  render() {
    const s = this.item;
    const where = this.ref.peer ? `peer ${this.ref.peer}` : `node ${this.ref.node}`;
    return html`<main id="main" class="page" tabindex="-1">
      <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fleet</a> <span aria-hidden="true">›</span> ${where}</nav>
      <div class="page-head">
        <h1 tabindex="-1">${this.ref.name}</h1>
        ${s ? html`<div class="badges" id="stack-state">${statusBadge(s.status)} ${healthBadge(s.health_status)}
          ${this.ref.peer ? nothing : html`<span id="stack-vulns">${this.scanningNow()
            ? html`<span class="badge op-running"><span aria-hidden="true">⟳</span> Scanning…</span>` : severityBadge(s.vulnerabilities)}</span>`}
          <span class="muted">${s.running ?? 0}/${s.containers ?? 0} running</span>
          ${s.update_available ? html`<span class="upd-yes"><span aria-hidden="true">⬆</span> Update available</span>` : nothing}
          ${s.external ? html`<span class="tag">external: read-only</span>` : nothing}</div>` : nothing}
      </div>
      ${this.deleted ? html`<div class="notice" role="status">This stack was deleted and is in the trash.
          ${this.deleted.trash_id && this.ref.node ? html`<button class="btn" @click=${this.restore}>Restore from trash</button>` : nothing}</div>` : nothing}
      ${this.moved ? html`<div class="notice" role="status" id="moved">This stack now runs on <strong>${this.moved.node}</strong>; here it is in
          the trash. <a href="#/nodes/${encodeURIComponent(this.moved.node)}/stacks/${encodeURIComponent(this.ref.name)}">Open ${this.ref.name}
          on ${this.moved.node}</a></div>` : nothing}
      ${this.error && !this.deleted && !this.moved ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.renderActions(s)}
      ${this.busy ? html`<p class="muted" aria-hidden="true">Running ${this.busy}…</p>` : nothing}
      <div class="stack-grid">
        ${this.renderServices(s)}
        <section aria-labelledby="term-h" class="card">
          <h2 id="term-h">Operation output</h2>
          <dockup-terminal .store=${this.store} .stackKey=${this.key}></dockup-terminal>
        </section>
      </div>
      ${this.renderTabs()}
    </main>`;
  }
}
customElements.define('dockup-stack-page', StackPage);
