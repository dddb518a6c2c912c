// One stack's page (#/nodes/<node>/stacks/<name>): status and actions, services and their
// containers (with live CPU and memory), the operation terminal, and tabs for logs, the compose
// file, the .env file and updates. Details are read again when the feed says the stack changed.
import { html, nothing } from 'lit';
import { Light, statusBadge, healthBadge, since, percent, bytes, toast, confirmDialog } from './ui.js';
import { get, del, post, stackPath } from './api.js';
import { keyOf } from './store.js';
import { runOperation, checkUpdates, updateNow } from './ops.js';
import './panels.js';
import './compose.js';
import './updates.js';

const TABS = [['logs', 'Logs'], ['compose', 'Compose file'], ['env', 'Environment'], ['updates', 'Updates']];

class StackPage extends Light {
  static properties = {
    store: { attribute: false },
    ref: { attribute: false },
    detail: { state: true },
    error: { state: true },
    tab: { state: true },
    busy: { state: true },
    deleted: { state: true },
  };

  constructor() {
    super();
    this.tab = 'logs';
    this.detail = null;
    this.error = '';
    this.busy = '';
    this.deleted = null;
  }

  get key() {
    return keyOf(this.ref);
  }

  connectedCallback() {
    super.connectedCallback();
    this.listen();
    this.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    if (this.off) this.off();
    clearTimeout(this.reloadTimer);
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
          <th scope="col">Image</th><th scope="col">Up for</th><th scope="col">Ports</th><th scope="col">CPU</th><th scope="col">Memory</th>
          <th scope="col">Service actions</th></tr></thead>
        <tbody>${services.map((svc) => {
          const list = containers.filter((c) => c.service === svc);
          if (!list.length) {
            return html`<tr><th scope="row" data-label="Service">${svc}</th><td colspan="8" class="muted" data-label="Container">not created</td>
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
              <td data-label="Up for">${c.state === 'running' ? since(c.started_at) : '–'}</td>
              <td data-label="Ports">${ports(c).length ? ports(c) : html`<span class="muted">–</span>`}</td>
              <td data-label="CPU" class="num">${st ? percent(st.cpu_percent) : '–'}</td>
              <td data-label="Memory" class="num">${st ? bytes(st.mem_bytes) : '–'}</td>
              <td data-label="Actions">${i === 0 ? svcActions(svc) : nothing}</td></tr>`;
          });
        })}</tbody></table></div>
    </section>`;
  }

  renderTabs() {
    const tabs = this.ref.peer ? [] : TABS;
    if (!tabs.length) return html`<p class="muted">Logs, files and updates of a peer's stack are managed on the peer itself.</p>`;
    const key = (e) => {
      const i = tabs.findIndex(([id]) => id === this.tab);
      const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
      if (next === null) return;
      this.tab = tabs[(next + tabs.length) % tabs.length][0];
      this.updateComplete.then(() => this.querySelector(`#tab-${this.tab}`)?.focus());
    };
    const s = this.item;
    return html`<div class="tabs" role="tablist" aria-label="Stack details" @keydown=${key}>
        ${tabs.map(([id, label]) => html`<button role="tab" id="tab-${id}" aria-controls="panel-${id}" aria-selected=${this.tab === id}
          tabindex=${this.tab === id ? 0 : -1} @click=${() => { this.tab = id; }}>${label}</button>`)}
      </div>
      <div class="tab-panel card" role="tabpanel" id="panel-${this.tab}" aria-labelledby="tab-${this.tab}">
        ${this.tab === 'logs' ? html`<dockup-logs .ref=${this.ref} .services=${s?.services || []}></dockup-logs>` : nothing}
        ${this.tab === 'compose' ? html`<dockup-compose .ref=${this.ref} .store=${this.store} ?readonly=${!!s?.external}></dockup-compose>` : nothing}
        ${this.tab === 'env' ? html`<dockup-env .ref=${this.ref} ?readonly=${!!s?.external}></dockup-env>` : nothing}
        ${this.tab === 'updates' ? html`<dockup-updates .ref=${this.ref}></dockup-updates>` : nothing}
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
          <span class="muted">${s.running ?? 0}/${s.containers ?? 0} running</span>
          ${s.update_available ? html`<span class="upd-yes"><span aria-hidden="true">⬆</span> Update available</span>` : nothing}
          ${s.external ? html`<span class="tag">external: read-only</span>` : nothing}</div>` : nothing}
      </div>
      ${this.deleted ? html`<div class="notice" role="status">This stack was deleted and is in the trash.
          ${this.deleted.trash_id && this.ref.node ? html`<button class="btn" @click=${this.restore}>Restore from trash</button>` : nothing}</div>` : nothing}
      ${this.error && !this.deleted ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
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
