// What the Auth.js v5 client suite (v5/) adds to harness.mjs: the environment of a server that
// writes Auth.js v5 cookies, v5's cookie names and the shape of v5's session cookie.
//
// Like harness.mjs it uses nothing but Node 20's built-ins.

import assert from 'node:assert/strict';

import { isDeletion } from './harness.mjs';

/** Auth.js v5's cookie names on http (`__Secure-`/`__Host-` prefixed on https). */
export const SESSION_COOKIE = 'authjs.session-token';
export const CSRF_COOKIE = 'authjs.csrf-token';
export const CALLBACK_COOKIE = 'authjs.callback-url';
/** next-auth v4's session cookie, which a server migrating to v5 still reads. */
export const V4_SESSION_COOKIE = 'next-auth.session-token';

/** Auth.js v5's longest session cookie value before it is chunked (4096 − 160). */
export const CHUNK_SIZE = 3936;

/**
 * The environment of the v5 suite: DEMO_URL (the server's origin), AUTH_SECRET (its secret,
 * for the CSRF cookie's hash and to open session tokens) and AUTH_URL (its auth routes'
 * URL; `$DEMO_URL/api/auth` when unset). Fails with one message naming every missing one.
 */
export function configV5() {
  const missing = ['DEMO_URL', 'AUTH_SECRET'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `missing environment: ${missing.join(', ')}. Run through \`cargo test --test ` +
        'authjs_client`, which starts a server writing Auth.js v5 cookies, or start one with ' +
        'AUTH_SECRET and AUTH_URL set and run DEMO_URL=http://127.0.0.1:$PORT AUTH_SECRET=… ' +
        'AUTH_URL=… node --test',
    );
  }
  const demoUrl = new URL(process.env.DEMO_URL).origin;
  const base = (process.env.AUTH_URL ?? `${demoUrl}/api/auth`).replace(/\/$/, '');
  assert.equal(new URL(base).origin, demoUrl, 'AUTH_URL is on DEMO_URL');
  return { demoUrl, base, basePath: new URL(base).pathname, secret: process.env.AUTH_SECRET };
}

/** The decoded protected header of a compact JWE. */
export function jweHeader(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/**
 * A session token as `@auth/core` seals it: a compact JWE `dir` + `A256CBC-HS512` whose `kid`
 * is the SHA-512 JWK thumbprint of the key (86 base64url characters). Returns the header.
 */
export function assertAuthjsToken(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 5, `not a compact JWE: ${token.slice(0, 80)}…`);
  assert.equal(parts[1], '', 'a dir JWE has an empty encrypted key');
  const header = jweHeader(token);
  assert.deepEqual(Object.keys(header).sort(), ['alg', 'enc', 'kid'], JSON.stringify(header));
  assert.equal(header.alg, 'dir');
  assert.equal(header.enc, 'A256CBC-HS512');
  assert.match(header.kid, /^[A-Za-z0-9_-]{86}$/, 'kid: a SHA-512 thumbprint');
  return header;
}

/**
 * A session cookie as Auth.js v5 writes it on http: the token above, `Path=/; HttpOnly;
 * SameSite=Lax`, an `Expires` about `maxAgeDays` ahead, no `Secure`.
 */
export function assertAuthjsSessionCookie(cookie, { maxAgeDays = 30 } = {}) {
  assert.equal(cookie.name, SESSION_COOKIE, cookie.line);
  assertAuthjsToken(cookie.value);
  assert.equal(cookie.attributes.path, '/', cookie.line);
  assert.equal(cookie.attributes.httponly, true, cookie.line);
  assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax', cookie.line);
  assert.equal(cookie.attributes.secure, undefined, `no Secure on http: ${cookie.line}`);
  const expires = Date.parse(cookie.attributes.expires);
  assert.ok(Number.isFinite(expires), `Expires is set: ${cookie.line}`);
  const expected = Date.now() + maxAgeDays * 86400_000;
  assert.ok(Math.abs(expires - expected) < 120_000, `Expires ≈ now + ${maxAgeDays} days: ${cookie.line}`);
}

/**
 * Every cookie an exchange sets (not clears) is one of Auth.js v5's, without a `__Secure-` or
 * `__Host-` prefix (the server is on http).
 */
export function assertOnlyAuthjsCookies(exchange) {
  for (const cookie of exchange.setCookies.filter((c) => !isDeletion(c))) {
    assert.ok(
      cookie.name.startsWith('authjs.'),
      `${exchange.method} ${exchange.url} set a cookie that is not Auth.js v5's: ${cookie.line}`,
    );
  }
}
