// Drives Caravan with the official TypeScript SDK client, as Claude Desktop, Cursor and the Inspector do.
// Usage: node sdk-client.mjs <streamable|sse> <url> <token> <tool> <argumentsJson>
// Prints one JSON line: the negotiated protocol version, the listed tool names and the call's result.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

const [kind, url, token, tool, argumentsJson] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const withAuth = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), ...headers } });

const transport = kind === "sse"
  ? new SSEClientTransport(new URL(url), { fetch: withAuth })
  : new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const client = new Client({ name: "caravan-sdk-check", version: "1.0.0" });
const timer = setTimeout(() => { console.error("timed out"); process.exit(3); }, 20000);
try {
  await client.connect(transport);
  const listed = await client.listTools();
  const result = await client.callTool({ name: tool, arguments: JSON.parse(argumentsJson) });
  console.log(JSON.stringify({
    protocolVersion: transport.protocolVersion ?? null,
    server: client.getServerVersion(),
    tools: listed.tools.map((t) => t.name),
    result,
  }));
  await client.close();
} catch (e) {
  console.error(`client failed: ${e?.message ?? e}`);
  process.exitCode = 2;
} finally {
  clearTimeout(timer);
}
