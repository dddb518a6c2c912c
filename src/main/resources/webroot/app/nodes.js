// One card per node (cluster members from the feed, HTTP peers from their listing): engine,
// reachability, stacks by status, and host CPU/memory with a short live history.
import { html, nothing } from 'lit';
import { Light, sparkline, percent, bytes, STATUSES } from './ui.js';

class NodeCards extends Light {
  static properties = { store: { attribute: false } };

  connectedCallback() {
    super.connectedCallback();
    const redraw = () => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.requestUpdate();
      });
    };
    // Counts change with stacks; histories with stats ticks: one redraw per frame at most.
    this.offs = [this.store.onNodes(redraw), this.store.onList((key, before, after) => {
      if (!before || !after || before.status !== after.status) redraw();
    })];
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.offs.forEach((off) => off());
  }

  counts() {
    const by = new Map();
    for (const s of this.store.stacks.values()) {
      const owner = s.peer ? `peer:${s.peer}` : s.node;
      let c = by.get(owner);
      if (!c) by.set(owner, (c = { total: 0, running: 0, partial: 0, stopped: 0, inactive: 0, updates: 0 }));
      c.total += 1;
      c[s.status] = (c[s.status] || 0) + 1;
      if (s.update_available) c.updates += 1;
    }
    return by;
  }

  renderCounts(c) {
    if (!c || !c.total) return html`<p class="muted">No stacks</p>`;
    return html`<ul class="counts" aria-label="Stacks by status">
      <li><strong>${c.total}</strong> stacks</li>
      ${STATUSES.filter((s) => c[s]).map((s) => html`<li class="st-${s}">${c[s]} ${s}</li>`)}
      ${c.updates ? html`<li class="upd-yes">${c.updates} with updates</li>` : nothing}
    </ul>`;
  }

  renderNode(n, c) {
    const cpu = n.cpu.length ? n.cpu[n.cpu.length - 1] : null;
    const mem = n.mem.length ? n.mem[n.mem.length - 1] : null;
    const state = !n.reachable ? ['✕', 'Unreachable', 'bad'] : n.engine_ok ? ['●', 'Engine OK', 'ok'] : ['!', 'Engine down', 'bad'];
    return html`<article class="card node-card" aria-labelledby="node-${n.name}">
      <header><h3 id="node-${n.name}">${n.name}</h3>${n.self ? html`<span class="tag">this node</span>` : nothing}</header>
      <p class="node-state state-${state[2]}"><span aria-hidden="true">${state[0]}</span> ${state[1]}${n.reachable ? '' : ' (last known stacks shown)'}</p>
      ${this.renderCounts(c)}
      <dl class="host">
        <div><dt>CPU</dt><dd>${percent(cpu)} ${sparkline(n.cpu, `CPU history of ${n.name}`)}</dd></div>
        <div><dt>Memory</dt><dd>${percent(mem)}${n.mem_total ? html` <span class="muted">of ${bytes(n.mem_total)}</span>` : nothing} ${sparkline(n.mem, `Memory history of ${n.name}`)}</dd></div>
        <div><dt>Disk</dt><dd>${n.disk ? html`${percent(n.disk.percent)} <span class="muted">of ${bytes(n.disk.total)}</span>` : html`<span class="muted">–</span>`}</dd></div>
      </dl>
    </article>`;
  }

  renderPeer(p, c) {
    return html`<article class="card node-card" aria-labelledby="peer-${p.id}">
      <header><h3 id="peer-${p.id}">${p.name || p.id}</h3><span class="tag">HTTP peer</span></header>
      <p class="node-state state-${p.reachable ? 'ok' : 'bad'}"><span aria-hidden="true">${p.reachable ? '●' : '✕'}</span>
        ${p.reachable ? 'Reachable' : `Unreachable${p.error ? `: ${p.error}` : ''}`}</p>
      ${this.renderCounts(c)}
    </article>`;
  }

  render() {
    const counts = this.counts();
    const nodes = [...this.store.nodes.values()].sort((a, b) => (b.self - a.self) || a.name.localeCompare(b.name));
    return html`<div class="node-cards">
      ${nodes.map((n) => this.renderNode(n, counts.get(n.name)))}
      ${[...this.store.peers.values()].map((p) => this.renderPeer(p, counts.get(`peer:${p.id}`)))}
    </div>`;
  }
}
customElements.define('dockup-node-cards', NodeCards);
