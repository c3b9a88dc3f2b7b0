// Drives the Caravan web console in Debian's Chromium (playwright-core), as an operator would, for ConsoleBrowserIT.
// Usage: node console-browser.mjs <baseUrl> <adminToken> <routesDir> <screenshotDir>
// Prints one JSON line of what it saw; exits non-zero (with the reason on stderr) when a step fails.
import { chromium } from "playwright-core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, adminToken, routesDir, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const seen = { urls: [], pages: {}, steps: [] };
const step = (name) => { seen.steps.push(name); console.error(`step: ${name}`); };

// A fresh profile directory each run (playwright passes it to Chromium as --user-data-dir).
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "caravan-chromium-")), {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
const page = context.pages()[0] ?? await context.newPage();
page.setDefaultTimeout(10000);
page.on("request", (r) => seen.urls.push(r.url()));
const consoleErrors = [];
// 401s are expected (the session probe before sign-in, the wrong token, the check after sign-out).
page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("status of 401")) consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Bytes the browser fetched for a fresh load of a page (its first load, cache disabled). */
async function weigh(hash) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
  await page.goto("about:blank");
  await page.goto(`${base}/${hash}`, { waitUntil: "networkidle" });
  await cdp.detach();
  return bytes;
}

async function mcp(url, token, tool, args) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: token } } });
  const client = new Client({ name: "console-browser-check", version: "1.0.0" });
  try {
    await client.connect(transport);
    const result = await client.callTool({ name: tool, arguments: args });
    return { ok: true, text: result.content?.[0]?.text };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  } finally {
    await client.close().catch(() => {});
  }
}

try {
  step("wrong token is refused");
  await page.goto(base + "/");
  await page.fill("#token", "not-the-admin-token");
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#signin-error:not(:empty)");
  seen.wrongToken = await page.textContent("#signin-error");
  await shot("00-sign-in-refused");

  step("sign in");
  await page.fill("#token", adminToken);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#catalogue-list .item");
  const cookies = await context.cookies(base);
  seen.cookie = cookies.filter((c) => c.name === "caravan_console").map((c) => ({ httpOnly: c.httpOnly, sameSite: c.sameSite }))[0];
  seen.cookieReadableByScript = await page.evaluate(() => document.cookie.includes("caravan_console"));

  step("catalogue: search, details, try it");
  await page.fill("#catalogue-search", "console_echo");
  await page.waitForFunction(() => document.querySelector("#catalogue-summary").textContent.includes("of 1 tools"));
  await page.click('[data-name="console_echo"] .head');
  await page.fill('[data-name="console_echo"] input[name="text"]', "from the browser");
  await page.click('[data-name="console_echo"] form.try button[type=submit]');
  await page.waitForSelector('[data-name="console_echo"] [data-result="ok"]');
  seen.tryIt = await page.textContent('[data-name="console_echo"] [data-result="ok"] pre');
  seen.catalogueSource = await page.textContent('[data-name="console_echo"] .detail');
  await shot("01-catalogue");

  step("catalogue: try it shows progress as it arrives");
  await page.fill("#catalogue-search", "console_progress");
  await page.waitForFunction(() => document.querySelector("#catalogue-summary").textContent.includes("of 1 tools"));
  await page.click('[data-name="console_progress"] .head');
  await page.click('[data-name="console_progress"] form.try button[type=submit]');
  await page.waitForFunction(() => (document.querySelector('[data-name="console_progress"] [data-progress]')
    ?.textContent ?? "").includes("halfway"));
  seen.tryItProgress = await page.textContent('[data-name="console_progress"] [data-progress]');
  seen.tryItProgressBar = await page.evaluate(() => {
    const bar = document.querySelector('[data-name="console_progress"] .result progress');
    return `${bar.value}/${bar.max}`;
  });
  await shot("01b-try-it-progress");
  await page.waitForSelector('[data-name="console_progress"] [data-result="ok"]', { timeout: 15000 });
  seen.tryItAfterProgress = await page.textContent('[data-name="console_progress"] [data-result="ok"] pre');

  step("catalogue: stop a running try it");
  await page.click('[data-name="console_progress"] form.try button[type=submit]');
  await page.waitForFunction(() => (document.querySelector('[data-name="console_progress"] [data-progress]')
    ?.textContent ?? "").includes("halfway"));
  await page.click('[data-name="console_progress"] .result button:has-text("Stop")');
  await page.waitForSelector('[data-name="console_progress"] .result .error');
  seen.tryItStopped = await page.textContent('[data-name="console_progress"] .result .error');

  step("endpoints: live preview, create, copy snippet");
  await page.goto(base + "/#/endpoints");
  await page.fill("#endpoint-name", "browser");
  await page.fill("#endpoint-tools", "console-demo");
  await page.waitForFunction(() => document.querySelector("#endpoint-preview").textContent.includes("1 tool selected"));
  seen.preview = await page.textContent("#endpoint-preview");
  await page.click("#create-endpoint button[type=submit]");
  await page.waitForSelector('#secret [data-client="Cursor"]');
  await shot("02-endpoint-secret");
  await page.click('#secret [data-copy="Cursor"]');
  const cursor = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  const server = cursor.mcpServers["caravan-browser"];
  seen.snippetUrl = server.url;
  const firstAuth = server.headers.Authorization;
  seen.firstCall = await mcp(server.url, firstAuth, "console_echo", { text: "over mcp" });

  step("endpoints: disable and enable");
  await page.uncheck('[data-toggle="browser"]');
  await page.waitForSelector('[data-endpoint="browser"] .badge.off');
  seen.disabledCall = await mcp(server.url, firstAuth, "console_echo", { text: "while disabled" });
  await page.check('[data-toggle="browser"]');
  await page.waitForSelector('[data-endpoint="browser"] .badge.ok');

  step("endpoints: regenerate with confirmation");
  await page.click('[data-regenerate="browser"]');
  await page.waitForSelector("dialog[open]");
  await shot("03-regenerate-confirm");
  await page.click("#confirm-ok");
  await page.waitForFunction((old) => {
    const t = document.querySelector("#secret-token");
    return t && !old.endsWith(t.textContent);
  }, firstAuth);
  const newToken = await page.textContent("#secret-token");
  seen.oldSecretCall = await mcp(server.url, firstAuth, "console_echo", { text: "old" });
  seen.newSecretCall = await mcp(server.url, `Bearer ${newToken}`, "console_echo", { text: "new" });
  await shot("04-endpoints");

  step("route files: a broken file shows its line, live");
  await page.goto(base + "/#/routes");
  await page.waitForSelector('[data-file$="demo.yaml"][data-state="loaded"]');
  writeFileSync(join(routesDir, "broken.yaml"), "- route:\n    from:\n      uri: ai-tool:broken_one\n      steps:\n        - setBody: [unclosed\n");
  await page.waitForSelector('[data-file$="broken.yaml"][data-state="failed"] .problem', { timeout: 15000 });
  seen.brokenProblem = await page.textContent('[data-file$="broken.yaml"] .problem');
  await shot("05-route-files");

  step("workspaces: browse, upload, share, open the share");
  await page.goto(base + "/#/workspaces");
  await page.waitForSelector('[data-workspace="default"].on');
  await page.waitForSelector("#drop");
  await page.setInputFiles("#upload-input", { name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("uploaded from the console\n") });
  await page.waitForSelector('[data-entry="hello.txt"]', { timeout: 15000 });
  await page.click('[data-share="hello.txt"]');
  await page.waitForSelector("dialog[open]");
  await page.fill('dialog input[name="permission"]', "view");
  await page.click("#confirm-ok");
  await page.waitForSelector("#share-url");
  const shareUrl = await page.getAttribute("#share-url", "href");
  seen.shareUrlOrigin = new URL(shareUrl).origin;
  await page.waitForSelector("#shares tr td");
  await shot("06-workspaces");
  const sharePage = await context.newPage();
  const shared = await sharePage.goto(shareUrl);
  seen.sharedStatus = shared.status();
  seen.sharedBody = await shared.text();
  await sharePage.screenshot({ path: join(shots, "06b-share-opened.png") });
  await sharePage.close();
  await page.click("#shares [data-share-id] button.danger");
  await page.waitForFunction(() => !document.querySelector("#shares button.danger"));
  seen.revokedStatus = (await fetch(shareUrl)).status;

  step("upstreams: authorize an OAuth upstream with the button");
  await page.goto(base + "/#/upstreams");
  await page.waitForSelector('[data-upstream="demo"][data-state="needs-authorization"]', { timeout: 20000 });
  seen.upstreamBefore = await page.getAttribute('[data-upstream="demo"]', "data-state");
  seen.stateBadgeBefore = await page.textContent('[data-upstream="demo"] h2 .badge');
  seen.tokenBadgeBefore = await page.locator('[data-upstream="demo"] [data-token]').count();
  await shot("07-upstreams-needs-authorization");
  const [authTab] = await Promise.all([context.waitForEvent("page"), page.click('[data-authorize="demo"]')]);
  await authTab.waitForURL(/\/oauth\/callback|callback/, { timeout: 15000 });
  await authTab.waitForLoadState();
  seen.callbackPage = await authTab.textContent("body");
  await authTab.screenshot({ path: join(shots, "07b-oauth-callback.png") });
  await authTab.close();
  await page.waitForSelector('[data-upstream="demo"][data-state="online"]', { timeout: 20000 });
  seen.upstreamAfter = await page.getAttribute('[data-upstream="demo"]', "data-state");
  await page.waitForSelector('[data-upstream="demo"] [data-token]:has-text("token expires")');
  seen.tokenAfter = await page.textContent('[data-upstream="demo"] [data-token]');

  for (const [name, hash, ready] of [["07-upstreams", "#/upstreams", "#upstream-list"],
    ["08-jobs", "#/jobs", "#imports"]]) {
    step(`page ${hash}`);
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector(ready);
    await page.waitForTimeout(300);
    await shot(name);
  }

  step("page weight");
  for (const hash of ["#/catalogue", "#/endpoints", "#/routes", "#/workspaces", "#/upstreams", "#/jobs"]) {
    seen.pages[hash] = await weigh(hash);
  }
  writeFileSync(join(shots, "page-weights.json"), JSON.stringify(seen.pages, null, 2));

  step("sign out");
  await page.goto(base + "/#/catalogue");
  await page.waitForSelector("#catalogue-list");
  await page.click("#signout");
  await page.waitForSelector("#signin");
  seen.afterSignOut = (await page.evaluate(() => fetch("/admin/api/endpoints").then((r) => r.status)));
  seen.consoleErrors = consoleErrors;
  seen.tokenInUrl = seen.urls.some((u) => u.includes(adminToken) || u.includes(newToken) || u.includes(firstAuth.slice(7)));
  seen.urls = seen.urls.length;
  console.log(JSON.stringify(seen));
} catch (e) {
  console.error(`failed at ${seen.steps.at(-1)}: ${e?.stack ?? e}`);
  await shot("zz-failure").catch(() => {});
  process.exitCode = 1;
} finally {
  await context.close();
}
