import { h, api, badge, changed, toast, when } from '../lib.js';

const KIND = { online: 'ok', connecting: 'warn', 'needs-authorization': 'warn', error: 'bad', disabled: 'off' };

export async function render(main) {
  const list = h('div', { id: 'upstream-list' });
  main.append(h('h1', {}, 'Upstreams'), list);
  const holder = {};
  let minute;
  async function load(force) {
    const upstreams = await api('/admin/api/upstreams');
    // Also once a minute, so the tokens' time left counts down.
    const now = Math.floor(Date.now() / 60000);
    if (!changed(holder, upstreams) && !force && now === minute) return;
    minute = now;
    list.replaceChildren(...(upstreams.length ? upstreams.map(card)
      : [h('p', { class: 'muted' }, 'No upstream MCP servers: declare them in connectors/upstreams.yaml or POST /admin/api/upstreams.')]));
  }
  await load(true);
  return { refresh: () => load(false) };
}

function card(u) {
  const authorize = h('button', { 'data-authorize': u.name, onclick: async () => {
    try {
      const started = await api(`/admin/api/upstreams/${encodeURIComponent(u.name)}/authorize`, { method: 'POST' });
      // The authorization server sends the browser back to Caravan's callback, which says when it is done.
      window.open(started.authorizationUrl, '_blank', 'noopener');
      toast('Authorize in the new tab; this page updates when Caravan has the token.');
    } catch (e) { toast(e.message, true); }
  } }, u.state === 'needs-authorization' ? 'Authorize' : 'Re-authorize');
  const reconnect = h('button', { class: 'quiet', onclick: async () => {
    try { await api(`/admin/api/upstreams/${encodeURIComponent(u.name)}/reconnect`, { method: 'POST' }); toast('Reconnecting'); }
    catch (e) { toast(e.message, true); }
  } }, 'Reconnect');
  return h('div', { class: 'card', 'data-upstream': u.name, 'data-state': u.state },
    h('div', { class: 'row' }, h('h2', { class: 'grow' }, u.name, ' ',
      badge(u.state.replace('-', ' '), KIND[u.state] || 'off'), ' ', tokenBadge(u)),
      u.transport !== 'stdio' ? authorize : null, reconnect),
    h('p', { class: 'muted' }, `${u.transport} `, h('code', {}, u.target || ''), u.prefix ? ` · prefix ${u.prefix}` : '',
      ` · since ${when(u.since)}`),
    // lastError is kept after recovery: red only while the upstream is not online.
    u.lastError ? h('p', { class: u.state === 'online' ? 'muted' : 'error' },
      `${u.state === 'online' ? 'Earlier' : 'Last'} error (${when(u.lastErrorAt)}): ${u.lastError}`) : null,
    u.stepUpScope ? h('p', { class: 'error' }, `Needs the scope ${u.stepUpScope}: authorize again.`) : null,
    u.nextAttemptAt ? h('p', { class: 'muted' }, `Next attempt ${when(u.nextAttemptAt)}`) : null,
    h('p', {}, `${u.toolCount} tools, ${u.resourceCount} resources, ${u.promptCount} prompts `,
      (u.tools || []).slice(0, 40).map((t) => h('span', { class: 'tag' }, t))));
}

/** The OAuth token's time left, from its expiry (the status never carries the token itself); null without one. */
function tokenBadge(u) {
  let text;
  let kind;
  if (u.tokenExpiresAt && u.state !== 'needs-authorization') {
    const minutes = Math.round((new Date(u.tokenExpiresAt).getTime() - Date.now()) / 60000);
    const renews = u.tokenRenewable ? ', renewed automatically' : '';
    if (minutes <= 0) [text, kind] = [`token expired${renews}`, u.tokenRenewable ? 'warn' : 'bad'];
    else {
      const left = minutes < 120 ? `${minutes} min` : minutes < 2880 ? `${Math.round(minutes / 60)} h`
        : `${Math.round(minutes / 1440)} days`;
      [text, kind] = [`token expires in ${left}${renews}`, minutes < 10 && !u.tokenRenewable ? 'warn' : 'ok'];
    }
  } else return null;
  const b = badge(text, kind);
  b.setAttribute('data-token', kind);
  b.title = `Access token expires ${when(u.tokenExpiresAt)}`;
  return b;
}
