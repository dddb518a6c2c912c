// The compose editor (validated by the server before anything is saved, the change shown as a
// diff first, "save" and "save and up") and the .env editor (values masked until revealed).
import { html, nothing, render } from 'lit';
import { Light, toast, announce } from './ui.js';
import { get, post, put, stackPath, ApiError, lazy } from './api.js';
import { runOperation } from './ops.js';

/** Shows a diff of the change in a modal dialog; resolves true when the user confirms. */
function diffDialog(original, changed, confirmLabel, createDiff) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const dlg = document.createElement('dialog');
    dlg.className = 'dialog dialog-wide';
    dlg.setAttribute('aria-labelledby', 'diff-title');
    document.body.append(dlg);
    let diff;
    const done = (ok) => {
      diff?.destroy();
      dlg.close();
      dlg.remove();
      opener?.focus?.();
      resolve(ok);
    };
    render(html`<h2 id="diff-title">Review the change</h2>
      <p>Lines removed are marked red, lines added green.</p>
      <div class="diff"></div>
      <div class="dialog-actions">
        <button class="btn" @click=${() => done(false)}>Cancel</button>
        <button class="btn btn-primary" id="diff-confirm" @click=${() => done(true)}>${confirmLabel}</button>
      </div>`, dlg);
    diff = createDiff(dlg.querySelector('.diff'), original, changed);
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    dlg.showModal();
    dlg.querySelector('#diff-confirm').focus();
  });
}

class Compose extends Light {
  static properties = {
    ref: { attribute: false },
    store: { attribute: false },
    readonly: { type: Boolean },
    error: { state: true },
    state: { state: true },
    dirty: { state: true },
  };

  constructor() {
    super();
    this.error = '';
    this.state = 'loading';
    this.dirty = false;
    this.original = '';
  }

  async firstUpdated() {
    try {
      const [lib, file] = await Promise.all([lazy(() => import('./editor.js')), get(stackPath(this.ref, '/compose'))]);
      this.lib = lib;
      this.original = file.content;
      this.file = file.file;
      this.editor = lib.createEditor(this.querySelector('.editor'), file.content, {
        label: `Compose file of ${this.ref.name}`,
        readOnly: this.readonly,
        onChange: (text) => { this.dirty = text !== this.original; },
      });
      this.state = 'ready';
    } catch (err) {
      this.state = 'failed';
      this.error = err.message;
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.editor?.destroy();
  }

  showInvalid(message, line) {
    const at = line || Number((/line (\d+)/i.exec(message) || [])[1]) || null;
    this.error = at && !/line \d+/i.test(message) ? `Line ${at}: ${message}` : message;
    this.editor.showError(message, at);
    announce(`The compose file is not valid. ${this.error}`);
  }

  async validate(quiet = false) {
    const content = this.editor.text();
    this.editor.clearErrors();
    this.error = '';
    try {
      // Validated by the stack's own node: its folder and .env are there.
      const at = this.ref.node ? `/api/nodes/${encodeURIComponent(this.ref.node)}` : '/api';
      const r = await post(`${at}/stacks/validate`, { content, stack: this.ref.name });
      if (!r.valid) {
        this.showInvalid(r.error, r.line);
        return false;
      }
      if (!quiet) toast(`The compose file is valid (${(r.services || []).length} services).`, 'ok');
      return true;
    } catch (err) {
      this.error = err.message;
      return false;
    }
  }

  async save(andUp) {
    const content = this.editor.text();
    if (content === this.original && !andUp) {
      toast('Nothing changed.', 'info');
      return;
    }
    if (!(await this.validate(true))) return;
    if (content !== this.original) {
      const ok = await diffDialog(this.original, content, andUp ? 'Save and up' : 'Save', this.lib.createDiff);
      if (!ok) return;
      try {
        await post(stackPath(this.ref, '/compose'), { content });
      } catch (err) {
        if (err instanceof ApiError && err.status === 400) this.showInvalid(err.message, err.body.line);
        else this.error = err.message;
        return;
      }
      this.original = content;
      this.dirty = false;
      toast(`Compose file of ${this.ref.name} saved.`, 'ok');
    }
    if (andUp) {
      this.closest('dockup-stack-page')?.terminal()?.mark('up (after saving the compose file)');
      await runOperation(this.store, this.ref, 'up');
    }
  }

  revert() {
    this.editor.set(this.original);
    this.editor.clearErrors();
    this.error = '';
  }

  render() {
    return html`<div class="editor-head"><h2>Compose file ${this.file ? html`<code>${this.file}</code>` : nothing}</h2>
        ${this.dirty ? html`<span class="tag tag-warn">unsaved changes</span>` : nothing}</div>
      ${this.error ? html`<p class="error" role="alert" id="compose-error">${this.error}</p>` : nothing}
      ${this.state === 'loading' ? html`<p class="muted">Loading the editor…</p>` : nothing}
      <div class="editor"></div>
      ${this.readonly ? html`<p class="muted">This stack is not managed by DockUp: its file is read-only.</p>` : html`<div class="actions">
        <button class="btn" ?disabled=${this.state !== 'ready'} @click=${() => this.validate()}>Validate</button>
        <button class="btn btn-primary" ?disabled=${this.state !== 'ready'} @click=${() => this.save(false)}>Save…</button>
        <button class="btn" ?disabled=${this.state !== 'ready'} @click=${() => this.save(true)}>Save and up…</button>
        <button class="btn btn-link" ?disabled=${!this.dirty} @click=${this.revert}>Revert</button>
      </div>`}`;
  }
}
customElements.define('dockup-compose', Compose);

const mask = (text) => text.split('\n').map((l) => {
  const m = /^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=)(.*)$/.exec(l);
  return m && !l.trim().startsWith('#') ? `${m[1]}${m[2] ? '••••••••' : ''}` : l;
}).join('\n');

class EnvEditor extends Light {
  static properties = {
    ref: { attribute: false },
    readonly: { type: Boolean },
    content: { state: true },
    revealed: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  constructor() {
    super();
    this.content = '';
    this.revealed = false;
    this.error = '';
    this.loaded = false;
  }

  async connectedCallback() {
    super.connectedCallback();
    try {
      this.content = (await get(stackPath(this.ref, '/env'))).content || '';
      this.loaded = true;
    } catch (err) {
      this.error = err.message;
    }
  }

  async save() {
    const content = this.querySelector('#env-text').value;
    try {
      await put(stackPath(this.ref, '/env'), { content });
      this.content = content;
      toast(`.env of ${this.ref.name} saved. It applies at the next up.`, 'ok');
    } catch (err) {
      this.error = err.message;
    }
  }

  render() {
    const editable = this.revealed && !this.readonly;
    return html`<h2>Environment <code>.env</code></h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="muted">${this.revealed ? 'Values are shown.' : 'Values are hidden until you reveal them.'}</p>
      <label for="env-text" class="visually-hidden">.env file of ${this.ref.name}</label>
      <textarea id="env-text" class="env" spellcheck="false" rows="10" ?readonly=${!editable}
        .value=${this.revealed ? this.content : mask(this.content)}></textarea>
      <div class="actions">
        <button class="btn" aria-pressed=${this.revealed} ?disabled=${!this.loaded} @click=${() => { this.revealed = !this.revealed; }}>
          ${this.revealed ? 'Hide values' : 'Reveal values to edit'}</button>
        ${this.readonly ? nothing : html`<button class="btn btn-primary" ?disabled=${!editable} @click=${this.save}>Save .env</button>`}
      </div>`;
  }
}
customElements.define('dockup-env', EnvEditor);
