import { h, api, changed, toast } from '../lib.js';

const LIMIT = 50;
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

export async function render(main) {
  const state = { kind: 'tools', q: '', offset: 0, open: new Set() };
  const search = h('input', { type: 'search', id: 'catalogue-search', placeholder: 'Search name, description, tag, route file…',
    'aria-label': 'Search the catalogue' });
  const tabs = h('div', { class: 'tabs' }, ['tools', 'resources', 'prompts'].map((k) =>
    h('button', { 'data-kind': k, class: k === state.kind ? 'on' : '', onclick: () => {
      state.kind = k; state.offset = 0; state.open.clear();
      for (const b of tabs.children) b.classList.toggle('on', b.dataset.kind === k);
      load();
    } }, k[0].toUpperCase() + k.slice(1))));
  const summary = h('span', { class: 'muted', id: 'catalogue-summary' });
  const prev = h('button', { class: 'quiet', id: 'prev', onclick: () => { state.offset = Math.max(0, state.offset - LIMIT); load(); } }, '← Previous');
  const next = h('button', { class: 'quiet', id: 'next', onclick: () => { state.offset += LIMIT; load(); } }, 'Next →');
  const list = h('div', { class: 'card', id: 'catalogue-list' });
  main.append(h('h1', {}, 'Catalogue'), tabs, h('div', { class: 'row' }, search, summary),
    h('div', { class: 'pager' }, prev, next), list);

  let debounce;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { state.q = search.value; state.offset = 0; load(); }, 200);
  });

  const holder = {};
  async function load(force = true) {
    const params = new URLSearchParams({ kind: state.kind, q: state.q, offset: state.offset, limit: LIMIT });
    const page = await api(`/admin/api/catalog?${params}`);
    if (!changed(holder, page) && !force) return;
    holder.last = JSON.stringify(page);
    const end = Math.min(page.total, page.offset + page.items.length);
    summary.textContent = page.total === 0 ? `No ${state.kind} match` :
      `${page.offset + 1}–${end} of ${page.total} ${state.kind}`;
    prev.disabled = page.offset === 0;
    next.disabled = end >= page.total;
    list.replaceChildren(...page.items.map((item) => entry(item, state)));
    if (page.items.length === 0) list.append(h('p', { class: 'muted' }, state.q ? 'Nothing matches that search.' :
      'Nothing here yet: add a route file to the routes directory.'));
  }
  await load();
  return { refresh: () => load(false) };
}

function entry(item, state) {
  const body = h('div', { class: 'detail', hidden: !state.open.has(item.name) });
  const head = h('div', { class: 'head' },
    h('span', { class: 'name' }, item.name),
    item.title ? h('span', {}, item.title) : null,
    h('span', { class: 'grow muted' }, (item.description || '').split('\n')[0]),
    (item.tags || []).map((t) => h('span', { class: 'tag' }, t)));
  head.addEventListener('click', () => {
    body.hidden = !body.hidden;
    if (body.hidden) state.open.delete(item.name); else state.open.add(item.name);
    if (!body.hidden && !body.firstChild) fill(body, item);
  });
  if (!body.hidden) fill(body, item);
  return h('div', { class: 'item', 'data-name': item.name }, head, body);
}

function fill(body, item) {
  const hints = item.annotations ? HINTS.filter((k) => item.annotations[k] !== undefined && item.annotations[k] !== null)
    .map((k) => h('span', { class: 'tag' }, `${k.replace('Hint', '')}: ${item.annotations[k]}`)) : [];
  body.append(...[
    h('p', {}, item.description || ''),
    h('p', { class: 'muted' }, 'From ', h('code', {}, item.source || '—')),
    item.uri ? h('p', {}, 'URI ', h('code', {}, item.uri)) : null,
    hints.length ? h('p', {}, hints) : null,
    item.inputSchema ? h('details', {}, h('summary', {}, item.kind === 'prompt' ? 'Arguments' : 'Input schema'),
      h('pre', {}, JSON.stringify(item.inputSchema, null, 2))) : null,
    item.outputSchema ? h('details', {}, h('summary', {}, 'Output schema'),
      h('pre', {}, JSON.stringify(item.outputSchema, null, 2))) : null,
    item.kind === 'tool' ? tryIt(item) : null].filter(Boolean));
}

/** A form generated from the tool's input schema; runs the tool as the admin and shows the result. */
function tryIt(item) {
  const schema = item.inputSchema || {};
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  const fields = Object.entries(props).map(([name, p]) => field(name, p || {}, required.has(name)));
  const result = h('div', { class: 'result' });
  const run = h('button', { type: 'submit' }, 'Run');
  const form = h('form', { class: 'card try' }, h('h2', {}, 'Try it'),
    fields.length ? fields.map((f) => f.label) : h('p', { class: 'muted' }, 'This tool takes no arguments.'),
    h('div', { class: 'row' }, run), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const args = {};
    try {
      for (const f of fields) {
        const v = f.read();
        if (v !== undefined) args[f.name] = v;
      }
    } catch (err) {
      result.replaceChildren(h('p', { class: 'error' }, err.message));
      return;
    }
    run.disabled = true;
    const controller = new AbortController();
    const bar = h('progress', {});
    const said = h('p', { class: 'muted', 'data-progress': '' }, 'Running…');
    const stop = h('button', { type: 'button', class: 'quiet', onclick: () => controller.abort() }, 'Stop');
    result.replaceChildren(h('div', { class: 'row' }, bar, stop), said);
    // Leaving the page (the main area is replaced) closes the stream, which cancels the call on the server.
    const gone = new MutationObserver(() => { if (!form.isConnected) { controller.abort(); gone.disconnect(); } });
    gone.observe(document.body, { childList: true, subtree: true });
    try {
      const r = await stream(item.name, args, controller.signal, (p) => {
        if (p.total) { bar.max = p.total; bar.value = p.progress; } else bar.removeAttribute('value');
        said.textContent = (p.message || 'Working') + (p.total ? ` (${p.progress} of ${p.total})` : ` (${p.progress})`);
      });
      result.replaceChildren(showResult(r));
    } catch (err) {
      const message = controller.signal.aborted ? 'Stopped: the call was cancelled.' : err.message;
      result.replaceChildren(h('p', { class: 'error' }, message));
      if (!controller.signal.aborted) toast(message, true);
    } finally {
      gone.disconnect();
      run.disabled = false;
    }
  });
  return form;
}

/**
 * Runs the tool asking for server-sent events and hands each progress event to onProgress; resolves with the
 * result. fetch + a stream reader rather than EventSource, which can only GET and cannot send the CSRF header.
 */
async function stream(name, args, signal, onProgress) {
  const r = await api(`/admin/api/tools/${encodeURIComponent(name)}/call`, { method: 'POST', body: { arguments: args },
    raw: true, signal, headers: { Accept: 'text/event-stream' } });
  if (!r.ok) {
    const problem = await r.json().catch(() => ({}));
    throw new Error(problem.detail || problem.title || `HTTP ${r.status}`);
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('The call ended without a result');
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue; // a keep-alive comment
      const payload = JSON.parse(data.join('\n'));
      if (event === 'progress') onProgress(payload);
      else if (event === 'result') {
        // Read to the end the server is about to send (cancelling here would cut a stream it is completing).
        (async () => { try { while (!(await reader.read()).done); } catch { /* gone */ } })();
        return payload;
      }
      else if (event === 'error') throw new Error(payload.detail || payload.title || 'The tool failed');
    }
  }
}

function field(name, p, isRequired) {
  const type = Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
  let input;
  let read;
  if (Array.isArray(p.enum)) {
    input = h('select', { name }, isRequired ? null : h('option', { value: '' }, '—'), p.enum.map((v) => h('option', { value: v }, v)));
    read = () => input.value === '' ? undefined : input.value;
  } else if (type === 'boolean') {
    input = h('input', { type: 'checkbox', name });
    read = () => input.checked;
  } else if (type === 'integer' || type === 'number') {
    input = h('input', { type: 'number', name, step: type === 'integer' ? '1' : 'any', required: isRequired });
    read = () => input.value === '' ? undefined : Number(input.value);
  } else if (type === 'object' || type === 'array') {
    input = h('textarea', { name, placeholder: type === 'array' ? '[ ]' : '{ }', required: isRequired });
    read = () => {
      if (input.value.trim() === '') return undefined;
      try { return JSON.parse(input.value); } catch { throw new Error(`${name}: not valid JSON`); }
    };
  } else {
    input = h('input', { type: 'text', name, class: 'wide', required: isRequired, placeholder: p.default ?? '' });
    read = () => input.value === '' ? undefined : input.value;
  }
  const label = h('label', {}, h('span', {}, name + (isRequired ? ' *' : ''), p.description ? ` — ${p.description}` : ''), input);
  return { name, label, read };
}

function showResult(r) {
  const parts = (r.content || []).map((c) => c.type === 'text' ? h('pre', {}, c.text)
    : c.type === 'image' ? h('img', { src: `data:${c.mimeType};base64,${c.data}`, alt: 'image result' })
      : h('pre', {}, JSON.stringify(c, null, 2)));
  return h('div', { class: r.isError ? 'error' : '', 'data-result': r.isError ? 'error' : 'ok' },
    h('h2', {}, r.isError ? 'The tool answered an error' : 'Result'), parts,
    r.structuredContent ? h('details', { open: true }, h('summary', {}, 'Structured content'),
      h('pre', {}, JSON.stringify(r.structuredContent, null, 2))) : null);
}
