// Small helpers shared by the pages: element building (text only, never HTML strings), the admin API with the
// session's CSRF token, toasts, copy to clipboard, a confirmation dialog.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let unauthorized = () => {};
export function onUnauthorized(fn) { unauthorized = fn; }

export const session = {
  csrf: null,
  async signIn(token) {
    const r = await fetch('/console/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }), credentials: 'same-origin' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.detail || 'Sign-in failed');
    this.csrf = body.csrf;
  },
  async resume() {
    const r = await fetch('/console/api/session', { credentials: 'same-origin' });
    if (!r.ok) return false;
    this.csrf = (await r.json()).csrf;
    return true;
  },
  async signOut() {
    await fetch('/console/api/session', { method: 'DELETE', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': this.csrf || '' } });
    this.csrf = null;
  },
};

/** Calls the admin API (or the file API) with the session cookie; throws an Error with the problem's detail. */
export async function api(path, { method = 'GET', body, raw = false, headers = {}, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { ...headers }, signal };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = session.csrf || '';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  if (r.status === 401) {
    session.csrf = null;
    unauthorized();
    throw new Error('Signed out');
  }
  if (raw) return r;
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error((data && (data.detail || data.title)) || `HTTP ${r.status}`);
  return data;
}

export function toast(message, bad = false) {
  const box = document.getElementById('toast');
  const el = h('div', { class: bad ? 'bad' : '' }, message);
  box.append(el);
  setTimeout(() => el.remove(), bad ? 8000 : 3500);
}

export async function copy(text, what = 'Copied') {
  try {
    await navigator.clipboard.writeText(text);
    toast(what);
  } catch {
    toast('Copy failed: select the text and copy it by hand', true);
  }
}

/** A modal asking to confirm; resolves with the form's values or null. */
export function confirmDialog(title, message, fields = [], okLabel = 'Confirm') {
  return new Promise((resolve) => {
    const inputs = fields.map((f) => h('input', { name: f.name, type: f.type || 'text', value: f.value ?? '',
      'aria-label': f.label }));
    const ok = h('button', { value: 'ok', class: 'danger', id: 'confirm-ok' }, okLabel);
    const form = h('form', { method: 'dialog' }, h('h2', {}, title), h('p', {}, message),
      fields.map((f, i) => h('label', {}, h('span', {}, f.label), inputs[i])),
      h('div', { class: 'row' }, ok, h('button', { value: 'cancel', class: 'quiet', formnovalidate: true }, 'Cancel')));
    const dialog = h('dialog', {}, form);
    dialog.addEventListener('close', () => {
      const values = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
      dialog.remove();
      resolve(dialog.returnValue === 'ok' ? values : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind}` }, text);
}

/** Re-renders only when the data changed, so polling does not wipe what the user is typing. */
export function changed(holder, data) {
  const json = JSON.stringify(data);
  if (holder.last === json) return false;
  holder.last = json;
  return true;
}
