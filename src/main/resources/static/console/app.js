// The Caravan console: plain ES modules, no build step, no library; every page is one module loaded on demand.
import { h, api, session, toast, onUnauthorized } from './lib.js';

const PAGES = ['catalogue', 'endpoints', 'routes', 'workspaces', 'upstreams', 'jobs'];
const main = document.getElementById('main');
let current = null;
let timer = null;

function signInPage() {
  stopLive();
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('live').hidden = true;
  const token = h('input', { type: 'password', id: 'token', autocomplete: 'current-password',
    placeholder: 'Admin token', 'aria-label': 'Admin token' });
  const error = h('p', { class: 'error', id: 'signin-error' });
  const form = h('form', { class: 'card signin', id: 'signin' },
    h('h1', {}, 'Sign in to Caravan'),
    h('p', { class: 'muted' }, 'Paste the admin token (CARAVAN_ADMIN_TOKEN, or the file DATA_DIR/admin-token).'),
    token, error, h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      await session.signIn(token.value);
      token.value = '';
      route();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  main.replaceChildren(form);
  token.focus();
}

function stopLive() {
  if (timer) clearInterval(timer);
  timer = null;
}

async function route() {
  if (!session.csrf && !(await session.resume())) {
    signInPage();
    return;
  }
  const name = (location.hash.replace(/^#\//, '').split('?')[0]) || 'catalogue';
  const page = PAGES.includes(name) ? name : 'catalogue';
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('live').hidden = false;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === '#/' + page);
  }
  stopLive();
  const module = await import(`./pages/${page}.js`);
  main.replaceChildren();
  current = await module.render(main);
  // Live updates: poll the page's data while it is visible, so nothing shown goes stale.
  timer = setInterval(() => {
    if (document.visibilityState === 'visible' && current && current.refresh) {
      current.refresh().catch((e) => console.warn(e));
    }
  }, 2000);
}

onUnauthorized(() => signInPage());
document.getElementById('signout').addEventListener('click', async () => {
  await session.signOut();
  toast('Signed out');
  signInPage();
});
window.addEventListener('hashchange', () => route().catch((e) => toast(e.message, true)));
route().catch((e) => toast(e.message, true));
