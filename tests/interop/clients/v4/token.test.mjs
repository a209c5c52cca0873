// Session-token interop between next-auth@4.24.15's `next-auth/jwt` (encode, decode, getToken)
// and the auth-runtime demo: the demo's cookie is a next-auth v4 token and the other way round.
//
// Environment (all required; the harness checks them all):
//   DEMO_URL         the demo's origin, e.g. http://127.0.0.1:4100 (auth routes at /api/auth)
//   NEXTAUTH_SECRET  the secret the demo was started with (encode/decode use it)
//   OIDC_ISSUER      the OpenID provider the demo was started with (not used by this file)
//
// Run: npm ci && DEMO_URL=… NEXTAUTH_SECRET=… OIDC_ISSUER=… node --test
//
// Every request here is plain fetch (no cookie jar, no redirects followed).
//
// getToken in 4.24.15 reads the session cookie from `req.cookies` only (an object, a Map, or
// something with getAll()), reassembling chunks; `req.headers.cookie` is not parsed. Without
// a cookie it falls back to `Authorization: Bearer <token>`.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  V4_JWE_HEADER,
  assertSessionCookie,
  assertSessionCookieCleared,
  config,
  cookieHeader,
  isDeletion,
  oneSetCookie,
  raw,
  setCookiesNamed,
  show,
} from '../lib/harness.mjs';

const cfg = config();
process.env.NEXTAUTH_URL = cfg.base;
const require = createRequire(import.meta.url);
const { decode, encode, getToken } = require('next-auth/jwt');

const { secret } = cfg;
/** next-auth v4's chunk size: 4096 − 163 characters. */
const CHUNK_SIZE = 3933;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Signs demo/demo in with plain fetch; returns the session cookie's Set-Cookie. */
async function demoSignIn() {
  const csrf = await raw(`${cfg.base}/csrf`);
  assert.equal(csrf.status, 200, show(csrf));
  const csrfCookie = oneSetCookie(csrf, CSRF_COOKIE);
  const res = await raw(`${cfg.base}/callback/credentials`, {
    cookie: cookieHeader({ [CSRF_COOKIE]: csrfCookie.value }),
    form: { csrfToken: csrf.json.csrfToken, username: 'demo', password: 'demo', json: 'true' },
  });
  assert.equal(res.status, 200, show(res));
  assert.deepEqual(res.json, { url: cfg.demoUrl });
  const cookie = oneSetCookie(res, SESSION_COOKIE);
  assertSessionCookie(cookie);
  return cookie;
}

/** GET /api/auth/session with a Cookie header. */
function session(cookie) {
  return raw(`${cfg.base}/session`, { cookie });
}

function assertUser(body, { name, email }) {
  assert.deepEqual(Object.keys(body), ['user', 'expires'], JSON.stringify(body).slice(0, 300));
  assert.equal(body.user.name, name);
  assert.equal(body.user.email, email);
}

/** The session token the demo re-issued in `ex`, chunks reassembled in suffix order. */
function reissuedToken(ex) {
  const live = ex.setCookies.filter((c) => c.name.startsWith(SESSION_COOKIE) && !isDeletion(c));
  const suffix = (c) => (c.name === SESSION_COOKIE ? -1 : Number(c.name.split('.').pop()));
  return live
    .sort((a, b) => suffix(a) - suffix(b))
    .map((c) => c.value)
    .join('');
}

test('the session cookie the demo issues decodes with next-auth/jwt decode()', async () => {
  const cookie = await demoSignIn();
  const payload = await decode({ token: cookie.value, secret });
  assert.ok(payload, 'decode() returned a payload');
  assert.equal(payload.name, 'Demo User');
  assert.equal(payload.email, 'demo@example.com');
  assert.equal(payload.sub, '1');
  assert.equal(typeof payload.iat, 'number');
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 120, `iat ≈ now: ${payload.iat}`);
  assert.equal(payload.exp, payload.iat + 30 * 86400, 'exp = iat + maxAge (30 days)');
  assert.match(payload.jti, UUID_V4);
  assert.equal(Date.parse(cookie.attributes.expires) / 1000, payload.exp, 'cookie Expires = exp');

  // A wrong secret does not decode it.
  await assert.rejects(decode({ token: cookie.value, secret: `${secret}-other` }));
});

test('getToken() reads the cookie the demo set (req.cookies, or a Bearer header)', async () => {
  const cookie = await demoSignIn();
  const req = {
    headers: { cookie: cookieHeader({ [SESSION_COOKIE]: cookie.value }) },
    cookies: { [SESSION_COOKIE]: cookie.value },
  };
  const token = await getToken({ req, secret });
  assert.ok(token, 'getToken() read the demo cookie');
  assert.equal(token.sub, '1');
  assert.equal(token.name, 'Demo User');
  assert.equal(token.email, 'demo@example.com');
  assert.equal(await getToken({ req, secret, raw: true }), cookie.value);

  const bearer = await getToken({ req: { headers: { authorization: `Bearer ${cookie.value}` } }, secret });
  assert.equal(bearer?.sub, '1');
});

test('a token minted by next-auth/jwt encode() is a session for /api/auth/session and /me', async () => {
  const token = await encode({
    token: { name: 'Node User', email: 'node@example.com', sub: '42' },
    secret,
  });
  assert.ok(token.startsWith(`${V4_JWE_HEADER}..`));
  const cookie = cookieHeader({ [SESSION_COOKIE]: token });

  const ex = await session(cookie);
  assert.equal(ex.status, 200, show(ex));
  assertUser(ex.json, { name: 'Node User', email: 'node@example.com' });
  // The re-issued cookie is again a next-auth token with the same claims and a new jti.
  const reissued = oneSetCookie(ex, SESSION_COOKIE);
  assertSessionCookie(reissued);
  const before = await decode({ token, secret });
  const after = await decode({ token: reissued.value, secret });
  assert.equal(after.sub, '42');
  assert.equal(after.name, 'Node User');
  assert.equal(after.email, 'node@example.com');
  assert.notEqual(after.jti, before.jti, 'a new jti on every encode');
  assert.match(after.jti, UUID_V4);

  const me = await raw(`${cfg.demoUrl}/me`, { cookie });
  assert.equal(me.status, 200, show(me));
  assert.match(me.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(me.json.id, '42');
  assert.equal(me.json.name, 'Node User');
  assert.equal(me.json.email, 'node@example.com');
  // The demo's typed claim is `#[serde(default)]`: a token minted elsewhere has provider ""
  // and, without a `roles` claim, no role.
  assert.equal(me.json.provider, '');
  assert.deepEqual(me.json.roles, []);
});

test('a token the demo cannot accept is no session: {} and the cookie cleared', async () => {
  const claims = { name: 'Node User', email: 'node@example.com', sub: '42' };
  const wrongSecret = await encode({ token: claims, secret: `${secret}-other` });
  const expired = await encode({ token: claims, secret, maxAge: -60 });
  const valid = await encode({ token: claims, secret });
  const tampered = valid.slice(0, -6) + (valid.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');

  for (const [what, token] of [
    ['another secret', wrongSecret],
    ['expired beyond the 15 s tolerance', expired],
    ['a tampered tag', tampered],
    ['not a JWE', 'not-a-token'],
  ]) {
    const cookie = cookieHeader({ [SESSION_COOKIE]: token });
    const ex = await session(cookie);
    assert.equal(ex.status, 200, `${what}: ${show(ex)}`);
    assert.equal(ex.text, '{}', what);
    assertSessionCookieCleared(ex);
    const me = await raw(`${cfg.demoUrl}/me`, { cookie });
    assert.equal(me.status, 401, `${what}: ${show(me)}`);
  }
});

test('exp within the 15 s clock tolerance is still a session (as next-auth decode())', async () => {
  const token = await encode({
    token: { name: 'Node User', email: 'node@example.com', sub: '42' },
    secret,
    maxAge: -5,
  });
  assert.ok(await decode({ token, secret }), 'next-auth itself accepts it');
  const ex = await session(cookieHeader({ [SESSION_COOKIE]: token }));
  assert.equal(ex.status, 200, show(ex));
  assertUser(ex.json, { name: 'Node User', email: 'node@example.com' });
});

// Chunked cookies. The demo's own sign-in token is far below 3933 characters, so it never
// chunks by itself; a token minted in Node with a 4,500-character name makes the demo re-issue
// one above the limit, which it must split as next-auth does.
const bigName = 'N'.repeat(4500);
const bigClaims = { name: bigName, email: 'big@example.com', sub: '44' };

test('chunked: the demo reassembles .0/.1 chunks (in any order) and re-issues chunks', async () => {
  const token = await encode({ token: bigClaims, secret });
  assert.ok(token.length > CHUNK_SIZE && token.length <= 2 * CHUNK_SIZE, `two chunks: ${token.length}`);
  // Sent out of order: the reader sorts by the numeric suffix.
  const cookie = cookieHeader({
    [`${SESSION_COOKIE}.1`]: token.slice(CHUNK_SIZE),
    [`${SESSION_COOKIE}.0`]: token.slice(0, CHUNK_SIZE),
  });
  const ex = await session(cookie);
  assert.equal(ex.status, 200, show(ex));
  assertUser(ex.json, { name: bigName, email: 'big@example.com' });

  const chunks = ex.setCookies.filter((c) => c.name.startsWith(SESSION_COOKIE));
  assert.deepEqual(
    chunks.map((c) => c.name),
    [`${SESSION_COOKIE}.0`, `${SESSION_COOKIE}.1`],
    JSON.stringify(chunks.map((c) => c.line.slice(0, 60))),
  );
  assert.equal(chunks[0].value.length, CHUNK_SIZE, 'the first chunk is exactly 3933 characters');
  assert.ok(chunks[1].value.length > 0 && chunks[1].value.length <= CHUNK_SIZE);
  for (const chunk of chunks) assertSessionCookie({ ...chunk, value: reissuedToken(ex) });
  const payload = await decode({ token: reissuedToken(ex), secret });
  assert.equal(payload.name, bigName);
  assert.equal(payload.sub, '44');

  // getToken reassembles the demo's chunks from req.cookies.
  const cookies = Object.fromEntries(chunks.map((c) => [c.name, c.value]));
  const read = await getToken({ req: { headers: {}, cookies }, secret });
  assert.equal(read?.sub, '44');
  assert.equal(read?.name, bigName);

  const me = await raw(`${cfg.demoUrl}/me`, { cookie: cookieHeader(cookies) });
  assert.equal(me.status, 200, show(me));
  assert.equal(me.json.id, '44');
});

test('chunked: an unchunked cookie that outgrows the limit becomes chunks, the old name cleared', async () => {
  const token = await encode({ token: bigClaims, secret });
  const ex = await session(cookieHeader({ [SESSION_COOKIE]: token }));
  assert.equal(ex.status, 200, show(ex));
  assertUser(ex.json, { name: bigName, email: 'big@example.com' });
  assertSessionCookieCleared(ex, SESSION_COOKIE);
  assert.equal(setCookiesNamed(ex, `${SESSION_COOKIE}.0`).length, 1, show(ex));
  assert.equal(setCookiesNamed(ex, `${SESSION_COOKIE}.1`).length, 1, show(ex));
  assert.equal((await decode({ token: reissuedToken(ex), secret })).sub, '44');
});

test('chunked: a small token sent as chunks is re-issued whole, the stale chunks cleared', async () => {
  const token = await encode({
    token: { name: 'Node User', email: 'node@example.com', sub: '42' },
    secret,
  });
  const half = Math.floor(token.length / 2);
  const ex = await session(
    cookieHeader({
      [`${SESSION_COOKIE}.0`]: token.slice(0, half),
      [`${SESSION_COOKIE}.1`]: token.slice(half),
    }),
  );
  assert.equal(ex.status, 200, show(ex));
  assertUser(ex.json, { name: 'Node User', email: 'node@example.com' });
  assertSessionCookieCleared(ex, `${SESSION_COOKIE}.0`);
  assertSessionCookieCleared(ex, `${SESSION_COOKIE}.1`);
  const whole = oneSetCookie(ex, SESSION_COOKIE);
  assertSessionCookie(whole);
  assert.equal((await decode({ token: whole.value, secret })).sub, '42');
});
