import { h, api, changed, confirmDialog, copy, session, toast, when } from '../lib.js';

const enc = (p) => p.split('/').map(encodeURIComponent).join('/');

/** Runs a catalogue tool (the workspace tools) as the admin, through the same path as the catalogue's Try it. */
async function tool(name, args) {
  const r = await api(`/admin/api/tools/${name}/call`, { method: 'POST', body: { arguments: args } });
  const text = (r.content || []).map((c) => c.text || '').join('\n');
  if (r.isError) throw new Error(text || `${name} failed`);
  if (r.structuredContent) return r.structuredContent;
  try { return JSON.parse(text); } catch { return text; }
}

export async function render(main) {
  const state = { ws: null, path: '' };
  const list = h('div', { id: 'workspace-list', class: 'tabs' });
  const browser = h('div', { id: 'browser' });
  const side = h('div', { id: 'workspace-side' });
  main.append(h('h1', {}, 'Workspaces'), list, browser, side);
  const holders = [{}, {}];

  async function load(force) {
    const all = await api('/admin/api/workspaces');
    if (changed(holders[0], all) || force) {
      list.replaceChildren(...all.map((w) => h('button', { class: w.name === state.ws ? 'on' : '', 'data-workspace': w.name,
        title: `${w.backend}${w.owner ? ' · owner ' + w.owner : ''}`, onclick: () => { state.ws = w.name; state.path = ''; load(true); } },
        w.name, ' ', h('span', { class: 'muted' }, w.backend))));
      if (!all.length) list.append(h('p', { class: 'muted' }, 'No workspaces (connectors/workspaces.yaml).'));
    }
    if (!state.ws) return;
    const listing = await api(`/files/${encodeURIComponent(state.ws)}/${state.path ? enc(state.path) + '/' : ''}`);
    if (changed(holders[1], listing) || force) renderListing(listing);
    if (force) renderSide();
  }

  function renderListing(listing) {
    const crumbs = [h('a', { href: '#/workspaces', onclick: (e) => { e.preventDefault(); state.path = ''; load(true); } }, state.ws)];
    let acc = '';
    for (const part of state.path.split('/').filter(Boolean)) {
      acc = acc ? `${acc}/${part}` : part;
      const to = acc;
      crumbs.push(' / ', h('a', { href: '#/workspaces', onclick: (e) => { e.preventDefault(); state.path = to; load(true); } }, part));
    }
    const rows = listing.entries.map((e) => {
      const path = state.path ? `${state.path}/${e.name}` : e.name;
      const href = `/files/${encodeURIComponent(state.ws)}/${enc(path)}`;
      return h('tr', { 'data-entry': e.name },
        h('td', {}, e.type === 'directory'
          ? h('a', { href: '#/workspaces', onclick: (ev) => { ev.preventDefault(); state.path = path; load(true); } }, `${e.name}/`)
          : h('a', { href, download: e.name }, e.name)),
        h('td', {}, e.type === 'file' ? `${e.size} B` : ''), h('td', {}, when(e.modified)),
        h('td', { class: 'row' }, e.type === 'file' ? [
          h('button', { class: 'quiet', 'data-share': e.name, onclick: () => share(path) }, 'Share'),
          h('button', { class: 'quiet', onclick: () => versions(path) }, 'Versions'),
          h('button', { class: 'quiet', onclick: () => locks(path) }, 'Lock'),
        ] : null));
    });
    browser.replaceChildren(h('div', { class: 'card' }, h('p', {}, crumbs),
      h('table', {}, h('tr', {}, ['Name', 'Size', 'Modified', ''].map((t) => h('th', {}, t))), rows),
      listing.entries.length ? null : h('p', { class: 'muted' }, 'This folder is empty.'), uploader()));
  }

  function uploader() {
    const input = h('input', { type: 'file', id: 'upload-input', multiple: true });
    const bar = h('progress', { max: 100, value: 0, hidden: true, id: 'upload-progress' });
    const zone = h('div', { class: 'drop', id: 'drop' }, 'Drop files here to upload, or ', input, bar);
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); upload([...e.dataTransfer.files], bar); });
    input.addEventListener('change', () => upload([...input.files], bar));
    return zone;
  }

  function upload(files, bar) {
    bar.hidden = false;
    return files.reduce((p, file) => p.then(() => new Promise((resolve) => {
      // XMLHttpRequest, not fetch: only it reports upload progress.
      const xhr = new XMLHttpRequest();
      const path = state.path ? `${state.path}/${file.name}` : file.name;
      xhr.open('PUT', `/files/${encodeURIComponent(state.ws)}/${enc(path)}`);
      xhr.setRequestHeader('X-CSRF-Token', session.csrf || '');
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; };
      xhr.onload = () => {
        if (xhr.status < 300) toast(`Uploaded ${file.name}`);
        else toast(`${file.name}: ${(JSON.parse(xhr.responseText || '{}').detail) || xhr.status}`, true);
        resolve();
      };
      xhr.onerror = () => { toast(`${file.name}: upload failed`, true); resolve(); };
      xhr.send(file);
    })), Promise.resolve()).then(() => { bar.hidden = true; load(true); });
  }

  async function share(path) {
    const v = await confirmDialog(`Share ${path}`, 'Anyone with the link can use it until it expires or is revoked.',
      [{ name: 'permission', label: 'Permission (view, download, upload)', value: 'download' },
        { name: 'expiresIn', label: 'Expires in (e.g. 12h, 7d)', value: '7d' }], 'Create link');
    if (!v) return;
    try {
      const r = await tool('share_create', { workspace: state.ws, path, permission: v.permission, expiresIn: v.expiresIn });
      const text = typeof r === 'string' ? r : JSON.stringify(r);
      const found = (typeof r === 'object' && r.url) || (text.match(/(https?:\/\/[^\s"']+)?\/s\/[A-Za-z0-9_~.-]+/) || [])[0];
      if (!found) throw new Error(`share_create answered no link: ${text.slice(0, 200)}`);
      const url = found.startsWith('/') ? location.origin + found : found;
      side.replaceChildren(h('div', { class: 'card secret', id: 'share-result' }, h('h2', {}, 'Share link (shown once)'),
        h('p', {}, h('a', { href: url, id: 'share-url', target: '_blank', rel: 'noopener' }, url), ' ',
          h('button', { class: 'quiet', onclick: () => copy(url, 'Link copied') }, 'Copy link'))));
      renderShares(side);
    } catch (e) { toast(e.message, true); }
  }

  async function versions(path) {
    try {
      const r = await tool('list_versions', { workspace: state.ws, path });
      const text = typeof r === 'string' ? r : JSON.stringify(r, null, 2);
      // list_versions answers one line per version, its id first.
      const ids = text.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
      side.replaceChildren(h('div', { class: 'card', id: 'versions' }, h('h2', {}, `Versions of ${path}`),
        ids.length ? h('table', {}, text.split('\n').slice(1).map((line, i) => h('tr', {}, h('td', {}, h('code', {}, line.trim())),
          h('td', {}, h('button', { class: 'quiet', onclick: async () => {
            try { await tool('restore_version', { workspace: state.ws, path, versionId: ids[i] }); toast('Restored'); load(true); }
            catch (e) { toast(e.message, true); }
          } }, 'Restore'))))) : h('p', { class: 'muted' }, text)));
    } catch (e) { toast(e.message, true); }
  }

  async function locks(path) {
    try {
      const r = await tool('lock_status', { workspace: state.ws, path });
      side.replaceChildren(h('div', { class: 'card' }, h('h2', {}, `Locks on ${path}`), h('pre', {}, JSON.stringify(r, null, 2))));
    } catch (e) { toast(e.message, true); }
  }

  async function renderShares(box) {
    try {
      const r = await tool('share_list', { workspace: state.ws });
      const shares = Array.isArray(r) ? r : (r && r.shares) || [];
      if (typeof r === 'string') {
        // share_list answers a heading, then one line per share with its id first.
        const lines = r.split('\n').slice(1).filter((l) => l.trim());
        box.append(h('div', { class: 'card', id: 'shares' }, h('h2', {}, 'Share links'),
          lines.length ? h('table', {}, lines.map((line) => {
            const id = line.trim().split(/\s+/)[0];
            return h('tr', { 'data-share-id': id }, h('td', {}, h('code', {}, line.trim())),
              h('td', {}, /\sactive\s/.test(line) ? h('button', { class: 'danger', onclick: async () => {
                try { await tool('share_revoke', { workspace: state.ws, shareId: id }); toast('Revoked'); renderSide(); }
                catch (e) { toast(e.message, true); }
              } }, 'Revoke') : null));
          })) : h('p', { class: 'muted' }, r)));
        return;
      }
      box.append(h('div', { class: 'card', id: 'shares' }, h('h2', {}, 'Share links'),
        shares.length ? h('table', {}, h('tr', {}, ['Id', 'Path', 'Permission', 'State', 'Expires', ''].map((t) => h('th', {}, t))),
          shares.map((s) => h('tr', {}, h('td', {}, h('code', {}, s.id)), h('td', {}, s.path), h('td', {}, s.permission),
            h('td', {}, s.state), h('td', {}, when(s.expiresAt)),
            h('td', {}, s.state === 'active' ? h('button', { class: 'danger', onclick: async () => {
              try { await tool('share_revoke', { workspace: state.ws, shareId: s.id }); toast('Revoked'); renderSide(); }
              catch (e) { toast(e.message, true); }
            } }, 'Revoke') : null))))
          : h('p', { class: 'muted' }, 'No share links.')));
    } catch (e) {
      box.append(h('p', { class: 'muted' }, `Share links need the share_* tools in the catalogue (${e.message}).`));
    }
  }

  async function renderSide() {
    side.replaceChildren();
    await renderShares(side);
    side.append(auditBox());
  }

  function auditBox() {
    const principal = h('input', { placeholder: 'principal' });
    const operation = h('input', { placeholder: 'operation, e.g. write' });
    const outcome = h('select', {}, ['', 'ok', 'denied', 'error'].map((o) => h('option', { value: o }, o || 'any outcome')));
    const table = h('table', { id: 'audit' });
    const form = h('form', { class: 'row' }, principal, operation, outcome, h('button', { type: 'submit' }, 'Filter'));
    async function search() {
      const q = new URLSearchParams({ workspace: state.ws, limit: 50 });
      if (principal.value) q.set('principal', principal.value);
      if (operation.value) q.set('operation', operation.value);
      if (outcome.value) q.set('outcome', outcome.value);
      try {
        const r = await api(`/admin/api/audit?${q}`);
        const events = Array.isArray(r) ? r : r.events || [];
        table.replaceChildren(h('tr', {}, ['When', 'Who', 'Operation', 'Path', 'Outcome'].map((t) => h('th', {}, t))),
          ...events.map((e) => h('tr', {}, h('td', {}, when(e.at || e.timestamp)), h('td', {}, e.principal), h('td', {}, e.operation),
            h('td', {}, h('code', {}, e.path || '')), h('td', {}, e.outcome))));
      } catch (err) { table.replaceChildren(h('tr', {}, h('td', { class: 'error' }, err.message))); }
    }
    form.addEventListener('submit', (e) => { e.preventDefault(); search(); });
    search();
    return h('div', { class: 'card' }, h('h2', {}, 'Audit trail'), form, table);
  }

  const all = await api('/admin/api/workspaces');
  if (all.length) state.ws = all[0].name;
  await load(true);
  return { refresh: () => load(false) };
}
