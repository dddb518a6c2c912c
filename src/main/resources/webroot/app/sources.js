// Settings › Template sources: the remote catalogs (a URL and its format, or the format guessed
// from the URL), each one's last fetch, and a refresh whose progress comes on the feed.
import { html, nothing } from 'lit';
import { announce, clock } from './ui.js';
import { get, post } from './api.js';
import { SettingsForm } from './settings.js';
import { fieldError } from './forms.js';

const FORMATS = [['', 'Guess from the URL'], ['portainer', 'Portainer app templates'], ['linuxserver', 'LinuxServer.io'], ['casaos', 'CasaOS app store']];

class Sources extends SettingsForm {
  static properties = {
    store: { attribute: false },
    rows: { state: true },
    status: { state: true },
    progress: { state: true },
  };

  constructor() {
    super();
    this.rows = [];
    this.status = [];
    this.progress = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.loadStatus();
    this.off = this.store.onMessage((m) => {
      if (m.type !== 'template_refresh') return;
      if (m.status === 'running') this.progress = [];
      else if (m.status === 'source_done') this.progress = [...(this.progress || []), m];
      else if (m.status === 'done') {
        announce('The catalogs were refreshed.');
        this.progress = null;
        this.loadStatus();
      }
    });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.off();
  }

  willUpdate(changed) {
    if (changed.has('config')) this.rows = (this.config.template_urls || []).map((t) => ({ ...t }));
  }

  async loadStatus() {
    try {
      this.status = (await get('/api/templates/list')).sources || [];
    } catch {
      this.status = [];
    }
  }

  statusOf(url) {
    return this.status.find((s) => s.url === url);
  }

  submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const list = [];
    this.rows.forEach((_, i) => {
      const url = String(f.get(`url-${i}`) || '').trim();
      const format = String(f.get(`format-${i}`) || '');
      if (url) list.push(format ? { url, format } : url);
    });
    this.save({ template_urls: list }, 'Template sources saved.').then((ok) => { if (ok) this.loadStatus(); });
  }

  async refresh() {
    this.progress = [];
    try {
      await post('/api/templates/refresh?async=true');
    } catch (err) {
      this.progress = null;
      this.failure = err;
    }
  }

  render() {
    const err = this.problem('template_urls');
    return html`<form class="settings-form" @submit=${this.submit} novalidate>
      ${this.formError()}
      <p>The 43 templates bundled with DockUp are always there. Add catalogs in Portainer's, LinuxServer.io's or CasaOS's format;
        they are fetched from public addresses only, and refreshed once a day.</p>
      ${this.rows.length ? html`<ol class="source-list">${this.rows.map((r, i) => {
        const s = this.statusOf(r.url);
        return html`<li class="card">
          <div class="field-row">
            <div class="field field-grow"><label for="src-url-${i}">Catalog URL</label>
              <input id="src-url-${i}" name="url-${i}" .value=${r.url || ''} spellcheck="false" placeholder="https://…"
                @input=${(e) => { r.url = e.target.value; }}></div>
            <div class="field"><label for="src-format-${i}">Format</label>
              <select id="src-format-${i}" name="format-${i}" @change=${(e) => { r.format = e.target.value; }}>
                ${FORMATS.map(([v, t]) => html`<option value=${v} ?selected=${(r.format || '') === v}>${t}</option>`)}</select></div>
            <button type="button" class="btn btn-small" @click=${() => { this.rows = this.rows.filter((x) => x !== r); }}
              aria-label="Remove catalog ${r.url || i + 1}">Remove</button>
          </div>
          ${s ? html`<p class=${s.ok ? 'muted' : 'error'}>${s.ok
            ? `${s.count} templates, fetched ${clock(s.fetched_at)}.`
            : `Last fetch failed${s.attempted_at ? ` (${clock(s.attempted_at)})` : ''}: ${s.error || 'not fetched yet'}${s.fetched_at ? '; its last good copy is used.' : '.'}`}</p>`
            : html`<p class="muted">Not fetched yet.</p>`}
        </li>`;
      })}</ol>` : html`<p class="muted">No remote catalog.</p>`}
      ${fieldError('src', err)}
      <div class="actions">
        <button type="button" class="btn" @click=${() => { this.rows = [...this.rows, { url: '', format: '' }]; }}>Add a catalog</button>
        <button class="btn btn-primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save sources'}</button>
        <button type="button" class="btn" ?disabled=${this.progress !== null} @click=${this.refresh}>${this.progress !== null ? 'Refreshing…' : 'Refresh now'}</button>
      </div>
      ${this.progress && this.progress.length ? html`<ul class="plain">${this.progress.map((m) => html`<li class=${m.ok ? 'op-ok' : 'op-fail'}>
        <span aria-hidden="true">${m.ok ? '✓' : '✕'}</span> <code>${m.url}</code>: ${m.ok ? `${m.count} templates` : m.error}</li>`)}</ul>` : nothing}
    </form>`;
  }
}
customElements.define('dockup-sources', Sources);
