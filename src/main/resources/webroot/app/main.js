// The application shell: who is signed in (or first-run setup), the header with the feed's
// connection indicator, the session's end, theme and sign-out, and the hash router. The stack
// pages come with the first load; every other page is a module loaded when first opened.
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { Light, announce } from './ui.js';
import { get, post, onUnauthorized, onUsed, ApiError, lazy } from './api.js';
import { Store, keyOf } from './store.js';
import { Feed } from './feed.js';
import { recheckPending } from './ops.js';
import './login.js';
import './overview.js';
import './stack.js';
import './newstack.js';

const THEMES = ['system', 'light', 'dark'];

function applyTheme(theme) {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
applyTheme(localStorage.getItem('dockup.theme') || 'system');

/** The pages loaded on demand: route page → its module. */
const LAZY = {
  templates: () => import('./templates.js'),
  template: () => import('./templates.js'),
  images: () => import('./images.js'),
  networks: () => import('./networks.js'),
  host: () => import('./host.js'),
  nodes: () => import('./fleetnodes.js'),
  backups: () => import('./backups.js'),
  settings: () => import('./settings.js'),
};

const NAV = [['overview', '#/', 'Fleet'], ['templates', '#/templates', 'Templates'], ['images', '#/images', 'Images'],
  ['networks', '#/networks', 'Networks'], ['host', '#/host', 'Host'], ['nodes', '#/nodes', 'Nodes'],
  ['backups', '#/backups', 'Backups'], ['settings', '#/settings', 'Settings']];

/**
 * `#/nodes/<node>/stacks/<name>`, `#/peers/<id>/stacks/<name>`, `#/new`, `#/templates[/<id>]`,
 * `#/images`, `#/networks`, `#/host`, `#/nodes`, `#/backups`, `#/settings[/<section>]`, else the overview;
 * each with its query.
 */
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const [path, q = ''] = raw.split('?');
  const query = new URLSearchParams(q);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'nodes' && parts[2] === 'stacks' && parts[3]) return { page: 'stack', ref: { node: parts[1], name: parts[3] } };
  if (parts[0] === 'peers' && parts[2] === 'stacks' && parts[3]) return { page: 'stack', ref: { peer: parts[1], name: parts[3] } };
  if (parts[0] === 'new') return { page: 'new', query };
  if (parts[0] === 'templates' && parts[1]) return { page: 'template', id: parts[1], query };
  if (parts[0] === 'settings') return { page: 'settings', section: parts[1] || 'general', query };
  if (parts.length === 1 && LAZY[parts[0]]) return { page: parts[0], query };
  return { page: 'overview', query };
}

/** The nav entry a page belongs to. */
const SECTION = { stack: 'overview', new: 'overview', template: 'templates' };

class App extends Light {
  static properties = {
    phase: { state: true },
    route: { state: true },
    conn: { state: true },
    session: { state: true },
    theme: { state: true },
    notice: { state: true },
    menuOpen: { state: true },
    loaded: { state: true },
    loadError: { state: true },
  };

  constructor() {
    super();
    this.phase = 'loading';
    this.route = parseRoute(location.hash);
    this.conn = { state: 'connecting' };
    this.session = null;
    this.theme = localStorage.getItem('dockup.theme') || 'system';
    this.notice = '';
    this.menuOpen = false;
    this.loaded = new Set();
    this.loadError = '';
    this.store = new Store();
    this.feed = new Feed(this.store, (c) => this.connState(c), () => this.checkSession());
    this.expiryTimer = null;
    onUnauthorized(() => this.sessionEnded());
    onUsed(() => this.sessionUsed());
    window.addEventListener('hashchange', () => this.navigated());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.phase === 'app') this.feed.reconnectNow();
    });
  }

  createRenderRoot() {
    // The "Loading…" text the page shows until the modules run.
    this.replaceChildren();
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.boot();
  }

  async boot() {
    // Both at once: one round trip less before the feed opens.
    const session = get('/api/auth/session', { quiet401: true });
    session.catch(() => {});
    try {
      const ping = await get('/api/ping', { quiet401: true });
      if (ping.setup_required) {
        this.phase = 'setup';
        return;
      }
      this.session = await session;
      this.startApp();
    } catch (err) {
      this.phase = 'login';
      if (!(err instanceof ApiError) || err.status !== 401) this.notice = err.message;
    }
  }

  startApp() {
    this.phase = 'app';
    this.loadPage();
    this.notice = '';
    this.feed.start();
    this.scheduleExpiry();
  }

  async signedIn() {
    try {
      this.session = await get('/api/auth/session', { quiet401: true });
    } catch {
      this.session = null;
    }
    this.startApp();
    announce('Signed in.');
  }

  connState(c) {
    const was = this.conn.state;
    this.conn = c;
    if (c.state === 'live' && was === 'offline') {
      announce('Live updates reconnected.');
      recheckPending(this.store);
    } else if (c.state === 'offline' && was === 'live') {
      announce('Live updates disconnected. Reconnecting…');
    }
    clearInterval(this.countdown);
    // The indicator counts down to the next attempt; this timer only redraws, it asks nothing.
    if (c.state === 'offline') this.countdown = setInterval(() => this.requestUpdate(), 1000);
  }

  /** One timer, at the session's end: the page asks once whether it was renewed meanwhile. */
  scheduleExpiry() {
    clearTimeout(this.expiryTimer);
    if (!this.session || !this.session.expires_at) return;
    const ms = Date.parse(this.session.expires_at) - Date.now() + 1000;
    this.expiryTimer = setTimeout(() => this.checkSession(), Math.max(1000, Math.min(ms, 2 ** 31 - 1)));
  }

  async checkSession() {
    if (this.phase !== 'app') return;
    try {
      const s = await get('/api/auth/session', { quiet401: true });
      clearTimeout(this.renewTimer);
      this.session = s;
      this.scheduleExpiry();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.sessionEnded();
    }
  }

  /** After a request the server renewed the cookie for: the shown end moves. */
  sessionUsed() {
    if (this.phase !== 'app') return;
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => this.checkSession(), 2000);
  }

  sessionEnded() {
    if (this.phase !== 'app') return;
    this.stop();
    this.phase = 'login';
    this.notice = 'Your session has ended. Sign in again to continue.';
    announce(this.notice);
  }

  stop() {
    this.feed.stop();
    clearTimeout(this.expiryTimer);
    clearInterval(this.countdown);
    this.store = new Store();
    this.feed = new Feed(this.store, (c) => this.connState(c), () => this.checkSession());
  }

  async logout() {
    try {
      await post('/api/auth/logout');
    } catch { /* the cookie is cleared either way */ }
    this.stop();
    this.session = null;
    this.phase = 'login';
    this.notice = 'You have signed out.';
  }

  toggleTheme() {
    const next = THEMES[(THEMES.indexOf(this.theme) + 1) % THEMES.length];
    this.theme = next;
    localStorage.setItem('dockup.theme', next);
    applyTheme(next);
    document.dispatchEvent(new CustomEvent('dockup-theme'));
    announce(`Theme: ${next === 'system' ? 'follows the system' : next}.`);
  }

  /** The module of the page shown, when it is one loaded on demand. */
  async loadPage() {
    const page = this.route.page;
    if (!LAZY[page] || this.loaded.has(page)) return;
    this.loadError = '';
    try {
      await lazy(LAZY[page]);
      this.loaded = new Set([...this.loaded, page]);
      if (this.route.page === page) {
        await this.updateComplete;
        this.querySelector('main h1')?.focus();
      }
    } catch {
      if (this.route.page === page) this.loadError = 'This page could not be loaded. Check the connection, then reload the page.';
    }
  }

  async navigated() {
    const before = this.route.page;
    this.route = parseRoute(location.hash);
    this.menuOpen = false;
    if (this.phase !== 'app') return;
    this.loadPage();
    await this.updateComplete;
    // A new page takes focus at its heading; a changed filter keeps it where it is.
    if (before !== this.route.page || this.route.page === 'stack') this.querySelector('main h1')?.focus();
  }

  renderConn() {
    const c = this.conn;
    if (c.state === 'live') return html`<span class="conn conn-live" data-state="live"><span aria-hidden="true">●</span> Live</span>`;
    if (c.state === 'connecting') return html`<span class="conn conn-wait" data-state="connecting"><span aria-hidden="true">◌</span> Connecting…</span>`;
    const s = Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000));
    return html`<span class="conn conn-off" data-state="offline"><span aria-hidden="true">✕</span> Disconnected · retry in ${s} s
      <button class="btn btn-small" @click=${() => this.feed.reconnectNow()}>Reconnect now</button></span>`;
  }

  renderHeader() {
    const ends = this.session?.expires_at ? new Date(this.session.expires_at) : null;
    const current = SECTION[this.route.page] || this.route.page;
    return html`<header class="top">
      <a class="brand" href="#/"><img src="${this.dataset.base}app/icon.svg" alt="" width="24" height="24"> DockUp</a>
      <button class="btn btn-small menu-toggle" aria-expanded=${this.menuOpen} aria-controls="main-nav"
        @click=${() => { this.menuOpen = !this.menuOpen; }}><span aria-hidden="true">☰</span> Menu</button>
      <nav id="main-nav" aria-label="Main" class=${this.menuOpen ? 'open' : ''}>
        ${NAV.map(([page, href, label]) => html`<a href=${href} aria-current=${current === page ? 'page' : nothing}>${label}</a>`)}
      </nav>
      <div class="top-right">
        ${this.renderConn()}
        ${ends ? html`<span class="session" title="Renewed as you use DockUp">Session until
          <time datetime=${this.session.expires_at}>${ends.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time></span>` : nothing}
        <button class="btn btn-small" @click=${this.toggleTheme} aria-label="Theme: ${this.theme}. Change theme">
          <span aria-hidden="true">${this.theme === 'dark' ? '☾' : this.theme === 'light' ? '☀' : '◐'}</span> ${this.theme[0].toUpperCase() + this.theme.slice(1)}
        </button>
        <button class="btn btn-small" @click=${this.logout}>Sign out</button>
      </div>
    </header>`;
  }

  renderPage() {
    const r = this.route;
    // A new element per stack: its panels (logs, editors, terminal) belong to one stack.
    if (r.page === 'stack') return repeat([r.ref], keyOf, (ref) => html`<dockup-stack-page .store=${this.store} .ref=${ref}></dockup-stack-page>`);
    if (r.page === 'new') return html`<dockup-new-stack .store=${this.store} .query=${r.query}></dockup-new-stack>`;
    if (LAZY[r.page] && !this.loaded.has(r.page)) {
      return html`<main id="main" class="page" tabindex="-1">
        ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : html`<p class="muted">Loading…</p>`}</main>`;
    }
    const s = this.store;
    switch (r.page) {
      case 'templates': return html`<dockup-templates .store=${s} .query=${r.query}></dockup-templates>`;
      case 'template': return repeat([r.id], (id) => id, (id) => html`<dockup-template .store=${s} .templateId=${id} .query=${r.query}></dockup-template>`);
      case 'images': return html`<dockup-images .store=${s}></dockup-images>`;
      case 'networks': return html`<dockup-networks .store=${s}></dockup-networks>`;
      case 'host': return html`<dockup-host .store=${s}></dockup-host>`;
      case 'nodes': return html`<dockup-nodes .store=${s}></dockup-nodes>`;
      case 'backups': return html`<dockup-backups .store=${s}></dockup-backups>`;
      case 'settings': return html`<dockup-settings .store=${s} .section=${r.section} .query=${r.query}></dockup-settings>`;
      default: return html`<dockup-overview .store=${s} .query=${r.query}></dockup-overview>`;
    }
  }

  render() {
    if (this.phase === 'loading') return html`<p class="boot">Loading DockUp…</p>`;
    if (this.phase === 'setup') return html`<dockup-login setup @signed-in=${this.signedIn}></dockup-login>`;
    if (this.phase === 'login') return html`<dockup-login .notice=${this.notice} @signed-in=${this.signedIn}></dockup-login>`;
    return html`${this.renderHeader()}${this.renderPage()}`;
  }
}
customElements.define('dockup-app', App);

document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  const main = document.getElementById('main');
  if (main) main.focus();
});
