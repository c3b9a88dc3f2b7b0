// Drives Caravan with the TypeScript SDK v2 client (@modelcontextprotocol/client), in either protocol era.
// Usage: node sdk2-client.mjs <modern|legacy> <url> <token> <echoTool> <askTool> <slowTool> [rootsTool]
//   modern: pinned to 2026-07-28 (stateless; asks come back as input_required rounds the client answers)
//   legacy: the client's default, the 2025 initialize handshake and a session
// Calls <echoTool> {text:"hello"}, then <askTool> (answering its elicitation with {name:"Ada"}), then <rootsTool>
// (the client's one root is file:///work/site), then <slowTool>
// {tag:<era>}, aborting that call after 400 ms, then <slowTool> {tag:<era>-control} to the end. Prints one JSON
// line with what it saw.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const [era, url, token, echoTool, askTool, slowTool, rootsTool] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client(
  { name: "caravan-sdk2-check", version: "1.0.0" },
  {
    capabilities: { elicitation: { form: {} }, roots: {} },
    ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}),
  },
);
const asked = [];
client.setRequestHandler("elicitation/create", async (request) => {
  asked.push(request.params.message);
  return { action: "accept", content: { name: "Ada" } };
});
client.setRequestHandler("roots/list", async () => ({ roots: [{ uri: "file:///work/site", name: "site" }] }));
const timer = setTimeout(() => { console.error("timed out"); process.exit(3); }, 40000);
try {
  await client.connect(transport);
  const listed = await client.listTools();
  const echo = await client.callTool({ name: echoTool, arguments: { text: "hello" } });
  const ask = await client.callTool({ name: askTool, arguments: {} });
  const roots = rootsTool ? await client.callTool({ name: rootsTool, arguments: {} }) : null;
  const abort = new AbortController();
  setTimeout(() => abort.abort(new Error("caller gave up")), 400);
  let cancelled;
  try {
    const late = await client.callTool({ name: slowTool, arguments: { tag: era } }, { signal: abort.signal });
    cancelled = { finished: late };
  } catch (e) {
    cancelled = { rejected: String(e?.message ?? e) };
  }
  // The same call again, uncancelled and started later: once it is done, the cancelled one's wait is over too.
  const control = await client.callTool({ name: slowTool, arguments: { tag: `${era}-control` } });
  console.log(JSON.stringify({
    protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
    era: client.getProtocolEra() ?? null,
    server: client.getServerVersion() ?? null,
    tools: listed.tools.map((t) => t.name).sort(),
    echo,
    ask,
    asked,
    roots,
    cancelled,
    control,
  }));
  await client.close();
} catch (e) {
  console.error(`client failed: ${e?.message ?? e}`);
  process.exitCode = 2;
} finally {
  clearTimeout(timer);
}
