// Settings (#/settings/<section>): the general settings and schedules here; notifications,
// template sources, HTTP peers, tokens and the password, webhooks, and the audit log in modules of their
// own, loaded when their section opens. Every save is checked whole by the server: a refused
// key is named beside its field and nothing is saved.
import { html, nothing } from 'lit';
import { Light, toast, announce } from './ui.js';
import { get, post, lazy } from './api.js';
import { zoneField, fieldError, problem } from './forms.js';

const SECTIONS = [
  ['general', 'General', null],
  ['notifications', 'Notifications', () => import('./notifications.js')],
  ['templates', 'Template sources', () => import('./sources.js')],
  ['peers', 'HTTP peers', () => import('./peers.js')],
  ['tokens', 'Tokens and password', () => import('./tokens.js')],
  ['webhooks', 'Webhooks', () => import('./webhooks.js')],
  ['audit', 'Audit log', () => import('./audit.js')],
];

/** POSTs `changes`; resolves with the settings as saved. A 400 carries `invalid` {key: reason}. */
export async function saveSettings(changes) {
  return post('/api/config', changes);
}

/** The error shown above a refused form: the fields carry the details. */
export function refusedWords(err) {
  return err.body?.invalid ? 'Nothing was saved: correct the fields marked below.' : err.message;
}

class Settings extends Light {
  static properties = {
    store: { attribute: false },
    section: { attribute: false },
    query: { attribute: false },
    config: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  constructor() {
    super();
    this.config = null;
    this.error = '';
    this.loaded = new Set(['general']);
  }

  connectedCallback() {
    super.connectedCallback();
    this.loadConfig();
  }

  willUpdate(changed) {
    if (changed.has('section')) this.loadSection();
  }

  async loadSection() {
    const entry = SECTIONS.find(([id]) => id === this.section);
    if (!entry || !entry[2] || this.loaded.has(this.section)) return;
    const id = this.section;
    try {
      await lazy(entry[2]);
      this.loaded = new Set([...this.loaded, id]);
    } catch {
      this.error = 'This section could not be loaded. Check the connection, then reload the page.';
    }
  }

  async loadConfig() {
    try {
      this.config = await get('/api/config');
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  /** Sections that saved settings hand back what the server now holds. */
  saved(e) {
    this.config = e.detail;
  }

  renderSection() {
    const id = this.section;
    if (!this.loaded.has(id)) return html`<p class="muted">Loading…</p>`;
    const c = this.config;
    switch (id) {
      case 'notifications': return c ? html`<dockup-notifications .config=${c} @saved=${this.saved}></dockup-notifications>` : nothing;
      case 'templates': return c ? html`<dockup-sources .config=${c} .store=${this.store} @saved=${this.saved}></dockup-sources>` : nothing;
      case 'peers': return html`<dockup-peers .store=${this.store}></dockup-peers>`;
      case 'tokens': return html`<dockup-tokens .config=${c} @saved=${this.saved}></dockup-tokens>`;
      case 'webhooks': return html`<dockup-webhooks .store=${this.store}></dockup-webhooks>`;
      case 'audit': return html`<dockup-audit .query=${this.query}></dockup-audit>`;
      default: return c ? html`<dockup-general-settings .config=${c} @saved=${this.saved}></dockup-general-settings>` : nothing;
    }
  }

  render() {
    const current = SECTIONS.find(([id]) => id === this.section) || SECTIONS[0];
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Settings</h1></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="settings-layout">
        <nav class="subnav" aria-label="Settings sections">
          ${SECTIONS.map(([id, label]) => html`<a href="#/settings/${id}" aria-current=${current[0] === id ? 'page' : nothing}>${label}</a>`)}
        </nav>
        <section class="settings-body" aria-labelledby="section-h">
          <h2 id="section-h">${current[1]}</h2>
          ${!this.config && !this.error && ['general', 'notifications', 'templates'].includes(current[0]) ? html`<p class="muted">Loading…</p>` : nothing}
          ${this.renderSection()}
        </section>
      </div>
    </main>`;
  }
}
customElements.define('dockup-settings', Settings);

/** Base of the sections that edit settings: the refused keys of the last save, and saving. */
export class SettingsForm extends Light {
  static properties = {
    config: { attribute: false },
    failure: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.failure = null;
    this.busy = false;
  }

  problem(key) {
    return problem(this.failure, key);
  }

  /** Saves `changes`; on success tells the shell; on refusal focuses the first refused field. */
  async save(changes, done) {
    this.busy = true;
    this.failure = null;
    try {
      const saved = await saveSettings(changes);
      this.dispatchEvent(new CustomEvent('saved', { detail: saved, bubbles: true }));
      toast(done, 'ok');
      return true;
    } catch (err) {
      this.failure = err;
      announce(refusedWords(err));
      await this.updateComplete;
      const first = err.body?.invalid ? Object.keys(err.body.invalid)[0] : null;
      (first && this.querySelector(`[name="${CSS.escape(first)}"]`) || this.querySelector('.form-error'))?.focus();
      return false;
    } finally {
      this.busy = false;
    }
  }

  formError() {
    return this.failure ? html`<p class="error form-error" role="alert" tabindex="-1">${refusedWords(this.failure)}</p>` : nothing;
  }

  /** A text or number field bound to a settings key, its refusal beside it. */
  input(key, label, { type = 'text', hint = '', min, max, placeholder = '', value } = {}) {
    const id = `set-${key}`;
    const err = this.problem(key);
    const v = value !== undefined ? value : this.config[key];
    return html`<div class="field"><label for=${id}>${label}</label>
      <input id=${id} name=${key} type=${type} min=${min ?? nothing} max=${max ?? nothing} placeholder=${placeholder} spellcheck="false"
        .value=${v == null ? '' : String(v)} aria-invalid=${err ? 'true' : 'false'} aria-describedby="${id}-error ${id}-hint">
      ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : nothing}
      ${fieldError(id, err)}</div>`;
  }
}

class General extends SettingsForm {
  submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const text = (k) => String(f.get(k) ?? '').trim();
    const whole = (k) => (text(k) === '' ? text(k) : Number(text(k)));
    const changes = {
      instance_name: text('instance_name'),
      timezone: text('timezone'),
      stats_interval: whole('stats_interval'),
      appdata_interval: whole('appdata_interval'),
      default_cron: text('default_cron'),
      scan_cron: text('scan_cron') || null,
      backup_cron: text('backup_cron') || null,
    };
    for (const k of ['hub_registry_url', 'hub_auth_url', 'discord_api_url', 'slack_api_url']) changes[k] = text(k);
    this.save(changes, 'Settings saved.');
  }

  render() {
    const advancedRefused = ['hub_registry_url', 'hub_auth_url', 'discord_api_url', 'slack_api_url'].some((k) => this.problem(k));
    return html`<form class="settings-form" @submit=${this.submit} novalidate>
      ${this.formError()}
      <fieldset><legend>This instance</legend>
        ${this.input('instance_name', 'Instance name', { hint: 'Shown in notifications and to HTTP peers.' })}
        ${zoneField({ id: 'set-timezone', name: 'timezone', label: 'Time zone', value: this.config.timezone, error: this.problem('timezone'),
          hint: 'An IANA zone: type to search. Schedules without a zone of their own run in it.' })}
        ${this.input('stats_interval', 'Live stats every (seconds)', { type: 'number', min: 1, max: 300, hint: '1 to 300 seconds.' })}
        ${this.input('appdata_interval', 'Measure stack data every (seconds)', { type: 'number', min: 60, max: 604800, hint: '60 s to 7 days; 3600 is hourly.' })}
      </fieldset>
      <fieldset><legend>Schedules (cron, 5 fields, in the time zone above)</legend>
        ${this.input('default_cron', 'Default update schedule', { placeholder: '0 3 * * *', hint: 'Given to a stack schedule that names none.' })}
        ${this.input('scan_cron', 'Scan every running image', { placeholder: 'off', value: this.config.scan_cron, hint: 'Empty: off. Needs Trivy or Grype on the node.' })}
        ${this.input('backup_cron', 'Configuration backup', { placeholder: 'off', value: this.config.backup_cron, hint: 'Empty: off.' })}
      </fieldset>
      <details class="advanced" ?open=${advancedRefused}><summary>Advanced: services DockUp talks to</summary>
        ${this.input('hub_registry_url', 'Docker Hub registry')}
        ${this.input('hub_auth_url', 'Docker Hub authentication')}
        ${this.input('discord_api_url', 'Discord API')}
        ${this.input('slack_api_url', 'Slack webhooks')}
      </details>
      <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save settings'}</button></div>
    </form>`;
  }
}
customElements.define('dockup-general-settings', General);
