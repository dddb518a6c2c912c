// The fleet's nodes (cluster members and HTTP peers): version, address, last seen, whether
// they answer, and what runs where. Reachability and stacks are live from the feed; addresses,
// versions and last-seen times are asked when the page opens.
import { html, nothing } from 'lit';
import { Light, statusBadge, since, clock, STATUSES, redrawOnNodesAndStatus } from './ui.js';
import { get } from './api.js';
import { stackHref } from './rows.js';

const SHOWN = 24;

class Nodes extends Light {
  static properties = {
    store: { attribute: false },
    facts: { state: true },
    error: { state: true },
    expanded: { state: true },
  };

  constructor() {
    super();
    this.expanded = new Set();
    this.facts = new Map();
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.offs = redrawOnNodesAndStatus(this);
    this.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.offs.forEach((off) => off());
    cancelAnimationFrame(this.frame);
  }

  async load() {
    try {
      const [nodes, all] = await Promise.all([get('/api/nodes'), get('/api/stacks/all').catch(() => null)]);
      this.facts = new Map((nodes.nodes || []).map((n) => [n.name, n]));
      this.store.learnNodes(nodes.nodes);
      if (all) this.store.setPeers(all.peers || [], all.stacks || []);
      this.error = '';
    } catch (err) {
      this.error = err.message;
    }
  }

  stacksOf(owner) {
    return [...this.store.stacks.values()].filter((s) => (s.peer ? `peer:${s.peer}` : s.node) === owner)
      .sort((a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) || a.name.localeCompare(b.name));
  }

  renderStacks(owner, list) {
    if (!list.length) return html`<p class="muted">No stacks.</p>`;
    const all = this.expanded.has(owner);
    const shown = all ? list : list.slice(0, SHOWN);
    const toggle = () => {
      const next = new Set(this.expanded);
      if (all) next.delete(owner);
      else next.add(owner);
      this.expanded = next;
    };
    return html`<ul class="where">${shown.map((s) => html`<li><a href=${stackHref(s)}>${s.name}</a> ${statusBadge(s.status)}</li>`)}</ul>
      ${list.length > SHOWN ? html`<button class="btn btn-link" aria-expanded=${all} @click=${toggle}>${all ? 'Show fewer' : `Show all ${list.length}`}</button>` : nothing}`;
  }

  renderNode(n) {
    const f = this.facts.get(n.name) || {};
    const list = this.stacksOf(n.name);
    const state = !n.reachable ? ['✕', 'Unreachable', 'bad'] : n.engine_ok ? ['●', 'Reachable, engine OK', 'ok'] : ['!', 'Reachable, engine down', 'bad'];
    return html`<article class="card node-detail" aria-labelledby="nd-${n.name}">
      <header class="editor-head"><h2 id="nd-${n.name}">${n.name}</h2>${n.self ? html`<span class="tag">this node</span>` : nothing}<span class="tag">cluster member</span></header>
      <p class="node-state state-${state[2]}"><span aria-hidden="true">${state[0]}</span> ${state[1]}</p>
      <dl class="facts">
        <div><dt>Version</dt><dd>${f.version || n.version || '–'}</dd></div>
        <div><dt>Address</dt><dd>${f.address ? html`<code>${f.address}</code>` : '–'}</dd></div>
        <div><dt>Last seen</dt><dd>${f.last_seen ? html`<time datetime=${f.last_seen} title=${clock(f.last_seen)}>${n.reachable ? 'now' : `${since(f.last_seen)} ago`}</time>` : '–'}</dd></div>
        <div><dt>Stacks</dt><dd>${list.length} (${list.filter((s) => s.status === 'running').length} running)</dd></div>
      </dl>
      <h3>What runs here</h3>
      ${this.renderStacks(n.name, list)}
    </article>`;
  }

  renderPeer(p) {
    const list = this.stacksOf(`peer:${p.id}`);
    return html`<article class="card node-detail" aria-labelledby="np-${p.id}">
      <header class="editor-head"><h2 id="np-${p.id}">${p.name || p.id}</h2><span class="tag">HTTP peer</span></header>
      <p class="node-state state-${p.reachable ? 'ok' : 'bad'}"><span aria-hidden="true">${p.reachable ? '●' : '✕'}</span>
        ${p.reachable ? 'Reachable' : `Unreachable${p.error ? `: ${p.error}` : ''}`}</p>
      <p class="muted">Peers have no live feed: their stacks are as listed when this page opened. Manage peers in <a href="#/settings/peers">Settings</a>.</p>
      <h3>What runs there</h3>
      ${this.renderStacks(`peer:${p.id}`, list)}
    </article>`;
  }

  render() {
    const nodes = [...this.store.nodes.values()].sort((a, b) => (b.self - a.self) || a.name.localeCompare(b.name));
    const peers = [...this.store.peers.values()];
    return html`<main id="main" class="page" tabindex="-1">
      <div class="page-head"><h1 tabindex="-1">Nodes</h1>
        <div class="page-actions"><button class="btn" @click=${this.load}>Refresh</button></div></div>
      <p class="muted">${nodes.length} node${nodes.length === 1 ? '' : 's'}${peers.length ? `, ${peers.length} HTTP peer${peers.length === 1 ? '' : 's'}` : ''}.
        Reachability and stacks change live.</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="node-list">${nodes.map((n) => this.renderNode(n))}${peers.map((p) => this.renderPeer(p))}</div>
    </main>`;
  }
}
customElements.define('dockup-nodes', Nodes);
