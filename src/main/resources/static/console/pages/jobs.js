import { h, api, badge, changed, toast, when } from '../lib.js';

const STATE = { done: 'ok', succeeded: 'ok', indexed: 'ok', running: 'warn', queued: 'warn', pending: 'warn',
  failed: 'bad', cancelled: 'off', skipped: 'off' };

export async function render(main) {
  const imports = h('div', { class: 'card', id: 'imports' });
  const kbs = h('div', { id: 'knowledge' });
  main.append(h('h1', {}, 'Imports & knowledge'), h('h2', {}, 'URL imports'), imports, h('h2', {}, 'Knowledge bases'), kbs);
  const holders = [{}, {}];
  async function load(force) {
    const [jobs, knowledge] = await Promise.all([
      api('/admin/api/imports?limit=50').catch(() => null),
      api('/admin/api/knowledge?documents=true').catch(() => null)]);
    if (changed(holders[0], jobs) || force) renderImports(imports, jobs);
    if (changed(holders[1], knowledge) || force) renderKnowledge(kbs, knowledge);
  }
  await load(true);
  return { refresh: () => load(false) };
}

function renderImports(box, jobs) {
  if (!jobs) { box.replaceChildren(h('p', { class: 'muted' }, 'URL import is not enabled on this node.')); return; }
  if (!jobs.length) { box.replaceChildren(h('p', { class: 'muted' }, 'No import jobs yet (the import_url tool starts them).')); return; }
  box.replaceChildren(h('table', {}, h('tr', {}, ['Job', 'State', 'URL', 'Into', 'Progress', 'Created'].map((t) => h('th', {}, t))),
    jobs.map((j) => h('tr', { 'data-job': j.job },
      h('td', {}, h('code', {}, j.job)),
      h('td', {}, badge(j.state, STATE[j.state] || 'off'), j.message ? h('div', { class: 'error' }, j.message) : null),
      h('td', {}, h('code', {}, j.url)), h('td', {}, `${j.workspace}:${j.file ? j.file.path : j.target}`),
      h('td', {}, j.total ? h('progress', { max: j.total, value: j.bytes }) : `${j.bytes} bytes`),
      h('td', {}, when(j.createdAt))))));
}

function renderKnowledge(box, knowledge) {
  const bases = knowledge ? knowledge.knowledgeBases || [] : [];
  if (!knowledge) { box.replaceChildren(h('p', { class: 'muted' }, 'Knowledge bases are not enabled on this node.')); return; }
  if (!bases.length) { box.replaceChildren(h('p', { class: 'muted' }, 'No knowledge bases (connectors/knowledge.yaml).')); return; }
  box.replaceChildren(...bases.map((b) => h('div', { class: 'card', 'data-kb': b.name },
    h('h2', {}, b.name, ' ', h('span', { class: 'muted' }, `${b.chunks} chunks · ${b.embeddingModel}`)),
    b.lastError ? h('p', { class: 'error' }, JSON.stringify(b.lastError)) : null,
    b.modelChange ? h('p', { 'data-model-change': b.modelChange.to },
      `Changing the model to ${b.modelChange.to}: ${b.modelChange.embedded} of ${b.modelChange.documents} documents `
      + `embedded (search uses ${b.modelChange.from} until all are)`,
      h('progress', { max: b.modelChange.documents || 1, value: b.modelChange.embedded }),
      b.modelChange.failed ? h('span', { class: 'error' }, ` ${b.modelChange.failed} failed: ${b.modelChange.hint}`) : null)
      : null,
    searchBox(b.name),
    h('details', {}, h('summary', {}, `Documents (${(b.documents || []).length})`),
      h('table', {}, h('tr', {}, ['Document', 'State', 'Chunks', 'Updated'].map((t) => h('th', {}, t))),
        (b.documents || []).map((d) => h('tr', {}, h('td', {}, h('code', {}, `${d.workspace}:${d.path}`)),
          h('td', {}, badge(d.status, STATE[d.status] || 'off'), d.reason ? h('div', { class: 'error' }, d.reason) : null),
          h('td', {}, d.chunks), h('td', {}, when(d.updatedAt)))))))));
}

/** What search_knowledge would answer for a query, as a retrieval test. */
function searchBox(name) {
  const q = h('input', { type: 'search', class: 'wide', placeholder: 'Test a query against this knowledge base' });
  const out = h('div');
  const form = h('form', { class: 'row' }, q, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api(`/admin/api/knowledge/${encodeURIComponent(name)}/search?${new URLSearchParams({ query: q.value })}`);
      const hits = r.results || r.hits || [];
      out.replaceChildren(...(hits.length ? hits.map((x) => h('div', { class: 'item' },
        h('div', {}, h('strong', {}, x.score), ' ', h('code', {}, `${x.workspace}:${x.path}`), x.heading ? ` · ${x.heading}` : ''),
        h('pre', {}, x.text))) : [h('p', { class: 'muted' }, 'No matches.')]));
    } catch (err) { toast(err.message, true); }
  });
  return h('div', {}, form, out);
}
