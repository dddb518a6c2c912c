// The one store of fleet state, fed by the live feed (and, for HTTP peers, which have no feed,
// by one listing when the overview opens). Listeners subscribe to one stack's key, so a change
// re-renders only what shows that stack.

import { get } from './api.js';

const HISTORY = 30;
const OUTPUT_LINES = 2000;
const SCANS = 5000;

export const keyOf = (ref) => (ref.peer ? `peer:${ref.peer}/${ref.name}` : `${ref.node}/${ref.name}`);

export class Store {
  constructor() {
    /** key → stack list item (plus `node` or `peer`) */
    this.stacks = new Map();
    /** node name → {name, engine_ok, reachable, cpu:[], mem:[], mem_total, disk, lastTick} */
    this.nodes = new Map();
    /** peer id → {id, name, reachable, error} */
    this.peers = new Map();
    /** key → {operation, success, exit_code, duration_ms, ts} */
    this.lastOps = new Map();
    /** key → {ts, containers:[…]} */
    this.stats = new Map();
    /** key → recent operation_output lines (kept for a page opened while an operation runs) */
    this.output = new Map();
    /** `node/image_id` → {status, vulnerabilities, error, ts}: the last scan_started or scan_complete of each image */
    this.scans = new Map();
    /** node name → its running backup, restore or move (the backup_started message), until its backup_done */
    this.backupJobs = new Map();
    /** operation_id → operation_done message, for callers that wait for an operation */
    this.done = new Map();
    this.keyListeners = new Map();
    this.listListeners = new Set();
    this.nodeListeners = new Set();
    this.messageListeners = new Set();
    this.snapshot = null;
  }

  onKey(key, fn) {
    let set = this.keyListeners.get(key);
    if (!set) this.keyListeners.set(key, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.keyListeners.delete(key);
    };
  }

  /** fn(key, before, after): a stack appeared, went, or changed (before/after are items or undefined). */
  onList(fn) {
    this.listListeners.add(fn);
    return () => this.listListeners.delete(fn);
  }

  onNodes(fn) {
    this.nodeListeners.add(fn);
    return () => this.nodeListeners.delete(fn);
  }

  /** Every feed message, after the store applied it (terminal, logs of a page). */
  onMessage(fn) {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  /** The newest operation of each stack of a node, from its list; what the feed said already wins. */
  seedLastOps(node, operations) {
    const newest = new Map();
    for (const o of operations) {
      const key = keyOf({ node, name: o.stack });
      if (!newest.has(key) || (o.started_at || '') > (newest.get(key).started_at || '')) newest.set(key, o);
    }
    for (const [key, o] of newest) {
      if (this.lastOps.has(key)) continue;
      this.lastOps.set(key, { operation_id: o.operation_id, operation: o.operation, running: o.status === 'running',
        success: o.status === 'succeeded', ts: o.finished_at || o.started_at });
      this.touch(key);
    }
  }

  touch(key) {
    this.keyListeners.get(key)?.forEach((fn) => fn());
  }

  node(name) {
    let n = this.nodes.get(name);
    if (!n) {
      n = { name, engine_ok: false, reachable: true, cpu: [], mem: [], mem_total: 0, disk: null, lastTick: null, self: false };
      this.nodes.set(name, n);
    }
    return n;
  }

  /** What GET /api/nodes says of each node: which one serves this page, and its version. */
  learnNodes(list) {
    for (const n of list || []) Object.assign(this.node(n.name), { self: !!n.self, version: n.version });
  }

  /** The name of the node serving this page: known from a node listing, else asked once. */
  selfName() {
    const known = [...this.nodes.values()].find((n) => n.self);
    if (known) return Promise.resolve(known.name);
    this.selfAsked ??= get('/api/version').then((v) => v.node, (err) => {
      this.selfAsked = null;
      throw err;
    });
    return this.selfAsked;
  }

  /** Called when the feed (re)registers: what the snapshot does not mention afterwards is gone. */
  beginSnapshot() {
    this.snapshot = { ts: null, seen: new Set(), nodes: new Set() };
  }

  endSnapshot() {
    const s = this.snapshot;
    this.snapshot = null;
    if (!s) return;
    for (const [key, item] of [...this.stacks]) {
      if (!item.peer && s.nodes.has(item.node) && !s.seen.has(key)) this.remove(key);
    }
  }

  apply(msg) {
    if (this.snapshot) {
      if (this.snapshot.ts === null) this.snapshot.ts = msg.ts;
      else if (msg.ts !== this.snapshot.ts) this.endSnapshot();
    }
    const key = msg.stack ? `${msg.node}/${msg.stack}` : null;
    switch (msg.type) {
      case 'node_status': {
        const n = this.node(msg.node);
        n.engine_ok = !!msg.engine_ok;
        n.reachable = msg.reachable !== false;
        this.snapshot?.nodes.add(msg.node);
        this.nodesChanged();
        break;
      }
      case 'node_joined':
        this.node(msg.node).reachable = true;
        this.nodesChanged();
        break;
      case 'node_left':
        this.node(msg.node).reachable = false;
        this.nodesChanged();
        break;
      case 'stack_status':
        this.snapshot?.seen.add(key);
        if (msg.removed) this.remove(key);
        else this.put(key, stackItem(msg));
        break;
      case 'update_available': {
        const item = this.stacks.get(key);
        if (item) this.put(key, { ...item, update_available: true });
        break;
      }
      case 'operation_output': {
        let lines = this.output.get(key);
        if (!lines) this.output.set(key, (lines = []));
        lines.push(msg);
        if (lines.length > OUTPUT_LINES) lines.splice(0, lines.length - OUTPUT_LINES);
        if (!this.lastOps.get(key) || this.lastOps.get(key).operation_id !== msg.operation_id) {
          this.lastOps.set(key, { operation_id: msg.operation_id, operation: msg.operation, running: true, ts: msg.ts });
          this.touch(key);
        }
        break;
      }
      case 'operation_done':
        this.lastOps.set(key, { ...msg, running: false });
        this.done.set(msg.operation_id, msg);
        if (this.done.size > 500) this.done.delete(this.done.keys().next().value);
        this.touch(key);
        break;
      case 'scan_started':
      case 'scan_complete':
        if (msg.image_id) {
          const at = `${msg.node}/${msg.image_id}`;
          this.scans.delete(at);
          this.scans.set(at, { status: msg.type === 'scan_started' ? 'scanning' : msg.status || 'completed',
            vulnerabilities: msg.vulnerabilities, error: msg.error, ts: msg.ts });
          if (this.scans.size > SCANS) this.scans.delete(this.scans.keys().next().value);
        }
        if (key) this.touch(key);
        break;
      case 'backup_started':
        this.backupJobs.set(msg.node, msg);
        break;
      case 'backup_done':
        if (this.backupJobs.get(msg.node)?.job_id === msg.job_id) this.backupJobs.delete(msg.node);
        break;
      case 'stats_update':
        this.stats.set(key, { ts: msg.ts, containers: msg.containers || [] });
        if (msg.host) this.hostSample(msg.node, msg.host, msg.tick ?? msg.ts);
        this.touch(key);
        break;
      default:
        break;
    }
    this.messageListeners.forEach((fn) => fn(msg, key));
  }

  /** One host sample per node per stats tick (every stack's stats_update carries the same host figures). */
  hostSample(nodeName, host, tick) {
    const n = this.node(nodeName);
    if (n.lastTick === tick) return;
    n.lastTick = tick;
    n.cpu = [...n.cpu, host.cpu_percent ?? 0].slice(-HISTORY);
    n.mem_total = host.mem_total || n.mem_total;
    n.mem = [...n.mem, host.mem_total ? (100 * host.mem_used) / host.mem_total : 0].slice(-HISTORY);
    this.nodesChanged();
  }

  put(key, item) {
    const before = this.stacks.get(key);
    this.stacks.set(key, item);
    if (item.node && !item.peer) this.node(item.node);
    this.touch(key);
    this.listListeners.forEach((fn) => fn(key, before, item));
  }

  remove(key) {
    const before = this.stacks.get(key);
    if (!before) return;
    this.stacks.delete(key);
    this.stats.delete(key);
    this.touch(key);
    this.listListeners.forEach((fn) => fn(key, before, undefined));
  }

  /** HTTP peers have no feed: their stacks come from one listing, replacing the previous one. */
  setPeers(peers, stacks) {
    this.peers = new Map(peers.map((p) => [p.id, p]));
    const keep = new Set();
    for (const s of stacks) {
      if (!s.peer) continue;
      const key = keyOf(s);
      keep.add(key);
      this.put(key, s);
    }
    for (const [key, item] of [...this.stacks]) if (item.peer && !keep.has(key)) this.remove(key);
    this.nodesChanged();
  }

  nodesChanged() {
    if (this.nodesPending) return;
    this.nodesPending = true;
    queueMicrotask(() => {
      this.nodesPending = false;
      this.nodeListeners.forEach((fn) => fn());
    });
  }

  /** Resolves with the operation_done message of that operation (it may already have arrived). */
  waitFor(operationId, timeoutMs = 15 * 60 * 1000) {
    const done = this.done.get(operationId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error('No result for the operation yet; it may still be running.'));
      }, timeoutMs);
      const off = this.onMessage((m) => {
        if (m.type === 'operation_done' && m.operation_id === operationId) {
          clearTimeout(timer);
          off();
          resolve(m);
        }
      });
    });
  }
}

function stackItem(msg) {
  const { type, ts, stack, ...rest } = msg;
  return { ...rest, name: msg.name || stack, node: msg.node };
}
