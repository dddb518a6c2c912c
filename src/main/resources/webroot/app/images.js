// The images of the node serving this page: in use or not, size, tags, created; delete (a 409
// explained: which containers hold the image), and prune with what it would reclaim first.
import { html, nothing } from 'lit';
import { Light, toast, confirmDialog, bytes, clock } from './ui.js';
import { get, post, del, ApiError } from './api.js';
import { sortHeader, sortRows, infoDialog, someOf } from './forms.js';

const shortId = (id) => (id || '').replace(/^sha256:/, '').slice(0, 12);
const nameOf = (img) => (img.tags && img.tags.length ? img.tags[0] : img.digests && img.digests.length ? img.digests[0].replace(/@.*/, '') : shortId(img.id));
/** What `docker image prune` without `-a` removes: images no tag points at and no container uses. */
const dangling = (img) => !img.in_use && !(img.tags || []).length;

const COMPARE = {
  name: (a, b) => nameOf(a).localeCompare(nameOf(b)),
  size: (a, b) => (a.size || 0) - (b.size || 0),
  created: (a, b) => (a.created || '').localeCompare(b.created || ''),
  use: (a, b) => Number(!!a.in_use) - Number(!!b.in_use) || (a.containers || []).length - (b.containers || []).length,
};

class Images extends Light {
  static properties = {
    store: { attribute: false },
    images: { state: true },
    error: { state: true },
    node: { state: true },
    q: { state: true },
    use: { state: true },
  };

  constructor() {
    super();
    this.images = null;
    this.error = '';
    this.node = '';
    this.q = '';
    this.use = '';
    this.sort = 'size';
    this.sortDir = 'desc';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    this.store.selfName().then((name) => { this.node = name; }).catch(() => {});
  }

  async load() {
    try {
      this.images = (await get('/api/images')).images || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  async deleteImage(img) {
    const name = nameOf(img);
    const ok = await confirmDialog({
      title: `Delete image ${name}?`,
      body: html`<p>This removes <code>${name}</code> (<code>${shortId(img.id)}</code>, ${bytes(img.size)})${(img.tags || []).length > 1
        ? html` and its other tags: ${img.tags.slice(1).map((t) => html`<code>${t}</code> `)}` : nothing} from ${this.node || 'this node'}.
        A stack that needs it pulls it again at its next <code>up</code>.</p>`,
      confirm: 'Delete image',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/images/${encodeURIComponent(img.id)}`);
      toast(`Image ${name} deleted.`, 'ok');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) await this.explainInUse(name, err);
      else toast(`Deleting ${name} failed: ${err.message}`, 'error');
    }
    this.load();
  }

  /** The engine keeps an image while any container, running or stopped, was created from it. */
  explainInUse(name, err) {
    const containers = err.body.containers || [];
    return infoDialog({
      title: `${name} is in use`,
      body: html`<p id="in-use-explained">DockUp did not delete <code>${name}</code>: ${containers.length
        ? html`${containers.length === 1 ? 'a container uses' : `${containers.length} containers use`} it, running or stopped:` : err.message}</p>
        ${someOf(containers)}
        <p>A container keeps the image it was created from. Take down or delete the stack that owns the container (or update it
          to another image), then delete the image.</p>`,
    });
  }

  async prune(all) {
    const list = (this.images || []).filter(all ? (i) => !i.in_use : dangling);
    const size = list.reduce((n, i) => n + (i.size || 0), 0);
    const what = all ? 'every image no container uses' : 'dangling images (no tag, no container)';
    const ok = await confirmDialog({
      title: all ? 'Remove every unused image?' : 'Remove dangling images?',
      body: html`<p>This removes ${what}: <strong>${list.length} image${list.length === 1 ? '' : 's'}</strong>, up to
        <strong>${bytes(size)}</strong> (images that share layers free less). Images in use are never removed.</p>
        ${all ? html`<p>Stacks that are down will pull their images again at their next <code>up</code>.</p>` : nothing}`,
      confirm: all ? 'Remove unused images' : 'Remove dangling images',
      danger: true,
    });
    if (!ok) return;
    try {
      const r = await post(`/api/images/prune${all ? '?all=true' : ''}`);
      toast(`Removed ${r.images_deleted} image${r.images_deleted === 1 ? '' : 's'}, reclaimed ${bytes(r.space_reclaimed)}.`, 'ok');
    } catch (err) {
      toast(`Pruning failed: ${err.message}`, 'error');
    }
    this.load();
  }

  shown() {
    const needle = this.q.trim().toLowerCase();
    const rows = (this.images || []).filter((i) => (!needle || [...(i.tags || []), ...(i.digests || []), i.id].some((t) => t.toLowerCase().includes(needle)))
      && (!this.use || (this.use === 'used' ? i.in_use : this.use === 'unused' ? !i.in_use : dangling(i))));
    return sortRows(rows, this, COMPARE);
  }

  renderRow(img) {
    const name = nameOf(img);
    const used = img.containers || [];
    return html`<tr data-image=${img.id}>
      <th scope="row" data-label="Image"><code>${name}</code>
        ${(img.tags || []).slice(1).map((t) => html`<br><code class="muted">${t}</code>`)}
        ${!(img.tags || []).length ? html` <span class="tag">untagged</span>` : nothing}</th>
      <td data-label="Id" class="nowrap"><code>${shortId(img.id)}</code></td>
      <td data-label="In use">${img.in_use
        ? html`<span class="state-ok"><span aria-hidden="true">●</span> ${used.length} container${used.length === 1 ? '' : 's'}</span>
            <div class="muted small">${used.slice(0, 3).join(', ')}${used.length > 3 ? ` and ${used.length - 3} more` : ''}</div>`
        : html`<span class="muted"><span aria-hidden="true">○</span> Unused</span>`}</td>
      <td data-label="Size" class="num">${bytes(img.size)}</td>
      <td data-label="Created">${clock(img.created)}</td>
      <td data-label="Actions"><button class="btn btn-small" @click=${() => this.deleteImage(img)} aria-label="Delete image ${name} (${shortId(img.id)})">Delete…</button></td>
    </tr>`;
  }

  render() {
    const rows = this.images ? this.shown() : [];
    const all = this.images || [];
    const unused = all.filter((i) => !i.in_use);
    const dang = all.filter(dangling);
    const sum = (l) => bytes(l.reduce((n, i) => n + (i.size || 0), 0));
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Images</h1>
        <div class="page-actions"><button class="btn" @click=${this.load}>Reload</button></div></div>
      <p class="muted">The images of ${this.node ? html`node <strong>${this.node}</strong>` : 'this node'} (the one serving this page).</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.images ? html`<section class="card" aria-labelledby="prune-h"><h2 id="prune-h">Free space</h2>
        <p>${all.length} images, ${sum(all)} in all. Dangling: ${dang.length} (up to ${sum(dang)}). Unused: ${unused.length} (up to ${sum(unused)}).</p>
        <div class="actions"><button class="btn" ?disabled=${!dang.length} @click=${() => this.prune(false)}>Remove dangling images…</button>
          <button class="btn" ?disabled=${!unused.length} @click=${() => this.prune(true)}>Remove every unused image…</button></div>
      </section>` : nothing}
      <form class="filters" role="search" @submit=${(e) => e.preventDefault()}>
        <div class="field field-grow"><label for="img-q">Search images</label>
          <input id="img-q" type="search" placeholder="Tag, digest or id" .value=${this.q} @input=${(e) => { this.q = e.target.value; }}></div>
        <div class="field"><label for="img-use">Use</label>
          <select id="img-use" @change=${(e) => { this.use = e.target.value; }}>
            <option value="">All</option><option value="used">In use</option><option value="unused">Unused</option><option value="dangling">Dangling</option>
          </select></div>
      </form>
      ${this.images ? html`<div class="table-wrap"><table class="cards-narrow" aria-label="Images">
          <thead><tr>${sortHeader(this, 'name', 'Image')}<th scope="col">Id</th>${sortHeader(this, 'use', 'In use', { numeric: true })}
            ${sortHeader(this, 'size', 'Size', { numeric: true })}${sortHeader(this, 'created', 'Created', { numeric: true })}<th scope="col">Actions</th></tr></thead>
          <tbody>${rows.map((i) => this.renderRow(i))}</tbody></table></div>
        ${rows.length ? nothing : html`<p class="empty">No image matches.</p>`}` : html`<p class="muted">Loading…</p>`}
    </main>`;
  }
}
customElements.define('dockup-images', Images);
