// Stack operations as the dashboard runs them: started asynchronously, followed on the feed
// (their output streams to the terminal of any open page), their result announced once.
import { post, get, stackPath } from './api.js';
import { announce, toast } from './ui.js';

const LABEL = { up: 'Up', stop: 'Stop', restart: 'Restart', down: 'Down', pull: 'Pull' };
const pending = new Map();

function describe(ref) {
  return ref.peer ? `${ref.name} (peer ${ref.peer})` : `${ref.name} on ${ref.node}`;
}

/** Runs one operation and resolves with {success, exit_code, …}; reports its result to the user. */
export async function runOperation(store, ref, operation, { services, quiet = false } = {}) {
  const body = { operation };
  if (services && services.length) body.services = services;
  const what = `${LABEL[operation] || operation}${services && services.length ? ` ${services.join(', ')}` : ''} of ${describe(ref)}`;
  try {
    let result;
    if (ref.peer) {
      // A peer has no feed here: its answer comes when the operation ends.
      const r = await post(stackPath(ref, '/operation'), body);
      result = { success: r.success !== false, exit_code: r.exit_code };
    } else {
      const started = await post(stackPath(ref, '/operation?async=true'), body);
      result = await waitFor(store, ref, started.operation_id);
    }
    if (!quiet || !result.success) {
      toast(result.success ? `${what} succeeded.` : `${what} failed (exit code ${result.exit_code ?? '?'}).`, result.success ? 'ok' : 'error');
    }
    return result;
  } catch (err) {
    toast(`${what} failed: ${err.message}`, 'error');
    return { success: false, error: err.message };
  }
}

function waitFor(store, ref, id) {
  const p = store.waitFor(id);
  pending.set(id, ref);
  return p.finally(() => pending.delete(id));
}

/**
 * After the feed reconnects, an operation whose end came while it was down is asked for once,
 * and its record fed to the store as the end it missed.
 */
export function recheckPending(store) {
  for (const [id, ref] of pending) {
    get(`/api/nodes/${encodeURIComponent(ref.node)}/operations/${encodeURIComponent(id)}`)
      .then((op) => {
        if (op.status && op.status !== 'running') {
          store.apply({
            type: 'operation_done', node: ref.node, stack: ref.name, ts: op.finished_at, operation_id: id,
            operation: op.operation, success: op.status === 'succeeded', exit_code: op.exit_code, duration_ms: op.duration_ms,
          });
        }
      })
      .catch(() => { /* asked again at the next reconnect */ });
  }
}

export async function checkUpdates(ref, { quiet = false } = {}) {
  try {
    const r = await post(stackPath(ref, '/check-updates'));
    const errors = (r.images || []).filter((i) => i.error);
    let text = r.update_available ? `An update is available for ${describe(ref)}.` : `${describe(ref)} is up to date.`;
    if (errors.length) text += ` ${errors.length} image(s) could not be checked: ${errors[0].error}`;
    if (!quiet || r.update_available) toast(text, r.update_available ? 'info' : 'ok');
    return r;
  } catch (err) {
    toast(`Checking updates of ${describe(ref)} failed: ${err.message}`, 'error');
    return null;
  }
}

/** "Update now": pull, then up when the pull succeeded. */
export async function updateNow(store, ref) {
  const pulled = await runOperation(store, ref, 'pull', { quiet: true });
  if (!pulled.success) return pulled;
  return runOperation(store, ref, 'up');
}

/** Runs `task` for every ref, four at a time; announces one summary. */
export async function bulk(refs, label, task) {
  const queue = [...refs];
  let ok = 0;
  let failed = 0;
  const worker = async () => {
    while (queue.length) {
      const ref = queue.shift();
      const r = await task(ref);
      if (r && r.success !== false) ok += 1;
      else failed += 1;
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  announce(`${label}: ${ok} succeeded${failed ? `, ${failed} failed` : ''}.`);
}
