// A new stack: a name checked as the API checks it, a node, and a compose file validated
// before the stack is created.
import { html, nothing } from 'lit';
import { Light, toast } from './ui.js';
import { post, stackPath, ApiError, lazy } from './api.js';
import { keyOf } from './store.js';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const EXAMPLE = `services:
  web:
    image: nginx:alpine
    restart: unless-stopped
    ports:
      - "8080:80"
`;

class NewStack extends Light {
  static properties = {
    store: { attribute: false },
    query: { attribute: false },
    name: { state: true },
    node: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.name = '';
    this.node = '';
    this.error = '';
    this.busy = false;
  }

  async firstUpdated() {
    const lib = await lazy(() => import('./editor.js'));
    this.editor = lib.createEditor(this.querySelector('.editor'), EXAMPLE, { label: 'Compose file of the new stack' });
    this.querySelector('.editor .loading')?.remove();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.editor?.destroy();
  }

  nameProblem() {
    if (!this.name) return '';
    if (!NAME.test(this.name)) return 'Use 1–63 lower-case letters, digits, “-” or “_”, starting with a letter or digit.';
    if (this.store.stacks.has(keyOf({ node: this.targetNode(), name: this.name }))) return `A stack named ${this.name} already exists on ${this.targetNode()}.`;
    return '';
  }

  targetNode() {
    if (this.node) return this.node;
    const self = [...this.store.nodes.values()].find((n) => n.self) || [...this.store.nodes.values()][0];
    return self ? self.name : '';
  }

  async create(e) {
    e.preventDefault();
    this.error = '';
    if (!this.name || this.nameProblem()) {
      this.error = this.nameProblem() || 'Give the stack a name.';
      this.querySelector('#ns-name').focus();
      return;
    }
    const content = this.editor.text();
    const node = this.targetNode();
    this.busy = true;
    try {
      const self = this.store.nodes.get(node)?.self !== false;
      if (self) {
        const v = await post('/api/stacks/validate', { content });
        if (!v.valid) {
          this.invalid(v.error, v.line);
          return;
        }
      }
      await post(stackPath({ node, name: this.name }, '/compose'), { content });
      toast(`Stack ${this.name} created on ${node}.`, 'ok');
      location.hash = `#/nodes/${encodeURIComponent(node)}/stacks/${encodeURIComponent(this.name)}`;
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.body.valid === false) this.invalid(err.message, err.body.line);
      else this.error = err.message;
    } finally {
      this.busy = false;
    }
  }

  invalid(message, line) {
    this.error = line && !/line \d+/i.test(message) ? `Line ${line}: ${message}` : message;
    this.editor.showError(message, line);
  }

  render() {
    const problem = this.nameProblem();
    const nodes = [...this.store.nodes.values()].filter((n) => n.reachable);
    return html`<main id="main" class="page" tabindex="-1">
      <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fleet</a> <span aria-hidden="true">›</span> New stack</nav>
      <h1 tabindex="-1">New stack</h1>
      <form class="card new-stack" @submit=${this.create} novalidate>
        <div class="field"><label for="ns-name">Name</label>
          <input id="ns-name" name="name" required autocomplete="off" spellcheck="false" .value=${this.name}
            aria-invalid=${problem ? 'true' : 'false'} aria-describedby="ns-name-help"
            @input=${(e) => { this.name = e.target.value.trim(); }}>
          <p id="ns-name-help" class=${problem ? 'error' : 'hint'}>${problem || 'Lower-case letters, digits, “-” and “_”; it names the folder and the compose project.'}</p></div>
        <div class="field"><label for="ns-node">Node</label>
          <select id="ns-node" @change=${(e) => { this.node = e.target.value; }}>
            ${nodes.map((n) => html`<option value=${n.name} ?selected=${n.name === this.targetNode()}>${n.name}${n.self ? ' (this node)' : ''}</option>`)}
          </select></div>
        <p class="label" id="ns-compose-label">Compose file</p>
        <div class="editor"><p class="muted loading">Loading the editor…</p></div>
        ${this.error ? html`<p class="error" role="alert" id="new-error">${this.error}</p>` : nothing}
        <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.busy}>Validate and create</button>
          <a class="btn" href="#/">Cancel</a></div>
      </form>
    </main>`;
  }
}
customElements.define('dockup-new-stack', NewStack);
