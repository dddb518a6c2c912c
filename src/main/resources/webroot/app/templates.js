// The template gallery (#/templates: categories, search and source kept in the URL, one card per
// template) and a template's deploy form (#/templates/<id>: fields from its variables, its
// risks shown first, the target node in a fleet). A deploy creates the stack, starts it, and
// opens its page, where the output of `up` streams into the terminal.
import { html, nothing } from 'lit';
import { Light, toast, announce, showQuery } from './ui.js';
import { get, post, ApiError } from './api.js';
import { keyOf } from './store.js';
import { runOperation } from './ops.js';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const enc = encodeURIComponent;

const RISKS = {
  privileged: 'Privileged mode',
  host_network: 'Host network',
  host_namespace: 'Host namespaces',
  docker_socket: 'Docker socket',
  capabilities: 'Added capabilities',
  devices: 'Host devices',
  host_path: 'Host system folders',
  security_opt: 'Security options',
};
const riskName = (kind) => RISKS[kind] || kind.replace(/_/g, ' ');

/** A bundled logo (served by DockUp), else the title's first letter: the page loads nothing from other hosts. */
function logo(t, size) {
  if (t.logo && t.logo.startsWith('/api/')) {
    return html`<img class="tpl-logo" src=${t.logo} alt="" width=${size} height=${size} loading="lazy">`;
  }
  return html`<span class="tpl-logo tpl-letter" aria-hidden="true" style="--size:${size}px">${(t.title || t.id || '?')[0].toUpperCase()}</span>`;
}

function sourceLabel(t) {
  if (t.source === 'bundled') return 'Bundled';
  const host = (() => {
    try { return new URL(t.source_url).host; } catch { return ''; }
  })();
  return `${t.source}${host ? ` · ${host}` : ''}`;
}

class Templates extends Light {
  static properties = {
    store: { attribute: false },
    query: { attribute: false },
    list: { state: true },
    categories: { state: true },
    sources: { state: true },
    error: { state: true },
    refreshing: { state: true },
  };

  constructor() {
    super();
    this.list = null;
    this.categories = [];
    this.sources = [];
    this.error = '';
    this.refreshing = false;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    // A refresh started here or by anyone else reports on the feed; its end brings the new list.
    this.off = this.store.onMessage((m) => {
      if (m.type !== 'template_refresh') return;
      if (m.status === 'running') this.refreshing = true;
      if (m.status === 'done') {
        this.refreshing = false;
        this.load();
        announce('The template catalogs were refreshed.');
      }
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.off();
  }

  async load() {
    try {
      const [l, c] = await Promise.all([get('/api/templates/list'), get('/api/templates/categories')]);
      this.list = l.templates || [];
      this.sources = l.sources || [];
      this.categories = (c.categories || []).filter((x) => x.count > 0);
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  async refresh() {
    this.refreshing = true;
    try {
      await post('/api/templates/refresh?async=true');
      announce('Refreshing the template catalogs…');
    } catch (err) {
      this.refreshing = false;
      toast(`Refreshing the catalogs failed: ${err.message}`, 'error');
    }
  }

  get f() {
    const q = this.query || new URLSearchParams();
    return { q: q.get('q') || '', category: q.get('category') || '', source: q.get('source') || '' };
  }

  setFilter(name, value) {
    this.query = showQuery('templates', this.query, { [name]: value });
  }

  filtered() {
    const f = this.f;
    const needle = f.q.trim().toLowerCase();
    return (this.list || []).filter((t) => (!f.category || (t.categories || []).includes(f.category))
      && (!f.source || t.source === f.source || t.source_url === f.source)
      && (!needle || `${t.title} ${t.description || ''} ${t.id}`.toLowerCase().includes(needle)));
  }

  renderFilters() {
    const f = this.f;
    const remote = this.sources.map((s) => [s.url, `${s.format}: ${s.url}`]);
    return html`<form class="filters" role="search" @submit=${(e) => e.preventDefault()}>
      <div class="field field-grow"><label for="t-q">Search templates</label>
        <input id="t-q" type="search" placeholder="Name or description" .value=${f.q} @input=${(e) => this.setFilter('q', e.target.value)}></div>
      <div class="field"><label for="t-category">Category</label>
        <select id="t-category" @change=${(e) => this.setFilter('category', e.target.value)}>
          <option value="" ?selected=${!f.category}>All categories</option>
          ${this.categories.map((c) => html`<option value=${c.name} ?selected=${f.category === c.name}>${c.name} (${c.count})</option>`)}
        </select></div>
      <div class="field"><label for="t-source">Source</label>
        <select id="t-source" @change=${(e) => this.setFilter('source', e.target.value)}>
          <option value="" ?selected=${!f.source}>All sources</option>
          <option value="bundled" ?selected=${f.source === 'bundled'}>Bundled with DockUp</option>
          ${remote.map(([v, t]) => html`<option value=${v} ?selected=${f.source === v}>${t}</option>`)}
        </select></div>
    </form>`;
  }

  renderCard(t) {
    return html`<li class="card tpl-card">
      <div class="tpl-head">${logo(t, 40)}<h3><a href="#/templates/${enc(t.id)}">${t.title}</a></h3></div>
      <p class="tpl-desc">${t.description || html`<span class="muted">No description.</span>`}</p>
      <div class="tpl-tags">
        ${(t.categories || []).map((c) => html`<span class="tag">${c}</span>`)}
        ${t.source === 'bundled' ? nothing : html`<span class="tag">${sourceLabel(t)}</span>`}
        ${(t.risks || []).length ? html`<span class="tag tag-warn" title=${t.risks.map(riskName).join(', ')}><span aria-hidden="true">⚠</span> Risky settings</span>` : nothing}
        ${t.deployable === false ? html`<span class="tag">Not deployable</span>` : nothing}
      </div>
    </li>`;
  }

  render() {
    const shown = this.filtered();
    const failed = this.sources.filter((s) => !s.ok && s.error);
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Templates</h1>
        <div class="page-actions">
          <a class="btn" href="#/new">Empty stack</a>
          <button class="btn" ?disabled=${this.refreshing} @click=${this.refresh}>${this.refreshing ? 'Refreshing catalogs…' : 'Refresh catalogs'}</button>
        </div></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${failed.map((s) => html`<p class="notice">The catalog <code>${s.url}</code> could not be read: ${s.error}${s.fetched_at ? ' (its last good copy is shown)' : ''}.</p>`)}
      ${this.renderFilters()}
      <h2 class="count-line"><span id="tpl-count">${this.list ? `${shown.length} of ${this.list.length} templates` : 'Loading templates…'}</span></h2>
      ${this.list && !shown.length ? html`<p class="empty">No template matches these filters.</p>` : nothing}
      <ul class="tpl-grid" aria-label="Templates">${shown.map((t) => this.renderCard(t))}</ul>
    </main>`;
  }
}
customElements.define('dockup-templates', Templates);

class TemplatePage extends Light {
  static properties = {
    store: { attribute: false },
    templateId: { attribute: false },
    query: { attribute: false },
    t: { state: true },
    error: { state: true },
    nameError: { state: true },
    busy: { state: true },
    name: { state: true },
  };

  constructor() {
    super();
    this.t = null;
    this.error = '';
    this.nameError = '';
    this.busy = false;
    this.name = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    // Which node serves this page: the default target (the overview may not have said it yet).
    get('/api/nodes').then((r) => {
      for (const n of r.nodes || []) Object.assign(this.store.node(n.name), { self: !!n.self, version: n.version });
      this.requestUpdate();
    }).catch(() => {});
  }

  async load() {
    try {
      this.t = await get(`/api/templates/${enc(this.templateId)}`);
      this.name = this.t.id.slice(0, 63);
      this.error = '';
    } catch (err) {
      this.error = err.status === 404 ? 'There is no such template (any more).' : err.message;
    }
  }

  nodes() {
    return [...this.store.nodes.values()].filter((n) => n.reachable).sort((a, b) => (b.self - a.self) || a.name.localeCompare(b.name));
  }

  selfNode() {
    const n = this.nodes();
    return (n.find((x) => x.self) || n[0])?.name || '';
  }

  checkName(node) {
    if (!this.name) return 'Give the stack a name.';
    if (!NAME.test(this.name)) return 'Use 1–63 lower-case letters, digits, “-” or “_”, starting with a letter or digit.';
    if (this.store.stacks.has(keyOf({ node, name: this.name }))) return `A stack named ${this.name} already exists on ${node}.`;
    return '';
  }

  async deploy(e) {
    e.preventDefault();
    const form = new FormData(e.target);
    const node = form.get('node') || this.selfNode();
    this.error = '';
    this.nameError = this.checkName(node);
    if (this.nameError) {
      this.querySelector('#tpl-name').focus();
      return;
    }
    const env = {};
    for (const f of this.t.env || []) {
      if (f.preset) continue;
      const v = String(form.get(`env-${f.name}`) ?? '');
      if (v.trim()) env[f.name] = v;
    }
    const missing = (this.t.env || []).filter((f) => f.required && !f.preset && !f.generate && !env[f.name] && !f.default);
    if (missing.length) {
      this.error = `Fill in the required ${missing.length > 1 ? 'fields' : 'field'}: ${missing.map((f) => f.label || f.name).join(', ')}.`;
      this.querySelector(`[name="env-${CSS.escape(missing[0].name)}"]`)?.focus();
      return;
    }
    if ((this.t.risks || []).length && form.get('accept') !== 'on') {
      this.error = 'This template asks for risky settings: read them, and tick “I accept them” to deploy it.';
      this.querySelector('[name=accept]')?.focus();
      return;
    }
    const start = form.get('up') === 'on';
    const body = { stack_name: this.name, env, node };
    if ((this.t.risks || []).length) body.accept_risks = true;
    this.busy = true;
    try {
      const r = await post(`/api/templates/${enc(this.t.id)}/deploy`, body);
      const ref = { node: r.node || node, name: r.stack };
      const generated = (r.generated || []).length ? ` Generated values (${r.generated.join(', ')}) are in its .env.` : '';
      toast(`Stack ${r.stack} created from ${this.t.title}.${generated}`, 'ok');
      // Started without waiting: its page shows the output as it streams, and the result when it ends.
      if (start) runOperation(this.store, ref, 'up');
      location.hash = `#/nodes/${enc(ref.node)}/stacks/${enc(ref.name)}`;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        this.nameError = err.message;
        this.querySelector('#tpl-name')?.focus();
      } else {
        this.error = err.message;
        await this.updateComplete;
        this.querySelector('#deploy-error')?.focus();
      }
    } finally {
      this.busy = false;
    }
  }

  renderField(f) {
    const id = `env-${f.name}`;
    const label = f.label && f.label !== f.name ? html`${f.label} <code class="muted">${f.name}</code>` : html`<code>${f.name}</code>`;
    const hints = [];
    if (f.description) hints.push(f.description);
    // Said once: bundled templates often say it in their own description already.
    const said = /empty/i.test(f.description || '');
    if (f.generate && !said) hints.push('Left empty, DockUp generates a random value.');
    else if (f.name === 'TZ' && !said) hints.push('Left empty, the time zone of the settings.');
    const required = f.required && !f.generate;
    return html`<div class="field">
      <label for=${id}>${label}${required ? html` <span class="req">(required)</span>` : nothing}</label>
      ${f.options?.length
        ? html`<select id=${id} name=${id} ?required=${required} aria-describedby="${id}-hint">
            ${required ? nothing : html`<option value="">Default${f.default ? ` (${f.default})` : ''}</option>`}
            ${f.options.map((o) => html`<option value=${o.value} ?selected=${o.value === f.default}>${o.label || o.value}</option>`)}
          </select>`
        : html`<input id=${id} name=${id} type=${f.secret ? 'password' : 'text'} autocomplete=${f.secret ? 'new-password' : 'off'}
            spellcheck="false" ?required=${required} .value=${f.secret || f.generate ? '' : f.default || ''}
            placeholder=${f.generate ? 'generated' : f.default || ''} aria-describedby="${id}-hint">`}
      <p class="hint" id="${id}-hint">${hints.join(' ')}</p>
    </div>`;
  }

  render() {
    const t = this.t;
    const crumbs = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/templates">Templates</a> <span aria-hidden="true">›</span> ${t ? t.title : this.templateId}</nav>`;
    if (!t) {
      return html`<main id="main" class="page" tabindex="-1">${crumbs}<h1 tabindex="-1">${this.templateId}</h1>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted">Loading…</p>`}</main>`;
    }
    const nodes = this.nodes();
    const fields = (t.env || []).filter((f) => !f.preset);
    const risky = (t.risk_details || []).length > 0;
    return html`<main id="main" class="page" tabindex="-1">
      ${crumbs}
      <div class="tpl-title">${logo(t, 56)}<div><h1 tabindex="-1">${t.title}</h1>
        <p class="muted">${(t.categories || []).join(', ')} · ${sourceLabel(t)}${t.project_url ? html` · <a href=${t.project_url} target="_blank" rel="noopener noreferrer">Project site</a>` : nothing}</p></div></div>
      <p>${t.description}</p>
      ${t.note ? html`<p class="notice">${t.note}</p>` : nothing}
      ${t.deployable === false ? html`<p class="error">This template cannot be deployed: ${t.unsupported || 'its format is not supported'}.</p>` : nothing}
      ${risky ? html`<section class="card risk" aria-labelledby="risk-h">
          <h2 id="risk-h"><span aria-hidden="true">⚠</span> This template asks for risky settings</h2>
          <ul>${t.risk_details.map((r) => html`<li><strong>${riskName(r.kind)}</strong> (service <code>${r.service}</code>): ${r.detail}</li>`)}</ul>
        </section>` : nothing}
      <form class="card deploy-form" @submit=${this.deploy} novalidate>
        <h2>Deploy</h2>
        <div class="field"><label for="tpl-name">Stack name</label>
          <input id="tpl-name" name="stack_name" required autocomplete="off" spellcheck="false" .value=${this.name}
            aria-invalid=${this.nameError ? 'true' : 'false'} aria-describedby="tpl-name-error tpl-name-hint"
            @input=${(e) => { this.name = e.target.value.trim(); this.nameError = ''; }}>
          <p class="hint" id="tpl-name-hint">Lower-case letters, digits, “-” and “_”; it names the folder and the compose project.</p>
          ${this.nameError ? html`<p class="error field-error" id="tpl-name-error">${this.nameError}</p>` : nothing}</div>
        ${nodes.length > 1 ? html`<div class="field"><label for="tpl-node">Node</label>
          <select id="tpl-node" name="node">${nodes.map((n) => html`<option value=${n.name} ?selected=${n.name === this.selfNode()}>${n.name}${n.self ? ' (this node)' : ''}</option>`)}</select></div>`
          : html`<input type="hidden" name="node" .value=${this.selfNode()}>`}
        ${fields.length ? html`<fieldset><legend>Settings (written to the stack's <code>.env</code>)</legend>
          <div class="field-grid">${fields.map((f) => this.renderField(f))}</div></fieldset>` : html`<p class="muted">This template has no settings.</p>`}
        ${t.ports?.length ? html`<p class="muted">Ports: ${t.ports.map((p) => `${p.port}/${p.protocol}${p.description ? ` (${p.description})` : ''}`).join(', ')}</p>` : nothing}
        ${risky ? html`<label class="check"><input type="checkbox" name="accept" required> I have read the risks above and I accept them</label>` : nothing}
        <label class="check"><input type="checkbox" name="up" checked> Start the stack after creating it</label>
        ${this.error ? html`<p class="error" role="alert" id="deploy-error" tabindex="-1">${this.error}</p>` : nothing}
        <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.busy || t.deployable === false}>${this.busy ? 'Deploying…' : 'Deploy'}</button>
          <a class="btn" href="#/templates">Cancel</a></div>
      </form>
      <details class="card"><summary>Compose file</summary><pre class="code">${t.compose}</pre></details>
    </main>`;
  }
}
customElements.define('dockup-template', TemplatePage);
