// A real OAuth 2.1 / OpenID authorization server for Caravan's resource-server tests: oidc-provider on loopback
// with client_credentials clients and RFC 8707 resource indicators, so that it issues JWT access tokens whose
// audience is the Caravan endpoint named in `resource`. Each run makes a fresh RSA key (two runs = two issuers
// with different keys). Opaque tokens (for RFC 7662 introspection) when TOKEN_FORMAT=opaque.
//   ISSUER_PORT=9400 node oauth-issuer.mjs
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.ISSUER_PORT || 9400);
const issuer = `http://127.0.0.1:${port}`;
const format = process.env.TOKEN_FORMAT === 'opaque' ? 'opaque' : 'jwt';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: `key-${port}-${Date.now()}`, use: 'sig', alg: 'RS256' };

const client = (id, scope) => ({
  client_id: id, client_secret: `${id}-secret`, grant_types: ['client_credentials'],
  redirect_uris: [], response_types: [], ...(scope ? { scope } : {}),
});

const provider = new Provider(issuer, {
  jwks: { keys: [key] },
  scopes: ['mcp:read', 'mcp:write', 'other'],
  clients: [
    client('writer', 'mcp:read mcp:write'),
    client('reader', 'mcp:read'),
    client('outsider', 'other'),
    client('brief', 'mcp:read mcp:write'), // its tokens live one second
    client('short', 'mcp:read mcp:write'), // its tokens live four seconds
    client('caravan'), // Caravan itself, for introspection
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, c) => ({
        scope: 'mcp:read mcp:write other',
        audience: resource,
        accessTokenTTL: { brief: 1, short: 4 }[c.clientId] ?? 600,
        accessTokenFormat: format,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
// Introspection answers only for tokens that Caravan (or the token's own client) asks about.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

http.createServer(provider.callback()).listen(port, '127.0.0.1', () => console.log(`issuer ${issuer} (${format})`));
