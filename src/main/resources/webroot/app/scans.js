// A stack's Vulnerabilities tab: the scanner in use, each image's last scan (live from the
// feed), and the findings of one image: sortable, filtered by severity and by whether a fix
// exists, each linked to its advisory.
import { html, nothing } from 'lit';
import { Light, severityBadge, severityTag, SEVERITIES, clock, since } from './ui.js';
import { get, nodePath } from './api.js';
import { sortHeader, sortRows } from './forms.js';

const enc = encodeURIComponent;
const rank = (s) => {
  const i = SEVERITIES.indexOf(String(s || '').toUpperCase());
  return i < 0 ? SEVERITIES.length : i;
};
const COMPARE = {
  severity: (a, b) => rank(b.severity) - rank(a.severity),
  id: (a, b) => String(a.id).localeCompare(String(b.id)),
  package: (a, b) => String(a.package).localeCompare(String(b.package)),
  fixed: (a, b) => Number(!!a.fixed) - Number(!!b.fixed),
};

class Scans extends Light {
  static properties = {
    ref: { attribute: false },
    store: { attribute: false },
    page: { attribute: false },
    scanner: { state: true },
    selected: { state: true },
    result: { state: true },
    error: { state: true },
    severity: { state: true },
    fix: { state: true },
    q: { state: true },
  };

  constructor() {
    super();
    this.scanner = undefined;
    this.selected = null;
    this.result = null;
    this.error = '';
    this.severity = '';
    this.fix = '';
    this.q = '';
    this.sort = 'severity';
    this.sortDir = 'desc';
  }

  connectedCallback() {
    super.connectedCallback();
    get(nodePath(this.ref.node, '/scans')).then((r) => { this.scanner = r.scanner || null; })
      .catch((err) => { this.scanner = { error: err.message }; });
    // The images' states live on the page; the findings shown are read again when their image's scan ends.
    this.off = this.store.onMessage((m) => {
      if (m.node !== this.ref.node || (m.type !== 'scan_complete' && m.type !== 'scan_started')) return;
      this.requestUpdate();
      if (m.type === 'scan_complete' && this.selected === m.image_id) this.loadFindings(m.image_id);
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.off();
  }

  async loadFindings(imageId) {
    this.selected = imageId;
    this.error = '';
    try {
      const r = await get(nodePath(this.ref.node, `/images/${enc(imageId)}/scan`));
      if (this.selected === imageId) this.result = r;
    } catch (err) {
      if (this.selected === imageId) this.error = err.message;
    }
  }

  renderScanner() {
    const s = this.scanner;
    if (s === undefined) return nothing;
    if (!s || s.error) {
      return html`<p class="notice">${s?.error || 'No scanner on this node'}. Install Trivy or Grype on the node (or set <code>TRIVY_SERVER</code>).</p>`;
    }
    return html`<p class="muted">Scanner: <strong>${s.name}</strong> ${s.version || ''}${s.mode === 'server' ? ' (through a Trivy server)' : ''}.</p>`;
  }

  renderImages() {
    const page = this.page;
    const images = page.scan?.images || [];
    if (page.scan?.unavailable !== undefined) return nothing;
    if (!page.scan) return html`<p class="muted">Loading…</p>`;
    if (!images.length) return html`<p class="muted">No container runs: nothing to scan.</p>`;
    const running = new Map((page.detail?.container_list || []).filter((c) => c.state === 'running').map((c) => [c.image_id, c]));
    return html`<div class="table-wrap"><table class="cards-narrow" aria-label="Images of ${this.ref.name}">
      <thead><tr><th scope="col">Service</th><th scope="col">Image</th><th scope="col">Result</th><th scope="col">Scanned</th><th scope="col">Actions</th></tr></thead>
      <tbody>${images.map((i) => {
        const st = page.imageScan(i.image_id);
        const c = running.get(i.image_id);
        const busy = st.status === 'scanning' || st.status === 'queued';
        return html`<tr data-image=${i.image_id}>
          <th scope="row" data-label="Service">${i.service}</th>
          <td data-label="Image"><code>${i.image}</code></td>
          <td data-label="Result">${busy ? html`<span class="op-running"><span aria-hidden="true">⟳</span> ${st.status === 'queued' ? 'Queued' : 'Scanning…'}</span>`
            : st.status === 'failed' ? html`<span class="op-fail"><span aria-hidden="true">✕</span> Failed: ${st.error || 'no result'}</span>`
            : severityBadge(st.status === 'not_scanned' ? null : st.vulnerabilities)}</td>
          <td data-label="Scanned">${i.scan_time ? html`<time datetime=${i.scan_time} title=${clock(i.scan_time)}>${since(i.scan_time)} ago</time>` : html`<span class="muted">never</span>`}</td>
          <td data-label="Actions"><div class="row-actions">
            ${c ? html`<button class="btn btn-small" ?disabled=${busy} @click=${() => page.scanContainer(c)} aria-label="Scan now: ${i.image}">Scan now</button>` : nothing}
            <button class="btn btn-small" aria-pressed=${this.selected === i.image_id} ?disabled=${st.status === 'not_scanned'}
              @click=${() => this.loadFindings(i.image_id)} aria-label="Show the findings of ${i.image}">Findings</button></div></td>
        </tr>`;
      })}</tbody></table></div>`;
  }

  renderFindings() {
    if (!this.selected) return nothing;
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const r = this.result;
    if (!r || r.image_id !== this.selected) return html`<p class="muted">Loading the findings…</p>`;
    const needle = this.q.trim().toLowerCase();
    const rows = sortRows((r.findings || []).filter((f) => (!this.severity || String(f.severity).toUpperCase() === this.severity)
      && (!this.fix || (this.fix === 'fixed' ? !!f.fixed : !f.fixed))
      && (!needle || `${f.id} ${f.package} ${f.title || ''}`.toLowerCase().includes(needle))), this, COMPARE);
    return html`<section aria-labelledby="findings-h" class="findings">
      <h3 id="findings-h">Findings in <code>${r.image}</code></h3>
      <p>${severityBadge(r.vulnerabilities)} <span class="muted">${r.scan_time ? `scanned ${clock(r.scan_time)}` : ''}
        ${r.scanner ? ` with ${r.scanner.name} ${r.scanner.version || ''}` : ''}</span></p>
      ${r.truncated ? html`<p class="notice">The ${(r.findings || []).length} worst of ${r.total} findings are kept and shown.</p>` : nothing}
      <form class="filters" role="search" @submit=${(e) => e.preventDefault()}>
        <div class="field"><label for="fd-sev">Severity</label>
          <select id="fd-sev" @change=${(e) => { this.severity = e.target.value; }}>
            <option value="">All</option>${SEVERITIES.map((s) => html`<option value=${s} ?selected=${this.severity === s}>${s[0] + s.slice(1).toLowerCase()}</option>`)}
          </select></div>
        <div class="field"><label for="fd-fix">Fix</label>
          <select id="fd-fix" @change=${(e) => { this.fix = e.target.value; }}>
            <option value="">All</option><option value="fixed">A fixed version exists</option><option value="unfixed">No fix yet</option>
          </select></div>
        <div class="field field-grow"><label for="fd-q">Search findings</label>
          <input id="fd-q" type="search" placeholder="CVE, package or title" .value=${this.q} @input=${(e) => { this.q = e.target.value; }}></div>
      </form>
      <p id="findings-count">${rows.length} of ${(r.findings || []).length} findings shown.</p>
      ${rows.length ? html`<div class="table-wrap"><table class="cards-narrow findings-table" aria-describedby="findings-count" aria-label="Findings">
        <thead><tr>${sortHeader(this, 'severity', 'Severity', { numeric: true })}${sortHeader(this, 'id', 'Vulnerability')}${sortHeader(this, 'package', 'Package')}
          <th scope="col">Installed</th>${sortHeader(this, 'fixed', 'Fixed in', { numeric: true })}<th scope="col">Title</th></tr></thead>
        <tbody>${rows.map((f) => html`<tr>
          <td data-label="Severity">${severityTag(f.severity)}</td>
          <th scope="row" data-label="Vulnerability">${f.url ? html`<a href=${f.url} target="_blank" rel="noopener noreferrer">${f.id}</a>` : f.id}</th>
          <td data-label="Package"><code>${f.package}</code></td>
          <td data-label="Installed"><code>${f.installed || '–'}</code></td>
          <td data-label="Fixed in">${f.fixed ? html`<code>${f.fixed}</code>` : html`<span class="muted">no fix yet</span>`}</td>
          <td data-label="Title">${f.title || html`<span class="muted">–</span>`}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">No finding matches.</p>`}
    </section>`;
  }

  render() {
    return html`<h2>Vulnerabilities</h2>
      ${this.renderScanner()}
      ${this.renderImages()}
      ${this.renderFindings()}`;
  }
}
customElements.define('dockup-scans', Scans);
