// Shared pieces: the light-DOM base element, the one polite live region, toasts, status badges
// (icon + text, never colour alone), the sparkline, formatting, and a modal confirmation.
import { LitElement, html, svg, nothing } from 'lit';

/** Light DOM: the page's stylesheet applies, and labels, focus and axe see one document. */
export class Light extends LitElement {
  createRenderRoot() {
    return this;
  }
}

/**
 * Subscribes `el` (with a `store`) to the fleet's nodes and to stacks changing status, redrawing
 * at most once a frame (counts change with stacks, histories with stats ticks). Returns the
 * unsubscribers; cancel `el.frame` when disconnecting.
 */
export function redrawOnNodesAndStatus(el) {
  const redraw = () => {
    if (el.frame) return;
    el.frame = requestAnimationFrame(() => {
      el.frame = null;
      el.requestUpdate();
    });
  };
  return [el.store.onNodes(redraw), el.store.onList((key, before, after) => {
    if (!before || !after || before.status !== after.status) redraw();
  })];
}

/**
 * A page's filters live in its URL (#/<route>?k=v), so a reload or a shared link shows the same view. Sets each of
 * `changes` on `query` (drops it when empty), puts the result in the address bar without a history entry, returns it.
 */
export function showQuery(route, query, changes) {
  const q = new URLSearchParams(query || '');
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  history.replaceState(null, '', `#/${route}${s ? `?${s}` : ''}`);
  return q;
}

/** Operation results for screen readers (never stats ticks): one polite region for the page. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A new text node after a tick, so repeating the same words is announced again.
  setTimeout(() => { region.textContent = text; }, 50);
}

/** A visible note at the corner; screen readers get the same words through announce(). */
export function toast(text, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toasts';
    box.className = 'toasts';
    document.body.append(box);
  }
  const el = document.createElement('div');
  el.className = `toast toast-${kind}`;
  el.textContent = text;
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 9000 : 5000);
  announce(text);
}

const STATUS = {
  running: ['●', 'Running'],
  partial: ['◐', 'Partial'],
  stopped: ['■', 'Stopped'],
  inactive: ['○', 'Inactive'],
};
const HEALTH = {
  healthy: ['✓', 'Healthy'],
  unhealthy: ['✕', 'Unhealthy'],
  starting: ['…', 'Starting'],
  stopped: ['–', 'Not running'],
};

export function statusBadge(status) {
  const [icon, text] = STATUS[status] || ['?', status || 'Unknown'];
  return html`<span class="badge st-${status}"><span aria-hidden="true">${icon}</span> ${text}</span>`;
}

export function healthBadge(health) {
  const [icon, text] = HEALTH[health] || ['?', health || 'Unknown'];
  return html`<span class="badge hl-${health}"><span aria-hidden="true">${icon}</span> ${text}</span>`;
}

export const STATUSES = Object.keys(STATUS);

/** Scanner severities, worst first, with the icon and words each is shown with. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const SEVERITY = { CRITICAL: ['‼', 'critical'], HIGH: ['!', 'high'], MEDIUM: ['▲', 'medium'], LOW: ['▽', 'low'], UNKNOWN: ['?', 'unknown'] };

/** The worst severity with a finding; 'NONE' when a scan found nothing; null when not scanned. */
export function worstSeverity(counts) {
  if (!counts) return null;
  return SEVERITIES.find((s) => counts[s] > 0) || 'NONE';
}

/** Every count in words ("2 critical, 5 high"), for titles and screen readers. */
export function severityWords(counts) {
  if (!counts) return 'Not scanned';
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${SEVERITY[s][1]}`);
  return parts.length ? parts.join(', ') : 'No known vulnerabilities';
}

/** One finding's severity (icon + word). */
export function severityTag(severity) {
  const sev = String(severity || 'UNKNOWN').toUpperCase();
  const [icon, word] = SEVERITY[sev] || SEVERITY.UNKNOWN;
  return html`<span class="badge sev-${sev.toLowerCase()}"><span aria-hidden="true">${icon}</span> ${word[0].toUpperCase() + word.slice(1)}</span>`;
}

/** The worst severity and its count (icon + text), every count in the title. */
export function severityBadge(counts) {
  const worst = worstSeverity(counts);
  if (!worst) return html`<span class="badge sev-none muted">Not scanned</span>`;
  if (worst === 'NONE') return html`<span class="badge sev-ok"><span aria-hidden="true">✓</span> None found</span>`;
  const [icon, word] = SEVERITY[worst];
  const all = severityWords(counts);
  return html`<span class="badge sev-${worst.toLowerCase()}" title=${all}><span aria-hidden="true">${icon}</span> ${counts[worst]} ${word}${
    all.includes(',') ? html`<span class="visually-hidden"> (${all})</span>` : nothing}</span>`;
}
export const HEALTHS = Object.keys(HEALTH);

export function sparkline(values, label) {
  const w = 96;
  const h = 24;
  if (!values.length) return html`<span class="spark-empty" aria-hidden="true"></span>`;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (Math.min(100, Math.max(0, v)) / 100) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" width=${w} height=${h} role="img" aria-label=${label}>
    ${svg`<polyline points=${pts} fill="none" stroke="currentColor" stroke-width="1.5" />`}
  </svg>`;
}

export function bytes(n) {
  if (n == null || n < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function percent(v) {
  return v == null ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)}%`;
}

export function since(iso) {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t <= 0) return '–';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

export function clock(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** A stable colour index for a service name (its log prefix). */
export function hue(name) {
  let h = 0;
  for (const c of name || '') h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 8;
}

/**
 * A modal dialog (<dialog>.showModal traps focus and makes the rest inert); focus returns to
 * the element that opened it. Resolves with the button value, or null when cancelled.
 */
export function confirmDialog({ title, body, confirm, danger = false, extra = nothing }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const dlg = document.createElement('dialog');
    dlg.className = 'dialog';
    dlg.setAttribute('aria-labelledby', 'confirm-title');
    document.body.append(dlg);
    const done = (value) => {
      const form = dlg.querySelector('form');
      const data = form ? new FormData(form) : null;
      dlg.close();
      dlg.remove();
      if (opener && opener.focus) opener.focus();
      resolve(value ? { value, data } : null);
    };
    import('lit').then(({ render }) => {
      render(html`<form method="dialog" @submit=${(e) => { e.preventDefault(); done('ok'); }}>
        <h2 id="confirm-title">${title}</h2>
        <div class="dialog-body">${body}</div>
        ${extra}
        <div class="dialog-actions">
          <button type="button" class="btn" @click=${() => done(null)}>Cancel</button>
          <button type="submit" class="btn ${danger ? 'btn-danger' : 'btn-primary'}">${confirm}</button>
        </div>
      </form>`, dlg);
      dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(null); });
      dlg.showModal();
      dlg.querySelector('button[type=submit]')?.focus();
    });
  });
}
