import { h, api, badge, changed, when } from '../lib.js';

export async function render(main) {
  const table = h('table', { id: 'route-files' });
  const summary = h('p', { class: 'muted', id: 'routes-summary' });
  main.append(h('h1', {}, 'Route files'), summary, h('div', { class: 'card' }, table));
  const holder = {};
  async function load(force) {
    const files = await api('/admin/api/routes');
    if (!changed(holder, files) && !force) return;
    const failed = files.filter((f) => f.state === 'failed').length;
    summary.textContent = `${files.length} file${files.length === 1 ? '' : 's'}, ${failed} failed. Updates live as files change.`;
    table.replaceChildren(h('tr', {}, ['File', 'State', 'Routes', 'Problems', 'Updated'].map((t) => h('th', {}, t))),
      ...files.map((f) => h('tr', { 'data-file': f.file, 'data-state': f.state },
        h('td', {}, h('code', {}, f.file)),
        h('td', {}, f.state === 'loaded' ? badge('loaded', 'ok') : badge('failed', 'bad'),
          f.servingPrevious ? h('div', { class: 'muted' }, 'still serving the previous version') : null),
        h('td', {}, (f.routes || []).map((r) => h('span', { class: 'tag' }, r))),
        h('td', {}, (f.errors || []).map((p) => h('div', { class: 'error problem' },
          p.line ? h('strong', {}, `line ${p.line}: `) : null, p.reason))),
        h('td', {}, when(f.updatedAt)))));
  }
  await load(true);
  return { refresh: () => load(false) };
}
