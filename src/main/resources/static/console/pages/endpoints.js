import { h, api, badge, changed, confirmDialog, copy, toast, when } from '../lib.js';

export async function render(main) {
  const secretBox = h('div', { id: 'secret' });
  const list = h('div', { id: 'endpoint-list' });
  main.append(h('h1', {}, 'Endpoints'), createForm(showSecret), secretBox, list);

  function showSecret(published, heading) {
    secretBox.replaceChildren(secretPanel(published, heading));
    secretBox.scrollIntoView({ block: 'start' });
    load(true);
  }

  const holder = {};
  async function load(force = false) {
    const endpoints = await api('/admin/api/endpoints');
    if (!changed(holder, endpoints) && !force) return;
    list.replaceChildren(...(endpoints.length ? endpoints.map((e) => endpointCard(e, showSecret, () => load(true)))
      : [h('p', { class: 'muted' }, 'No endpoints yet: create one above.')]));
  }
  await load(true);
  return { refresh: () => load(false) };
}

function createForm(onCreated) {
  const name = h('input', { id: 'endpoint-name', placeholder: 'name, e.g. sales', required: true, pattern: '[a-z0-9][a-z0-9_\\-]{0,63}' });
  const patterns = h('input', { id: 'endpoint-tools', class: 'wide', placeholder: 'tags or name patterns, e.g. crm, report_*', required: true });
  const preview = h('div', { id: 'endpoint-preview', class: 'muted' }, 'Type patterns to see which tools they select.');
  let debounce;
  patterns.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(async () => {
      const select = patterns.value.trim();
      if (!select) { preview.replaceChildren('Type patterns to see which tools they select.'); return; }
      try {
        const page = await api(`/admin/api/catalog?${new URLSearchParams({ kind: 'tools', select, limit: 20 })}`);
        preview.replaceChildren(h('strong', {}, `${page.total} tool${page.total === 1 ? '' : 's'} selected`),
          page.total ? ': ' : '', ...page.items.map((t) => h('span', { class: 'tag' }, t.name)),
          page.total > page.items.length ? ` and ${page.total - page.items.length} more` : '');
      } catch (e) {
        preview.replaceChildren(h('span', { class: 'error' }, e.message));
      }
    }, 200);
  });
  const form = h('form', { class: 'card', id: 'create-endpoint' }, h('h2', {}, 'Publish an endpoint'),
    h('div', { class: 'row' }, name, patterns, h('button', { type: 'submit' }, 'Create')), preview);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const tools = patterns.value.split(',').map((s) => s.trim()).filter(Boolean);
      const published = await api('/admin/api/endpoints', { method: 'POST', body: { name: name.value.trim(), tools } });
      form.reset();
      preview.replaceChildren('Type patterns to see which tools they select.');
      onCreated(published, `Endpoint ${published.name} is published`);
    } catch (err) {
      toast(err.message, true);
    }
  });
  return form;
}

function endpointCard(e, showSecret, reload) {
  const toggle = h('input', { type: 'checkbox', checked: e.enabled, 'data-toggle': e.name, 'aria-label': 'Enabled' });
  toggle.addEventListener('change', async () => {
    try {
      await api(`/admin/api/endpoints/${e.name}`, { method: 'PATCH', body: { enabled: toggle.checked } });
      toast(`${e.name} ${toggle.checked ? 'enabled' : 'disabled'}`);
      reload();
    } catch (err) { toast(err.message, true); toggle.checked = !toggle.checked; }
  });
  const regenerate = h('button', { class: 'quiet', 'data-regenerate': e.name, onclick: async () => {
    const values = await confirmDialog(`Regenerate the secret of ${e.name}?`,
      'Clients using the current secret stop working (after the grace period, if you give one).',
      [{ name: 'grace', label: 'Grace period in seconds (the old secret keeps working this long)', type: 'number', value: '0' }],
      'Regenerate');
    if (!values) return;
    try {
      const published = await api(`/admin/api/endpoints/${e.name}/regenerate`, { method: 'POST',
        body: { graceSeconds: Number(values.grace || 0) } });
      showSecret(published, `New secret for ${e.name}`);
    } catch (err) { toast(err.message, true); }
  } }, 'Regenerate secret');
  const remove = h('button', { class: 'danger', onclick: async () => {
    if (!(await confirmDialog(`Delete ${e.name}?`, 'Its clients are disconnected and its secrets stop working.', [], 'Delete'))) return;
    try { await api(`/admin/api/endpoints/${e.name}`, { method: 'DELETE' }); reload(); } catch (err) { toast(err.message, true); }
  } }, 'Delete');
  const credentials = (e.credentials || []).map((c) => h('tr', {},
    h('td', {}, c.name), h('td', {}, (c.workspaces || []).join(', ') || 'all'), h('td', {}, (c.operations || []).join(', ') || 'all'),
    h('td', {}, when(c.createdAt)), h('td', {}, when(c.lastUsedAt)), h('td', {}, c.expiresAt ? when(c.expiresAt) : 'never')));
  return h('div', { class: 'card', 'data-endpoint': e.name },
    h('div', { class: 'row' }, h('h2', { class: 'grow' }, e.name, ' ', e.enabled ? badge('enabled', 'ok') : badge('disabled', 'off'),
      e.source && e.source !== 'api' ? h('span', { class: 'muted' }, ` (declared in ${e.source})`) : null),
    h('label', { class: 'row' }, toggle, 'Enabled'), regenerate, remove),
    h('p', {}, 'Patterns ', (e.tools || []).map((t) => h('code', { class: 'tag' }, t))),
    h('p', {}, `${(e.exposedTools || []).length} tools: `, (e.exposedTools || []).slice(0, 30).map((t) => h('span', { class: 'tag' }, t)),
      (e.exposedTools || []).length > 30 ? '…' : ''),
    h('details', {}, h('summary', {}, `Credentials (${credentials.length})`),
      h('table', {}, h('tr', {}, ['Name', 'Workspaces', 'Operations', 'Created', 'Last used', 'Expires'].map((t) => h('th', {}, t))), credentials),
      credentialForm(e.name, showSecret)));
}

function credentialForm(endpoint, showSecret) {
  const name = h('input', { placeholder: 'credential name, e.g. ci-bot', required: true });
  const workspaces = h('input', { placeholder: 'workspaces (globs, empty = all)' });
  const operations = h('input', { placeholder: 'operations, e.g. read (empty = all)' });
  const days = h('input', { type: 'number', min: '1', placeholder: 'expires in days (empty = never)' });
  const form = h('form', { class: 'row' }, name, workspaces, operations, days, h('button', { type: 'submit' }, 'Add credential'));
  const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: name.value.trim() };
    if (list(workspaces.value).length) body.workspaces = list(workspaces.value);
    if (list(operations.value).length) body.operations = list(operations.value);
    if (days.value) body.expiresInSeconds = Number(days.value) * 86400;
    try {
      showSecret(await api(`/admin/api/endpoints/${endpoint}/credentials`, { method: 'POST', body }),
        `Credential ${body.name} for ${endpoint}`);
    } catch (err) { toast(err.message, true); }
  });
  return form;
}

/** The secret, shown once, with ready configuration for the common MCP clients. */
export function snippets(p) {
  const auth = `Bearer ${p.token}`;
  const key = `caravan-${p.name}`;
  return [
    ['Claude Desktop', JSON.stringify({ mcpServers: { [key]: { command: 'npx', args: ['-y', 'mcp-remote', p.url,
      '--header', `Authorization:${auth}`] } } }, null, 2)],
    ['Cursor', JSON.stringify({ mcpServers: { [key]: { url: p.url, headers: { Authorization: auth } } } }, null, 2)],
    ['VS Code', JSON.stringify({ servers: { [key]: { type: 'http', url: p.url, headers: { Authorization: auth } } } }, null, 2)],
    ['MCP Inspector', `npx @modelcontextprotocol/inspector --cli ${p.url} --transport http --header "Authorization: ${auth}" --method tools/list`],
    ['Dify', JSON.stringify({ server_url: p.url, headers: { Authorization: auth } }, null, 2)],
  ];
}

function secretPanel(p, heading) {
  return h('div', { class: 'card secret' },
    h('div', { class: 'row' }, h('h2', { class: 'grow' }, heading),
      h('button', { class: 'quiet', onclick: (e) => e.target.closest('.secret').remove() }, 'Done, hide it')),
    h('p', {}, h('strong', {}, 'Shown once.'), ' Copy it now: Caravan keeps only a hash.'),
    h('div', { class: 'row' }, 'Secret ', h('code', { id: 'secret-token' }, p.token),
      h('button', { class: 'quiet', onclick: () => copy(p.token, 'Secret copied') }, 'Copy secret'),
      'URL ', h('code', {}, p.url), h('button', { class: 'quiet', onclick: () => copy(p.url, 'URL copied') }, 'Copy URL')),
    p.previousValidForSeconds ? h('p', { class: 'muted' }, `The previous secret keeps working for ${p.previousValidForSeconds} s.`) : null,
    snippets(p).map(([client, text]) => h('div', { class: 'snippet', 'data-client': client },
      h('h2', {}, client), h('pre', {}, text),
      h('button', { class: 'quiet', 'data-copy': client, onclick: () => copy(text, `${client} snippet copied`) }, 'Copy'))));
}
