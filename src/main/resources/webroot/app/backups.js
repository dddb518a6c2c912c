// Backups of the node serving this page (#/backups): the archives kept (time, size, kind,
// stacks, encrypted), a backup made (configuration or with volumes, some stacks, stopped during
// the copy, encrypted), downloaded, deleted, and restored from the list or from an uploaded
// file. A restore always shows the server's dry run first, and the stacks to restore are chosen
// there. Backups, restores and moves are live from the feed (backup_started, backup_done, kept
// by the store), whoever started them: one running on this node shows here (and the buttons wait
// for it), the list refreshes when a backup is made, and a failure is said in the polite live
// region (unless this tab asked for it: its own answer says so).
import { html, nothing } from 'lit';
import { Light, toast, announce, confirmDialog, bytes, clock } from './ui.js';
import { get, post, del } from './api.js';
import { formDialog, sortHeader, sortRows } from './forms.js';

const enc = encodeURIComponent;
const KIND = { config: 'Configuration', volumes: 'With volumes' };
const ACTION = {
  added: ['+', 'Added: new here'],
  replaced: ['⟳', 'Replaced: its current files go to its history first'],
  unchanged: ['=', 'Unchanged: the same files are here already'],
};

const COMPARE = {
  created: (a, b) => (a.created || '').localeCompare(b.created || ''),
  size: (a, b) => (a.size || 0) - (b.size || 0),
};

/** `{dry_run…}` options of a restore, as JSON (a kept archive) or as multipart (an uploaded file). */
function restoreRequest(source, options) {
  if (source.file) return post('/api/backup/restore', { ...options, backup_file: source.file });
  const form = new FormData();
  form.append('options', JSON.stringify(options));
  form.append('file', source.upload, source.upload.name);
  return post('/api/backup/restore', form);
}

/** A backup_started or backup_done message, in words. */
function jobText(m) {
  const stacks = m.stacks && m.stacks.length ? m.stacks.join(', ') : '';
  switch (m.kind) {
    case 'create':
      return `${m.trigger === 'schedule' ? 'Scheduled backup' : 'Backup'} of ${stacks || 'every stack'}${m.with_volumes ? ' with volumes' : ''}`;
    case 'restore':
      return m.trigger === 'move' ? `Receiving ${stacks} moved from another node` : `Restore of ${stacks || 'every stack'}${m.file ? ` from ${m.file}` : ''}`;
    case 'move':
      return `Move of ${stacks} to ${m.target || 'another node'}`;
    default:
      return 'Backup job';
  }
}

/** What a restore (or its dry run) skipped, in words. */
function skippedList(skipped) {
  if (!skipped || !skipped.length) return nothing;
  return html`<h3>Skipped</h3><ul class="plain">${skipped.map((s) => html`<li><code>${s.stack || s.entry || s.destination || '?'}</code>:
    ${s.reason || 'skipped'}</li>`)}</ul>`;
}

class Backups extends Light {
  static properties = {
    store: { attribute: false },
    backups: { state: true },
    error: { state: true },
    node: { state: true },
    busy: { state: true },
    withVolumes: { state: true },
    some: { state: true },
    last: { state: true },
  };

  constructor() {
    super();
    this.backups = null;
    this.error = '';
    this.node = '';
    /** 'create' | 'restore' | '': one backup or restore at a time on a node. */
    this.busy = '';
    this.withVolumes = false;
    this.some = false;
    /** How many of this tab's own backups or restores are waiting for their answer, and their feed job ids. */
    this.mine = 0;
    this.own = new Set();
    /** The last restore's answer, shown until the page closes. */
    this.last = null;
    this.sort = 'created';
    this.sortDir = 'desc';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
    this.store.selfName().then((name) => { this.node = name; }).catch(() => {});
    // The stacks to choose from come from the feed.
    this.off = this.store.onList((key, before, after) => {
      if (!before || !after) this.requestUpdate();
    });
    this.offFeed = this.store.onMessage((m) => this.feed(m));
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.off?.();
    this.offFeed?.();
  }

  /** A job of this node started or ended, from any source. */
  feed(m) {
    if (m.node !== this.node || (m.type !== 'backup_started' && m.type !== 'backup_done')) return;
    this.requestUpdate();
    if (m.type === 'backup_started') {
      if (this.mine) this.own.add(m.job_id);
      return;
    }
    if (m.kind === 'create') this.load();
    if (!this.own.delete(m.job_id) && !m.success) announce(`${jobText(m)} failed: ${m.error || 'no reason given'}.`);
  }

  /** One of this tab's own jobs: its answer, not the feed, tells how it went. */
  async ownJob(request) {
    this.mine++;
    try {
      return await request();
    } finally {
      this.mine--;
    }
  }

  async load() {
    try {
      this.backups = (await get('/api/backups')).backups || [];
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  /** This node's stacks DockUp manages (an external one has no files to back up). */
  stacks() {
    return [...this.store.stacks.values()].filter((s) => !s.peer && s.node === this.node && !s.external)
      .map((s) => s.name).sort((a, b) => a.localeCompare(b));
  }

  async create(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { volumes: f.get('kind') === 'volumes' };
    if (body.volumes && f.get('stop')) body.stop = true;
    if (f.get('scope') === 'some') {
      body.stacks = f.getAll('stack');
      if (!body.stacks.length) {
        toast('Choose at least one stack to back up, or back up all of them.', 'error');
        return;
      }
    }
    const passphrase = String(f.get('passphrase') || '');
    if (passphrase) body.passphrase = passphrase;
    this.busy = 'create';
    announce('Making the backup…');
    try {
      const r = await this.ownJob(() => post('/api/backup/create', body));
      const skipped = (r.skipped || []).length;
      toast(`Backup ${r.backup_file} made: ${bytes(r.size)}, ${(r.stacks || []).length} stack${(r.stacks || []).length === 1 ? '' : 's'}`
        + `${r.volumes ? `, ${r.volumes} volume${r.volumes === 1 ? '' : 's'}` : ''}${r.encrypted ? ', encrypted' : ''}`
        + `${skipped ? `; ${skipped} item${skipped === 1 ? '' : 's'} skipped` : ''}.`, 'ok');
      e.target.querySelector('[name=passphrase]').value = '';
    } catch (err) {
      toast(`The backup failed: ${err.message}`, 'error');
    } finally {
      this.busy = '';
    }
    this.load();
  }

  /** Not remove(): that name is the element's own, which Lit calls to take a page out of the document. */
  async deleteBackup(b) {
    const ok = await confirmDialog({
      title: `Delete ${b.file}?`,
      body: html`<p>This deletes the archive <code>${b.file}</code> (${bytes(b.size)}, ${clock(b.created)}) from ${this.node || 'this node'}.
        It cannot be undone.</p>`,
      confirm: 'Delete archive',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/backups/${enc(b.file)}`);
      toast(`Archive ${b.file} deleted.`, 'ok');
    } catch (err) {
      toast(`Deleting ${b.file} failed: ${err.message}`, 'error');
    }
    this.load();
  }

  /** Restore from the list: an encrypted archive asks its passphrase before the dry run. */
  restoreKept(b) {
    this.restore({ file: b.file, label: b.file }, b.encrypted);
  }

  async restoreUpload(e) {
    e.preventDefault();
    const input = e.target.querySelector('#bk-upload');
    const file = input.files && input.files[0];
    if (!file) {
      toast('Choose an archive file to restore.', 'error');
      input.focus();
      return;
    }
    const passphrase = String(new FormData(e.target).get('passphrase') || '');
    this.restore({ upload: file, label: file.name }, false, passphrase);
  }

  /**
   * The dry run first (with the passphrase, asked here when needed), then the preview in which
   * the stacks are chosen; the restore itself runs from the preview, its errors shown there.
   */
  async restore(source, askPassphrase, passphrase = '') {
    let preview;
    this.busy = 'restore';
    try {
      if (askPassphrase) {
        const asked = await formDialog({
          title: `Restore ${source.label}`,
          body: () => html`<p>This archive is encrypted. Its passphrase is needed to check it and show what a restore would change.</p>
            <div class="field"><label for="rs-pass">Passphrase</label>
              <input id="rs-pass" name="passphrase" type="password" autocomplete="off" required></div>`,
          confirm: 'Check the archive',
          submit: async (f) => {
            const p = String(f.get('passphrase') || '');
            return { passphrase: p, preview: await restoreRequest(source, { dry_run: true, passphrase: p }) };
          },
        });
        if (!asked) return;
        passphrase = asked.passphrase;
        preview = asked.preview;
      } else {
        announce('Checking the archive…');
        preview = await restoreRequest(source, passphrase ? { dry_run: true, passphrase } : { dry_run: true });
      }
    } catch (err) {
      toast(`The archive cannot be restored: ${err.message}`, 'error');
      return;
    } finally {
      this.busy = '';
    }
    const done = await this.preview(source, preview, passphrase);
    if (!done) return;
    this.last = done;
    const restored = (done.restored || []).map((r) => r.stack);
    toast(done.success === false ? `The restore ended with errors; restored: ${restored.join(', ') || 'nothing'}.`
      : `Restored ${restored.length ? restored.join(', ') : 'nothing'} from ${source.label}.`, done.success === false ? 'error' : 'ok');
    await this.updateComplete;
    this.querySelector('#bk-last')?.focus();
    this.load();
  }

  /** The dry run's answer: what each stack would become, the stacks to restore, and how. */
  preview(source, dry, passphrase) {
    const rows = ['added', 'replaced', 'unchanged'].flatMap((a) => (dry[a] || []).map((stack) => ({ stack, action: a })));
    const volumes = dry.volumes || [];
    return formDialog({
      title: `Restore from ${source.label}`,
      wide: true,
      confirm: 'Restore the chosen stacks',
      body: () => html`<p>The archive was checked whole: every entry's name, type, size and checksum. Nothing is written until you
          confirm. Stacks are restored one at a time.</p>
        ${rows.length ? html`<fieldset><legend>Stacks to restore</legend>
            <ul class="plain restore-plan">${rows.map((r) => html`<li><label class="check"><input type="checkbox" name="stack" value=${r.stack}
              ?checked=${r.action !== 'unchanged'}> <code>${r.stack}</code></label>
              <span class="badge rs-${r.action}" data-action=${r.action}><span aria-hidden="true">${ACTION[r.action][0]}</span> ${ACTION[r.action][1]}</span>
              ${volumes.filter((v) => v.stack === r.stack).length ? html`<span class="muted small">${volumes.filter((v) => v.stack === r.stack).length}
                volume(s)</span>` : nothing}</li>`)}</ul></fieldset>`
          : html`<p class="empty">This archive holds no stack.</p>`}
        ${volumes.length ? html`<label class="check"><input type="checkbox" name="volumes" checked> <span>Write the volume data back
          (${volumes.length} volume${volumes.length === 1 ? '' : 's'}: ${volumes.map((v) => html`<code>${v.stack}/${v.service}:${v.destination}</code> `)})</span></label>`
          : nothing}
        <label class="check"><input type="checkbox" name="up"> <span>Start the restored stacks (<code>up</code>)</span></label>
        <label class="check"><input type="checkbox" name="settings"> Also restore the settings and add the HTTP peers it holds
          (notification URLs and peer tokens are never in a backup)</label>
        ${skippedList(dry.skipped)}`,
      submit: async (f) => {
        const stacks = f.getAll('stack');
        if (!stacks.length) throw new Error('Choose at least one stack to restore.');
        const options = { stacks, up: !!f.get('up'), settings: !!f.get('settings'), volumes: volumes.length ? !!f.get('volumes') : true };
        if (passphrase) options.passphrase = passphrase;
        announce('Restoring…');
        return this.ownJob(() => restoreRequest(source, options));
      },
    });
  }

  renderCreate() {
    const stacks = this.stacks();
    return html`<section class="card" aria-labelledby="bk-create-h"><h2 id="bk-create-h">Make a backup</h2>
      <form class="settings-form" id="bk-create" @submit=${this.create} aria-busy=${this.busy === 'create'}>
        <fieldset><legend>What it holds</legend>
          <label class="check"><input type="radio" name="kind" value="config" ?checked=${!this.withVolumes}
            @change=${() => { this.withVolumes = false; }}> <span>Configuration: compose files, <code>.env</code> and their history, schedules,
            settings and peers (no notification URLs, no peer tokens)</span></label>
          <label class="check"><input type="radio" name="kind" value="volumes" ?checked=${this.withVolumes}
            @change=${() => { this.withVolumes = true; }}> Configuration and volumes: also each stack's named volumes and bind-mounted folders</label>
          <label class="check"><input type="checkbox" name="stop" ?disabled=${!this.withVolumes}> Stop each stack while its volumes are copied,
            then start it again (a consistent copy of databases)</label>
        </fieldset>
        <fieldset><legend>Stacks</legend>
          <label class="check"><input type="radio" name="scope" value="all" ?checked=${!this.some} @change=${() => { this.some = false; }}>
            Every stack of this node</label>
          <label class="check"><input type="radio" name="scope" value="some" ?checked=${this.some} @change=${() => { this.some = true; }}>
            Only these:</label>
          ${this.some ? html`<ul class="plain stack-choice">${stacks.length ? stacks.map((s) => html`<li><label class="check">
            <input type="checkbox" name="stack" value=${s}> ${s}</label></li>`) : html`<li class="muted">No stack on this node.</li>`}</ul>` : nothing}
        </fieldset>
        <div class="field"><label for="bk-pass">Passphrase (optional)</label>
          <input id="bk-pass" name="passphrase" type="password" autocomplete="new-password" aria-describedby="bk-pass-hint">
          <p class="hint" id="bk-pass-hint">Encrypts the archive. DockUp never stores it: without it, the archive cannot be restored.</p></div>
        <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${!!this.busy || !!this.running()}>
          ${this.busy === 'create' ? 'Making the backup…' : 'Make backup'}</button>
          ${this.busy === 'create' ? html`<progress class="meter" aria-label="Backup in progress"></progress>` : nothing}</div>
      </form></section>`;
  }

  renderUpload() {
    return html`<section class="card" aria-labelledby="bk-upload-h"><h2 id="bk-upload-h">Restore from a file</h2>
      <form class="settings-form" @submit=${this.restoreUpload}>
        <p class="muted">An archive made by DockUp, here or on another instance. What it would change is shown first.</p>
        <div class="field"><label for="bk-upload">Archive</label>
          <input id="bk-upload" name="file" type="file" accept=".gz,.tgz,.enc,application/gzip,application/octet-stream"></div>
        <div class="field"><label for="bk-upload-pass">Passphrase, if it is encrypted</label>
          <input id="bk-upload-pass" name="passphrase" type="password" autocomplete="off"></div>
        <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${!!this.busy || !!this.running()}>
          ${this.busy === 'restore' ? 'Checking…' : 'Preview the restore…'}</button></div>
      </form></section>`;
  }

  /** This node's running job (backup_started), if any. */
  running() {
    return this.node ? this.store.backupJobs.get(this.node) : undefined;
  }

  renderRunning() {
    const job = this.running();
    if (!job) return nothing;
    return html`<div class="notice" id="bk-running" data-kind=${job.kind}><p><strong>${jobText(job)}</strong>
      <span class="muted">since <time datetime=${job.ts}>${clock(job.ts)}</time></span>. Another backup, restore or move can start once it is done.</p>
      <progress class="meter" aria-label=${`${jobText(job)}: in progress`}></progress></div>`;
  }

  renderLast() {
    const r = this.last;
    if (!r) return nothing;
    const restored = r.restored || [];
    return html`<div class="notice" id="bk-last" tabindex="-1"><strong>Last restore:</strong>
      ${restored.length ? restored.map((s, i) => html`${i ? ', ' : ''}<a href="#/nodes/${enc(this.node)}/stacks/${enc(s.stack)}">${s.stack}</a>
        (${s.action}${s.started ? ', started' : ''}${s.volumes ? `, ${s.volumes} volume(s) written` : ''})`) : 'nothing restored'}.
      ${r.settings ? html`<p>${r.settings.note || ''}</p>` : nothing}
      ${skippedList(r.skipped)}</div>`;
  }

  renderRow(b) {
    const stacks = b.stacks || [];
    return html`<tr data-file=${b.file}>
      <th scope="row" data-label="Created"><time datetime=${b.created}>${clock(b.created)}</time><br><code class="muted small">${b.file}</code></th>
      <td data-label="Size" class="num">${bytes(b.size)}</td>
      <td data-label="Kind">${b.kind ? KIND[b.kind] || b.kind : html`<span class="muted">Unknown until opened</span>`}</td>
      <td data-label="Stacks">${b.stacks ? html`${stacks.slice(0, 6).join(', ')}${stacks.length > 6 ? ` and ${stacks.length - 6} more` : ''}
        ${stacks.length ? nothing : html`<span class="muted">none</span>`}` : html`<span class="muted">–</span>`}</td>
      <td data-label="Encrypted">${b.encrypted ? html`<strong>Yes</strong>` : 'No'}</td>
      <td data-label="Actions"><div class="row-actions">
        <a class="btn btn-small" href="/api/backup/download/${enc(b.file)}" download=${b.file} aria-label="Download ${b.file}">Download</a>
        <button class="btn btn-small" ?disabled=${!!this.busy || !!this.running()} @click=${() => this.restoreKept(b)} aria-label="Restore from ${b.file}">Restore…</button>
        <button class="btn btn-small" @click=${() => this.deleteBackup(b)} aria-label="Delete ${b.file}">Delete…</button></div></td>
    </tr>`;
  }

  render() {
    const rows = this.backups ? sortRows([...this.backups], this, COMPARE) : [];
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Backups</h1>
        <div class="page-actions"><button class="btn" @click=${this.load}>Reload</button></div></div>
      <p class="muted">The archives of ${this.node ? html`node <strong>${this.node}</strong>` : 'this node'} (the one serving this page),
        kept owner-only in its data folder. A schedule for configuration backups is in <a href="#/settings/general">Settings</a>.</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.renderRunning()}
      ${this.renderLast()}
      <div class="two-col">${this.renderCreate()}${this.renderUpload()}</div>
      <section aria-labelledby="bk-list-h"><h2 id="bk-list-h">Archives ${this.backups ? html`<span class="count">(${this.backups.length})</span>` : nothing}</h2>
        ${this.backups ? html`<div class="table-wrap"><table class="cards-narrow backups" aria-labelledby="bk-list-h">
            <thead><tr>${sortHeader(this, 'created', 'Created')}${sortHeader(this, 'size', 'Size', { numeric: true })}
              <th scope="col">Kind</th><th scope="col">Stacks</th><th scope="col">Encrypted</th><th scope="col">Actions</th></tr></thead>
            <tbody>${rows.map((b) => this.renderRow(b))}</tbody></table></div>
          ${rows.length ? nothing : html`<p class="empty">No backup yet.</p>`}` : html`<p class="muted">Loading…</p>`}
      </section>
    </main>`;
  }
}
customElements.define('dockup-backups', Backups);
