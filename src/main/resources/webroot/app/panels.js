// The stack page's live panels: the operation terminal (xterm, loaded on first use) showing
// operation_output of this stack from any caller, and the merged, followed logs of its services.
import { html, nothing } from 'lit';
import { Light, hue } from './ui.js';
import { stackPath, lazy } from './api.js';

const MAX_LOG_LINES = 2000;

class Terminal extends Light {
  static properties = { store: { attribute: false }, stackKey: { attribute: false }, state: { state: true } };

  constructor() {
    super();
    this.state = 'loading';
    this.pending = [];
  }

  connectedCallback() {
    super.connectedCallback();
    this.off = this.store.onMessage((m, key) => {
      if (key !== this.stackKey) return;
      if (m.type === 'operation_output') this.write(m.line);
      else if (m.type === 'operation_done') {
        this.write(`\x1b[${m.success ? '32' : '31'}m${m.operation} ${m.success ? 'succeeded' : `failed (exit code ${m.exit_code})`}`
          + ` in ${((m.duration_ms || 0) / 1000).toFixed(1)} s\x1b[0m`);
      }
    });
    this.onTheme = () => this.term && this.term.setTheme();
    document.addEventListener('dockup-theme', this.onTheme);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.off();
    document.removeEventListener('dockup-theme', this.onTheme);
    this.term?.dispose();
    this.term = null;
  }

  async firstUpdated() {
    try {
      const { createTerminal } = await lazy(() => import('./terminal.js'));
      this.term = createTerminal(this.querySelector('.term'));
      this.state = 'ready';
      const earlier = this.store.output.get(this.stackKey) || [];
      if (earlier.length) this.term.write('\x1b[3m(earlier output)\x1b[0m');
      earlier.forEach((m) => this.term.write(m.line));
      this.pending.forEach((l) => this.term.write(l));
      this.pending = [];
      if (!earlier.length) this.term.write('\x1b[3mOutput of operations on this stack appears here as they run.\x1b[0m');
    } catch {
      this.state = 'failed';
    }
  }

  /** The terminal's text (tests read it: xterm draws on its own). */
  text() {
    return this.term ? this.term.text() : '';
  }

  write(line) {
    if (this.term) this.term.write(line);
    else this.pending.push(line);
  }

  /** A heading line for an operation started from this page. */
  mark(label) {
    this.write(`\x1b[1m$ ${label}\x1b[0m`);
  }

  render() {
    return html`<div class="term" role="region" aria-label="Terminal: operation output"></div>
      ${this.state === 'failed' ? html`<p class="error">The terminal could not be loaded.</p>` : nothing}`;
  }
}
customElements.define('dockup-terminal', Terminal);

class Logs extends Light {
  static properties = {
    ref: { attribute: false },
    services: { attribute: false },
    following: { state: true },
    paused: { state: true },
    service: { state: true },
    lines: { state: true },
    note: { state: true },
    held: { state: true },
  };

  constructor() {
    super();
    this.following = true;
    this.paused = false;
    this.service = '';
    this.lines = 100;
    this.note = '';
    this.held = [];
  }

  connectedCallback() {
    super.connectedCallback();
    this.updateComplete.then(() => this.follow());
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.close();
  }

  close() {
    if (this.source) this.source.close();
    this.source = null;
  }

  follow() {
    this.close();
    this.querySelector('.log').textContent = '';
    this.held = [];
    if (!this.following) return;
    const url = `${stackPath(this.ref, '/logs')}?follow=true&lines=${this.lines}`;
    const source = new EventSource(url);
    this.source = source;
    this.note = 'Following…';
    source.addEventListener('log_line', (e) => this.line(JSON.parse(e.data)));
    source.addEventListener('error', (e) => {
      if (this.source !== source) return;
      let words = 'The log stream ended.';
      if (e.data) {
        try { words = `The log stream ended: ${JSON.parse(e.data).error}`; } catch { /* keep the plain words */ }
      }
      this.close();
      this.following = false;
      this.note = words;
    });
  }

  line(m) {
    if (this.paused) {
      this.held.push(m);
      if (this.held.length > MAX_LOG_LINES) this.held.shift();
      this.requestUpdate();
      return;
    }
    this.appendLines([m]);
  }

  appendLines(list) {
    const box = this.querySelector('.log');
    if (!box) return;
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    const frag = document.createDocumentFragment();
    for (const m of list) {
      const row = document.createElement('div');
      row.className = `log-line${m.stream === 'stderr' ? ' log-err' : ''}`;
      row.dataset.service = m.service || '';
      row.hidden = !!this.service && m.service !== this.service;
      const prefix = document.createElement('span');
      prefix.className = `log-prefix svc-${hue(m.service)}`;
      prefix.textContent = `${m.service || m.container} | `;
      row.append(prefix, document.createTextNode(m.line));
      frag.append(row);
    }
    box.append(frag);
    while (box.childElementCount > MAX_LOG_LINES) box.firstElementChild.remove();
    if (atEnd) box.scrollTop = box.scrollHeight;
  }

  setService(v) {
    this.service = v;
    for (const row of this.querySelectorAll('.log-line')) row.hidden = !!v && row.dataset.service !== v;
  }

  togglePause() {
    this.paused = !this.paused;
    if (!this.paused && this.held.length) {
      this.appendLines(this.held);
      this.held = [];
    }
  }

  toggleFollow() {
    this.following = !this.following;
    if (this.following) this.follow();
    else {
      this.close();
      this.note = 'Stopped following.';
    }
  }

  render() {
    return html`<div class="log-tools">
        <button class="btn btn-small" aria-pressed=${this.following} @click=${this.toggleFollow}>${this.following ? 'Stop following' : 'Follow'}</button>
        <button class="btn btn-small" aria-pressed=${this.paused} ?disabled=${!this.following} @click=${this.togglePause}>
          ${this.paused ? `Resume${this.held.length ? ` (${this.held.length} new)` : ''}` : 'Pause'}</button>
        <div class="field-inline"><label for="log-svc">Service</label>
          <select id="log-svc" @change=${(e) => this.setService(e.target.value)}>
            <option value="">All services</option>
            ${(this.services || []).map((s) => html`<option value=${s} ?selected=${this.service === s}>${s}</option>`)}
          </select></div>
        <div class="field-inline"><label for="log-lines">Last lines</label>
          <select id="log-lines" @change=${(e) => { this.lines = Number(e.target.value); this.following = true; this.follow(); }}>
            ${[50, 100, 500, 1000, 5000].map((n) => html`<option value=${n} ?selected=${this.lines === n}>${n}</option>`)}
          </select></div>
        <span class="muted">${this.note}</span>
      </div>
      <div class="log" tabindex="0" role="log" aria-live="off" aria-label="Logs of ${this.ref.name}"></div>`;
  }
}
customElements.define('dockup-logs', Logs);
