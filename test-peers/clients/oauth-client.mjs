// The official TypeScript SDK client's own OAuth flow against a Caravan endpoint that takes access tokens: it meets
// the 401, reads the RFC 9728 metadata it points to, discovers the authorization server, gets a client_credentials
// token for the endpoint's resource (RFC 8707) and retries, as Claude's connectors, mcp-remote and the Inspector do.
// Usage: node oauth-client.mjs <url> <clientId> <clientSecret> <scope> <tool>
// Prints one JSON line: the URLs it fetched, the listed tool names and the call's result.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";

const [url, clientId, clientSecret, scope, tool] = process.argv.slice(2);
const fetched = [];
const recording = (input, init) => {
  fetched.push(`${init?.method ?? "GET"} ${input instanceof Request ? input.url : String(input)}`);
  return fetch(input, init);
};
const authProvider = new ClientCredentialsProvider({ clientId, clientSecret, scope });
const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider, fetch: recording });
const client = new Client({ name: "caravan-oauth-check", version: "1.0.0" });
const timer = setTimeout(() => { console.error("timed out"); process.exit(3); }, 20000);
try {
  await client.connect(transport);
  const listed = await client.listTools();
  const result = await client.callTool({ name: tool, arguments: {} });
  console.log(JSON.stringify({ fetched, tools: listed.tools.map((t) => t.name), result,
    scope: authProvider.tokens()?.scope ?? null }));
  await client.close();
} catch (e) {
  const token = authProvider.tokens()?.access_token;
  const claims = token ? Buffer.from(token.split(".")[1] ?? "", "base64url").toString() : "no token";
  console.error(`client failed: ${e?.message ?? e}\n${fetched.join("\n")}\ntoken claims: ${claims}`);
  process.exitCode = 2;
} finally {
  clearTimeout(timer);
}
