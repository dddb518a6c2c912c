// Moving a stack to another node of the fleet, from its page: the target and options asked in
// a dialog, then the move runs with its steps in the page's operation terminal (the feed's
// operation_output lines of a `move` operation), and the page says where the stack went.
import { html } from 'lit';
import { toast, announce } from './ui.js';
import { post, stackPath } from './api.js';
import { formDialog } from './forms.js';

/** The nodes a stack of `from` can move to: the others that answer. */
export function targets(store, from) {
  return [...store.nodes.values()].filter((n) => n.name !== from && n.reachable).map((n) => n.name).sort((a, b) => a.localeCompare(b));
}

/** Asks where and how, then moves; `page` is the stack page (its busy state, terminal and notice). */
export async function moveStack(page) {
  const { ref, store } = page;
  const nodes = targets(store, ref.node);
  const running = (page.item?.running ?? 0) > 0;
  const options = await formDialog({
    title: `Move ${ref.name} to another node`,
    confirm: 'Move',
    body: () => html`<p>The stack is backed up on <strong>${ref.node}</strong>, sent to the target, restored there, and only then taken down
        and moved to the trash here. If any step fails, it stays here as it was.</p>
      ${nodes.length ? html`<div class="field"><label for="move-node">Target node</label>
          <select id="move-node" name="node">${nodes.map((n) => html`<option value=${n}>${n}</option>`)}</select></div>`
        : html`<p class="error">No other node of the fleet answers now.</p>`}
      <label class="check"><input type="checkbox" name="volumes"> Also move its volume data (named volumes and bind-mounted folders)</label>
      <label class="check"><input type="checkbox" name="stop" ?disabled=${!running}> Stop it here while it is copied (a consistent copy)</label>
      <label class="check"><input type="checkbox" name="up" checked> Start it on the target</label>`,
    submit: (f) => {
      if (!f.get('node')) throw new Error('There is no node to move it to.');
      return { node: String(f.get('node')), volumes: !!f.get('volumes'), stop: !!f.get('stop'), up: !!f.get('up') };
    },
  });
  if (!options) return;
  page.busy = 'move';
  page.terminal()?.mark(`move to ${options.node}`);
  announce(`Moving ${ref.name} to ${options.node}…`);
  try {
    const r = await post(stackPath(ref, '/move'), options);
    if (r.success === false) throw new Error('The move did not complete.');
    page.moved = { node: r.target || options.node };
    toast(`${ref.name} moved to ${page.moved.node}.`, 'ok');
  } catch (err) {
    toast(`Moving ${ref.name} failed: ${err.message}`, 'error');
  } finally {
    page.busy = '';
  }
}

