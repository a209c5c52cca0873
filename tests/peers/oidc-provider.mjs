// A real OpenID provider (oidc-provider 9) for the integration tests, on 127.0.0.1 only.
//
// Prints exactly one `READY <issuer>` line on stdout once it listens; everything else it
// says goes to stderr, apart from oidc-provider's own `NOTICE` lines (console.info).
// Any login with any password is accepted (dev interactions); it becomes `sub`.
// Consent is granted without asking. Keys are generated at start-up: nothing secret is
// stored in the repository, and nothing secret is printed.
//
// Environment:
//   OIDC_PORT                 port to listen on; 0 (default) picks a free one
//   OIDC_REDIRECT_URIS        comma-separated redirect_uris of both clients
//                             (default http://127.0.0.1:3000/api/auth/callback/oidc)
//   OIDC_BASIC_CLIENT_ID      default basic-client (client_secret_basic)
//   OIDC_BASIC_CLIENT_SECRET  default basic-secret
//   OIDC_POST_CLIENT_ID       default post-client (client_secret_post)
//   OIDC_POST_CLIENT_SECRET   default post-secret
//   OIDC_EXIT_ON_STDIN_EOF    when 1, exit as soon as stdin closes, so that a test process
//                             that dies without killing us does not leave us behind
//   OIDC_ACCESS_TOKEN_TTL     access token lifetime in seconds (default 3600)
//
// Refresh tokens: a client asking for `offline_access` with `prompt=consent` gets one, and
// every refresh rotates it; presenting a spent one revokes the whole grant, as providers that
// rotate do. `GET /__refreshes` answers `{"succeeded":n,"failed":m}`: the refresh_token grants
// this provider has answered since it started (what the refresh tests count).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';

import { Provider } from 'oidc-provider';

const env = (name, fallback) => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
};

const port = Number.parseInt(env('OIDC_PORT', '0'), 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`oidc-provider.mjs: OIDC_PORT must be a port number, got ${process.env.OIDC_PORT}`);
  process.exit(2);
}

const redirectUris = env('OIDC_REDIRECT_URIS', 'http://127.0.0.1:3000/api/auth/callback/oidc')
  .split(',')
  .map((uri) => uri.trim())
  .filter((uri) => uri !== '');

const clientDefaults = {
  redirect_uris: redirectUris,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  id_token_signed_response_alg: 'RS256',
};

const clients = [
  {
    ...clientDefaults,
    client_id: env('OIDC_BASIC_CLIENT_ID', 'basic-client'),
    client_secret: env('OIDC_BASIC_CLIENT_SECRET', 'basic-secret'),
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...clientDefaults,
    client_id: env('OIDC_POST_CLIENT_ID', 'post-client'),
    client_secret: env('OIDC_POST_CLIENT_SECRET', 'post-secret'),
    token_endpoint_auth_method: 'client_secret_post',
  },
];

// One RSA signing key per run, exported as a private JWK (oidc-provider wants private keys).
// Start-up stages go to stderr with their times, for a harness that reports a slow start.
const started = Date.now();
const stage = (what) => console.error(`oidc-provider.mjs: ${what} after ${Date.now() - started} ms`);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
stage('signing key generated');
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  use: 'sig',
  alg: 'RS256',
};

// The account of whoever typed `<login>` into the dev login form.
async function findAccount(ctx, id) {
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        email: `${id}@example.com`,
        email_verified: true,
        name: `User ${id}`,
        preferred_username: id,
      };
    },
  };
}

// Consent auto-granted: extend (or create) this client's grant with every OpenID scope and
// claim the request asks for and save it, so the consent prompt never has anything missing.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const { Grant } = oidc.provider;
  const accountId = oidc.account.accountId;
  const clientId = oidc.client.clientId;

  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(clientId);
  let grant = grantId ? await Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== accountId) {
    grant = new Grant({ accountId, clientId });
  }

  const scopes = [...oidc.requestParamOIDCScopes];
  if (scopes.length) {
    grant.addOIDCScope(scopes.join(' '));
  }
  const claims = [...oidc.requestParamClaims];
  if (claims.length) {
    grant.addOIDCClaims(claims);
  }
  await grant.save();
  return grant;
}

// The issuer carries the real port, known only once listening when OIDC_PORT=0: listen
// first with a plain HTTP server, then build the provider (a Koa app) and route to it.
let handle = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const refreshes = { succeeded: 0, failed: 0 };
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__refreshes') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(refreshes));
    return;
  }
  handle(req, res);
});
server.on('error', (err) => {
  console.error(`oidc-provider.mjs: cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});
// Until it listens, a heartbeat on stderr every 5 s: a stalled start then shows whether the
// event loop still ran (heartbeats, no `listening`) or the whole process stood still (none).
const heartbeat = setInterval(() => stage('still waiting for the listening socket'), 5000);
server.listen(port, '127.0.0.1', () => {
  clearInterval(heartbeat);
  stage('listening');
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    findAccount,
    loadExistingGrant,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    // Put the scope-requested claims in the id_token too, not only at userinfo, as most
    // providers that NextAuth talks to do.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [signingKey] },
    features: {
      devInteractions: { enabled: true },
      userinfo: { enabled: true },
    },
    ttl: {
      AccessToken: Number.parseInt(env('OIDC_ACCESS_TOKEN_TTL', '3600'), 10),
    },
    rotateRefreshToken: true,
    // PKCE: oidc-provider 9's default `pkce.required` demands it of public clients only, so
    // these confidential clients may omit it, and a challenge they send is always enforced.
    // RFC 9207 `iss` on the authorization response is always on in v9 (there is no switch).
  });
  const isRefresh = (ctx) => ctx.oidc?.params?.grant_type === 'refresh_token';
  provider.on('grant.success', (ctx) => {
    if (isRefresh(ctx)) refreshes.succeeded += 1;
  });
  provider.on('grant.error', (ctx) => {
    if (isRefresh(ctx)) refreshes.failed += 1;
  });
  handle = provider.callback();
  process.stdout.write(`READY ${issuer}\n`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
if (process.env.OIDC_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
stage('script evaluated');
