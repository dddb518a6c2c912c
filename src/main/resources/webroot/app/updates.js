// A stack's update schedule (mode, cron, time zone, next run) and its update records.
import { html, nothing } from 'lit';
import { Light, toast, clock } from './ui.js';
import { get, post, stackPath } from './api.js';

class Updates extends Light {
  static properties = {
    ref: { attribute: false },
    schedule: { state: true },
    records: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.schedule = null;
    this.records = [];
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      const [s, u] = await Promise.all([get(stackPath(this.ref, '/schedule')), get(stackPath(this.ref, '/updates'))]);
      this.schedule = s;
      this.records = u.updates || [];
    } catch (err) {
      this.error = err.message;
    }
  }

  async save(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    this.error = '';
    try {
      this.schedule = await post(stackPath(this.ref, '/schedule'), {
        mode: f.get('mode'), cron: String(f.get('cron')).trim(), timezone: String(f.get('timezone')).trim(),
      });
      toast(`Schedule of ${this.ref.name} saved.`, 'ok');
    } catch (err) {
      this.error = err.message;
    }
  }

  async runNow() {
    try {
      await post(stackPath(this.ref, '/schedule/run'));
      toast(`The update job of ${this.ref.name} ran.`, 'ok');
      this.load();
    } catch (err) {
      toast(`Running the update job failed: ${err.message}`, 'error');
    }
  }

  render() {
    const s = this.schedule;
    return html`<h2>Update schedule</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${s ? html`<form class="schedule" @submit=${this.save}>
        <div class="field"><label for="sch-mode">Mode</label>
          <select id="sch-mode" name="mode">
            ${[['off', 'Off'], ['check', 'Check and notify'], ['auto', 'Update automatically']].map(([v, t]) =>
              html`<option value=${v} ?selected=${s.mode === v}>${t}</option>`)}
          </select></div>
        <div class="field"><label for="sch-cron">Cron (5 fields)</label>
          <input id="sch-cron" name="cron" .value=${s.cron || ''} spellcheck="false" placeholder="0 4 * * *"></div>
        <div class="field"><label for="sch-tz">Time zone</label>
          <input id="sch-tz" name="timezone" .value=${s.timezone || ''} spellcheck="false" placeholder="Europe/Paris"></div>
        <p class="next">Next run: <strong>${s.next_run ? clock(s.next_run) : 'none'}</strong></p>
        <div class="actions"><button class="btn btn-primary" type="submit">Save schedule</button>
          <button class="btn" type="button" @click=${this.runNow}>Run now</button></div>
      </form>` : html`<p class="muted">Loading…</p>`}
      <h2>Update records</h2>
      ${this.records.length ? html`<ul class="records">${this.records.map((r) => html`<li>
          <strong>${clock(r.time)}</strong> · ${r.trigger} · <span class=${r.result === 'success' || r.result === 'applied' ? 'op-ok' : 'op-fail'}>${r.result}</span>
          ${(r.images || []).map((i) => html`<div class="muted"><code>${i.service}</code> ${i.image}</div>`)}
          ${r.error ? html`<div class="error">${r.error}</div>` : nothing}</li>`)}</ul>`
        : html`<p class="muted">No updates recorded yet.</p>`}`;
  }
}
customElements.define('dockup-updates', Updates);
