// One stack table row. Each row listens to its own stack's key in the store and redraws only
// its cells, so a feed message about one stack of a thousand touches one row.
import { html, noChange, nothing } from 'lit';
import { AsyncDirective, directive } from 'lit/async-directive.js';
import { statusBadge, healthBadge, percent, bytes } from './ui.js';

export function stackHref(item) {
  const enc = encodeURIComponent;
  return item.peer ? `#/peers/${enc(item.peer)}/stacks/${enc(item.name)}` : `#/nodes/${enc(item.node)}/stacks/${enc(item.name)}`;
}

/** CPU (sum of percents) and memory (sum of bytes) of a stack's containers, from its last stats tick. */
export function usage(stats) {
  if (!stats || !stats.containers.length) return null;
  let cpu = 0;
  let mem = 0;
  for (const c of stats.containers) {
    cpu += c.cpu_percent || 0;
    mem += c.mem_bytes || 0;
  }
  return { cpu, mem };
}

function lastOp(op) {
  if (!op) return html`<span class="muted">–</span>`;
  if (op.running) return html`<span class="op-running"><span aria-hidden="true">⟳</span> ${op.operation} running</span>`;
  const when = op.ts ? new Date(op.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
  return op.success
    ? html`<span class="op-ok"><span aria-hidden="true">✓</span> ${op.operation} ${when}</span>`
    : html`<span class="op-fail"><span aria-hidden="true">✕</span> ${op.operation} failed ${when}</span>`;
}

/** The cells of one row; `view` is the overview (selection, actions). */
export function rowCells(view, key) {
  const s = view.store.stacks.get(key);
  if (!s) return nothing;
  const u = usage(view.store.stats.get(key));
  const where = s.peer ? `peer ${s.peer}` : s.node;
  const readOnly = s.external || s.reachable === false;
  const label = `${s.name} on ${where}`;
  const act = (op) => (e) => {
    e.preventDefault();
    view.quick(key, op);
  };
  return html`
    <td class="c-sel"><input type="checkbox" aria-label="Select ${label}" .checked=${view.selected.has(key)}
      @change=${(e) => view.select(key, e.target.checked)}></td>
    <th scope="row" class="c-name" data-label="Stack"><a href=${stackHref(s)}>${s.name}</a>
      ${s.external ? html`<span class="tag" title="A compose project with no folder in DockUp's stacks">external</span>` : nothing}
      ${s.self ? html`<span class="tag">DockUp</span>` : nothing}</th>
    <td class="c-node" data-label="Node">${where}${s.reachable === false ? html` <span class="tag tag-warn">unreachable</span>` : nothing}</td>
    <td class="c-status" data-label="Status">${statusBadge(s.status)}</td>
    <td class="c-health" data-label="Health">${healthBadge(s.health_status)}</td>
    <td class="c-ctr" data-label="Containers">${s.running ?? 0}/${s.containers ?? 0}</td>
    <td class="c-upd" data-label="Update">${s.update_available
      ? html`<span class="upd-yes"><span aria-hidden="true">⬆</span> Available</span>`
      : html`<span class="muted">${s.last_check ? 'Up to date' : 'Not checked'}</span>`}</td>
    <td class="c-cpu num" data-label="CPU">${u ? percent(u.cpu) : '–'}</td>
    <td class="c-mem num" data-label="Memory">${u ? bytes(u.mem) : '–'}</td>
    <td class="c-op" data-label="Last operation">${lastOp(view.store.lastOps.get(key))}</td>
    <td class="c-act" data-label="Actions">
      <div class="row-actions">
        <button class="btn btn-icon" ?disabled=${readOnly} @click=${act('up')} aria-label="Up ${label}" title="Up"><span aria-hidden="true">▶</span></button>
        <button class="btn btn-icon" ?disabled=${readOnly} @click=${act('restart')} aria-label="Restart ${label}" title="Restart"><span aria-hidden="true">↻</span></button>
        <button class="btn btn-icon" ?disabled=${readOnly || s.self} @click=${act('stop')} aria-label="Stop ${label}" title="Stop"><span aria-hidden="true">■</span></button>
      </div>
    </td>`;
}

class RowDirective extends AsyncDirective {
  render(view, key) {
    return rowCells(view, key);
  }

  update(part, [view, key]) {
    if (this.key === key && this.view === view && this.off) return noChange;
    this.unsubscribe();
    this.key = key;
    this.view = view;
    this.subscribe();
    return rowCells(view, key);
  }

  subscribe() {
    this.off = this.view.store.onKey(this.key, () => {
      if (this.isConnected) this.setValue(rowCells(this.view, this.key));
    });
  }

  unsubscribe() {
    if (this.off) this.off();
    this.off = null;
  }

  disconnected() {
    this.unsubscribe();
  }

  reconnected() {
    this.subscribe();
    this.setValue(rowCells(this.view, this.key));
  }
}

export const row = directive(RowDirective);
