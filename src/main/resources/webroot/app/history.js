// The stack page's History tab: the kept versions of its compose and .env files (who saved
// each, when, and when it was replaced), a version's differences from the current file as the
// server's unified diff, and a version made current again.
import { html, nothing } from 'lit';
import { Light, toast, confirmDialog, bytes, clock } from './ui.js';
import { get, post, stackPath } from './api.js';
import { runOperation } from './ops.js';

const enc = encodeURIComponent;

/** One line of a unified diff, marked by what it is (added, removed, a hunk header) in words and colour. */
function diffLine(line) {
  const text = line || ' ';
  if (line.startsWith('+++') || line.startsWith('---')) return html`<span class="dl dl-file">${text}</span>`;
  if (line.startsWith('@@')) return html`<span class="dl dl-hunk">${text}</span>`;
  if (line.startsWith('+')) return html`<span class="dl dl-add"><span class="visually-hidden">added: </span>${text}</span>`;
  if (line.startsWith('-')) return html`<span class="dl dl-del"><span class="visually-hidden">removed: </span>${text}</span>`;
  return html`<span class="dl">${text}</span>`;
}

class History extends Light {
  static properties = {
    ref: { attribute: false },
    store: { attribute: false },
    readonly: { type: Boolean },
    versions: { state: true },
    error: { state: true },
    open: { state: true },
    diff: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.versions = null;
    this.error = '';
    /** The id of the version whose changes are shown. */
    this.open = null;
    /** {id, identical, diff} or {id, error}. */
    this.diff = null;
    this.busy = false;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.versions = (await get(stackPath(this.ref, '/history'))).versions || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  async toggle(v) {
    if (this.open === v.id) {
      this.open = null;
      return;
    }
    this.open = v.id;
    this.diff = null;
    try {
      const d = await get(stackPath(this.ref, `/history/${enc(v.id)}/diff`));
      if (this.open === v.id) this.diff = { id: v.id, ...d };
    } catch (err) {
      if (this.open === v.id) this.diff = { id: v.id, error: err.message };
    }
  }

  async restore(v) {
    const r = await confirmDialog({
      title: `Restore this version of ${v.file}?`,
      body: html`<p>The version saved ${v.saved_at ? clock(v.saved_at) : 'at an unknown time'}${v.by ? html` by <code>${v.by}</code>` : nothing}
        becomes the current <code>${v.file}</code> of <strong>${this.ref.name}</strong>. It is checked like any save; the current text is
        kept in the history.</p>`,
      extra: html`<label class="check"><input type="checkbox" name="up"> <span>Then run <code>up</code> to apply it</span></label>`,
      confirm: 'Restore this version',
    });
    if (!r) return;
    this.busy = true;
    try {
      await post(stackPath(this.ref, `/history/${enc(v.id)}/restore`));
      toast(`${v.file} of ${this.ref.name} restored to the version of ${v.saved_at ? clock(v.saved_at) : v.id}.`, 'ok');
      this.open = null;
      await this.load();
      if (r.data?.get('up')) {
        this.closest('dockup-stack-page')?.terminal()?.mark('up (after restoring a version)');
        await runOperation(this.store, this.ref, 'up');
      }
    } catch (err) {
      toast(`Restoring the version failed: ${err.message}`, 'error');
    } finally {
      this.busy = false;
    }
  }

  renderDiff(v) {
    const d = this.diff;
    if (!d || d.id !== v.id) return html`<p class="muted">Loading the changes…</p>`;
    if (d.error) return html`<p class="error" role="alert">${d.error}</p>`;
    if (d.identical) return html`<p>This version is the same as the current <code>${d.file || v.file}</code>.</p>`;
    return html`<p class="muted">From this version (<span class="dl-del">−</span>) to the current file (<span class="dl-add">+</span>):</p>
      <pre class="code diff-text" tabindex="0" aria-label="Changes from this version to the current ${v.file}">${
        (d.diff || '').replace(/\n$/, '').split('\n').map(diffLine)}</pre>`;
  }

  render() {
    const list = this.versions || [];
    return html`<div class="editor-head"><h2>File history</h2>
        <button class="btn btn-small" @click=${this.load}>Reload</button></div>
      <p class="muted">The last 50 saved versions of each file, newest first. A version is kept each time a file is replaced: by a save here,
        a restore, or an edit by hand that DockUp noticed.</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${!this.versions && !this.error ? html`<p class="muted">Loading…</p>` : nothing}
      ${this.versions && !list.length ? html`<p class="empty">No earlier version of its files is kept yet.</p>` : nothing}
      ${list.length ? html`<div class="table-wrap"><table class="cards-narrow history" aria-label="Versions of the files of ${this.ref.name}">
        <thead><tr><th scope="col">File</th><th scope="col">Saved</th><th scope="col">Replaced</th><th scope="col" class="num">Size</th>
          <th scope="col">Actions</th></tr></thead>
        <tbody>${list.map((v) => html`<tr data-version=${v.id}>
            <th scope="row" data-label="File"><code>${v.file}</code></th>
            <td data-label="Saved"><span>${v.saved_at ? clock(v.saved_at) : html`<span class="muted">unknown</span>`}${
              v.by ? html` <span class="muted">by ${v.by}</span>` : nothing}</span></td>
            <td data-label="Replaced"><span>${v.replaced_at ? clock(v.replaced_at) : '–'}${
              v.replaced_by ? html` <span class="muted">by ${v.replaced_by}</span>` : nothing}</span></td>
            <td data-label="Size" class="num">${bytes(v.size)}</td>
            <td data-label="Actions"><div class="row-actions">
              <button class="btn btn-small" aria-expanded=${this.open === v.id} aria-controls=${this.open === v.id ? `diff-${v.id}` : nothing}
                @click=${() => this.toggle(v)}>${this.open === v.id ? 'Hide changes' : 'Show changes'}</button>
              ${this.readonly ? nothing : html`<button class="btn btn-small" ?disabled=${this.busy} @click=${() => this.restore(v)}
                aria-label="Restore the version of ${v.file} saved ${v.saved_at ? clock(v.saved_at) : v.id}">Restore…</button>`}</div></td>
          </tr>${this.open === v.id ? html`<tr class="diff-row" id="diff-${v.id}"><td colspan="5">${this.renderDiff(v)}</td></tr>` : nothing}`)}
        </tbody></table></div>` : nothing}`;
  }
}
customElements.define('dockup-history', History);
