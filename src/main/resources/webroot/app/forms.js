// Pieces the pages loaded on demand share: a modal form whose errors stay in it, sortable
// column headers, a copy button, field errors from the API's 400 answers, and a chooser of
// IANA time zones.
import { html, nothing, render } from 'lit';
import { announce } from './ui.js';

let dialogs = 0;

/**
 * A modal form (<dialog>.showModal traps focus and makes the rest inert; focus returns to the
 * opener). `submit(formData)` runs on confirm: what it resolves with closes the dialog and is
 * returned; what it throws is shown in the dialog, in words, and the dialog stays open.
 * `body(error)` renders the fields; resolves null when cancelled.
 */
export function formDialog({ title, body, confirm, danger = false, wide = false, submit }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const id = `form-dialog-${++dialogs}`;
    const dlg = document.createElement('dialog');
    dlg.className = `dialog${wide ? ' dialog-wide' : ''}`;
    dlg.setAttribute('aria-labelledby', `${id}-title`);
    document.body.append(dlg);
    let error = null;
    let busy = false;
    const close = (value) => {
      dlg.close();
      dlg.remove();
      opener?.focus?.();
      resolve(value);
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (busy) return;
      busy = true;
      error = null;
      draw();
      try {
        const result = await submit(new FormData(e.target), e.target);
        close(result ?? true);
      } catch (err) {
        busy = false;
        error = err;
        draw();
        announce(err.message);
        const bad = err.body?.invalid && Object.keys(err.body.invalid)[0];
        (bad && dlg.querySelector(`[name="${CSS.escape(bad)}"]`) || dlg.querySelector(`#${id}-error`))?.focus();
      }
    };
    const draw = () => render(html`<form @submit=${onSubmit} novalidate>
        <h2 id="${id}-title">${title}</h2>
        <div class="dialog-body">${body(error)}</div>
        ${error ? html`<p class="error" role="alert" id="${id}-error" tabindex="-1">${error.message}</p>` : nothing}
        <div class="dialog-actions">
          <button type="button" class="btn" @click=${() => close(null)}>Cancel</button>
          <button type="submit" class="btn ${danger ? 'btn-danger' : 'btn-primary'}" ?disabled=${busy}>${busy ? 'Working…' : confirm}</button>
        </div>
      </form>`, dlg);
    draw();
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(null);
    });
    dlg.showModal();
    (dlg.querySelector('input:not([type=hidden]), select, textarea') || dlg.querySelector('button[type=submit]'))?.focus();
  });
}

/** A dialog that only shows something (a token shown once, a test's results); resolves when closed. */
export function infoDialog({ title, body, close = 'Close' }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const id = `info-dialog-${++dialogs}`;
    const dlg = document.createElement('dialog');
    dlg.className = 'dialog dialog-wide';
    dlg.setAttribute('aria-labelledby', `${id}-title`);
    document.body.append(dlg);
    const done = () => {
      dlg.close();
      dlg.remove();
      opener?.focus?.();
      resolve();
    };
    render(html`<h2 id="${id}-title">${title}</h2><div class="dialog-body">${body}</div>
      <div class="dialog-actions"><button class="btn btn-primary" @click=${done}>${close}</button></div>`, dlg);
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      done();
    });
    dlg.showModal();
    (dlg.querySelector('.dialog-body button, .dialog-body input') || dlg.querySelector('.dialog-actions button')).focus();
  });
}

/** A field's problem as the API named it in a 400's `invalid` (settings, peers), or ''. */
export function problem(error, name) {
  return error?.body?.invalid?.[name] || '';
}

/** The attributes and message of a field that may be refused: aria-invalid + a described error. */
export function fieldError(id, message) {
  return message ? html`<p class="error field-error" id="${id}-error">${message}</p>` : nothing;
}

/**
 * A sortable column header. `host` has `sort`, `sortDir` ('asc'|'desc') and `requestUpdate()`;
 * `col` is the key it sorts by.
 */
export function sortHeader(host, col, label, { numeric = false } = {}) {
  const active = host.sort === col;
  const sort = active ? (host.sortDir === 'desc' ? 'descending' : 'ascending') : 'none';
  const click = () => {
    if (active) host.sortDir = host.sortDir === 'desc' ? 'asc' : 'desc';
    else {
      host.sort = col;
      host.sortDir = numeric ? 'desc' : 'asc';
    }
    host.requestUpdate();
  };
  return html`<th scope="col" aria-sort=${sort} class=${numeric ? 'num' : ''}><button class="sort" @click=${click}>${label}
    <span aria-hidden="true">${active ? (host.sortDir === 'desc' ? '▼' : '▲') : ''}</span></button></th>`;
}

/** Sorts `rows` in place by `host.sort`/`host.sortDir` with the comparators given per column. */
export function sortRows(rows, host, comparators) {
  const by = comparators[host.sort];
  if (!by) return rows;
  rows.sort(by);
  if (host.sortDir === 'desc') rows.reverse();
  return rows;
}

/**
 * Copies `text`: the Clipboard API where the page is a secure context, else the old selection
 * command (DockUp is often opened over plain HTTP on a LAN address, where the API is absent).
 */
export async function copy(text, input) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
    } else {
      input.focus();
      input.select();
      if (!document.execCommand('copy')) throw new Error('refused');
    }
    announce('Copied to the clipboard.');
    return true;
  } catch {
    input?.select();
    announce('Copying failed: the text is selected, copy it with your keyboard.');
    return false;
  }
}

/** A secret shown once: read-only, selected on focus, with a copy button; `hint` says how DockUp keeps it. */
export function secretOnce(id, label, value, hint = 'It is shown only now: DockUp keeps only its hash.') {
  return html`<div class="field"><label for=${id}>${label}</label>
    <div class="secret-row"><input id=${id} class="secret" readonly .value=${value} spellcheck="false" @focus=${(e) => e.target.select()}>
      <button type="button" class="btn" @click=${(e) => {
        const ok = copy(value, document.getElementById(id));
        ok.then((done) => { e.target.textContent = done ? 'Copied' : 'Select and copy'; });
      }}>Copy</button></div>
    <p class="hint">${hint}</p></div>`;
}

/** Every IANA zone the browser knows (its own list: DockUp has no route for one). */
export function zones() {
  let list = [];
  try {
    list = Intl.supportedValuesOf('timeZone');
  } catch { /* an older browser: the field still takes any name */ }
  return list.includes('UTC') ? list : ['UTC', ...list];
}

/** A searchable zone field: an input with the browser's list of zones as suggestions. */
export function zoneField({ id, name, label, value, error, hint, placeholder = 'Europe/Paris' }) {
  ensureZonesList();
  return html`<div class="field"><label for=${id}>${label}</label>
    <input id=${id} name=${name} list="zones-list" .value=${value || ''} autocomplete="off" spellcheck="false" placeholder=${placeholder}
      aria-invalid=${error ? 'true' : 'false'} aria-describedby="${id}-error ${id}-hint">
    ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : nothing}
    ${fieldError(id, error)}</div>`;
}

/** One <datalist> of zones for every zone field of the page, made once. */
function ensureZonesList() {
  if (document.getElementById('zones-list')) return;
  const list = document.createElement('datalist');
  list.id = 'zones-list';
  for (const z of zones()) {
    const o = document.createElement('option');
    o.value = z;
    list.append(o);
  }
  document.body.append(list);
}

/** A list of names, the first `max` shown and the rest counted (a network or an image may have hundreds of users). */
export function someOf(names, max = 8) {
  if (!names.length) return nothing;
  return html`<ul class="plain names">${names.slice(0, max).map((c) => html`<li><code>${c}</code></li>`)}
    ${names.length > max ? html`<li class="muted">and ${names.length - max} more</li>` : nothing}</ul>`;
}
