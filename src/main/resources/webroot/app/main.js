// The application shell: who is signed in (or first-run setup), the header with the feed's
// connection indicator, the session's end, theme and sign-out, and the hash router.
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { Light, announce } from './ui.js';
import { get, post, onUnauthorized, onUsed, ApiError } from './api.js';
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

/** `#/nodes/<node>/stacks/<name>`, `#/peers/<id>/stacks/<name>`, `#/new`, else the overview with its query. */
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'nodes' && parts[2] === 'stacks' && parts[3]) return { page: 'stack', ref: { node: parts[1], name: parts[3] } };
  if (parts[0] === 'peers' && parts[2] === 'stacks' && parts[3]) return { page: 'stack', ref: { peer: parts[1], name: parts[3] } };
  if (parts[0] === 'new') return { page: 'new', query: new URLSearchParams(query) };
  return { page: 'overview', query: new URLSearchParams(query) };
}

class App extends Light {
  static properties = {
    phase: { state: true },
    route: { state: true },
    conn: { state: true },
    session: { state: true },
    theme: { state: true },
    notice: { state: true },
  };

  constructor() {
    super();
    this.phase = 'loading';
    this.route = parseRoute(location.hash);
    this.conn = { state: 'connecting' };
    this.session = null;
    this.theme = localStorage.getItem('dockup.theme') || 'system';
    this.notice = '';
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

  async navigated() {
    const before = this.route.page;
    this.route = parseRoute(location.hash);
    if (this.phase !== 'app') return;
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
    return html`<header class="top">
      <a class="brand" href="#/"><img src="${this.dataset.base}app/icon.svg" alt="" width="24" height="24"> DockUp</a>
      <nav aria-label="Main">
        <a href="#/" aria-current=${this.route.page === 'overview' ? 'page' : nothing}>Fleet</a>
        <a href="#/new" aria-current=${this.route.page === 'new' ? 'page' : nothing}>New stack</a>
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
    return html`<dockup-overview .store=${this.store} .query=${r.query}></dockup-overview>`;
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
