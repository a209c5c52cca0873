// The real next-auth@3.29.10 client (`next-auth/client`) against the auth-runtime demo.
//
// Environment (all required):
//   DEMO_URL         the demo's origin, e.g. http://127.0.0.1:4100 (auth routes at /api/auth)
//   NEXTAUTH_SECRET  the secret the demo was started with (checks the CSRF cookie's hash)
//   OIDC_ISSUER      the OpenID provider (tests/peers/oidc-provider.mjs) the demo's `oidc`
//                    provider points at, its client basic-client/basic-secret registered with
//                    redirect URI $DEMO_URL/api/auth/callback/oidc
//
// Run: npm ci && DEMO_URL=… NEXTAUTH_SECRET=… OIDC_ISSUER=… node --test
//
// The client swallows every error into `null`, so each check also asserts the raw HTTP answer
// to the client's own request (status, body, Set-Cookie), taken from the browser-like fetch
// the harness installs in `globalThis.fetch`.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { beforeEach, test } from 'node:test';

import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  assertAuthorizationUrl,
  assertCsrfCookie,
  assertProviders,
  assertSessionCookie,
  assertSessionCookieCleared,
  config,
  installBrowserFetch,
  loginAtProvider,
  oneSetCookie,
  raw,
  setCookiesNamed,
  show,
  withWindow,
} from '../lib/harness.mjs';

const cfg = config();
// The client reads NEXTAUTH_URL once, when it is required: set it first.
process.env.NEXTAUTH_URL = cfg.base;
const browser = installBrowserFetch();
const require = createRequire(import.meta.url);
const { getProviders, getCsrfToken, getSession, signIn, signOut } = require('next-auth/client');

const callbackUrl = `${cfg.demoUrl}/dashboard`;
const demoUser = { name: 'Demo User', email: 'demo@example.com', image: null };

beforeEach(() => browser.reset());

/** Signs demo/demo in through the client; returns the session cookie's value. */
async function signInDemo() {
  const result = await signIn('credentials', {
    redirect: false,
    username: 'demo',
    password: 'demo',
    callbackUrl,
  });
  assert.deepEqual(result, { error: null, status: 200, ok: true, url: callbackUrl });
  const token = browser.jar.get(cfg.demoUrl, SESSION_COOKIE);
  assert.ok(token, 'the sign-in left a session cookie in the jar');
  return token;
}

function assertSessionBody(body, user) {
  assert.deepEqual(Object.keys(body), ['user', 'expires'], JSON.stringify(body));
  assert.deepEqual(body.user, user);
  const expires = Date.parse(body.expires);
  assert.equal(new Date(expires).toISOString(), body.expires, 'expires is an ISO string');
  assert.ok(Math.abs(expires - (Date.now() + 30 * 86400_000)) < 120_000, 'expires ≈ now + 30 days');
}

test('getProviders() lists credentials and oidc with absolute URLs', async () => {
  const providers = await getProviders();
  const ex = browser.last('/api/auth/providers', 'GET');
  assert.equal(ex.url, `${cfg.base}/providers`);
  assert.equal(ex.status, 200, show(ex));
  assert.match(ex.headers.get('content-type') ?? '', /^application\/json/);
  assertProviders(ex.json, cfg);
  assert.deepEqual(providers, ex.json);

  const plain = await raw(`${cfg.base}/providers`);
  assert.equal(plain.status, 200, show(plain));
  assert.equal(plain.text, ex.text, 'the same answer to a plain GET');
});

test('getCsrfToken() returns 64 hex and sets the double-submit cookie', async () => {
  const token = await getCsrfToken();
  assert.match(token ?? '', /^[0-9a-f]{64}$/);
  const ex = browser.last('/api/auth/csrf', 'GET');
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { csrfToken: token });
  assertCsrfCookie(oneSetCookie(ex, CSRF_COOKIE), cfg.secret, token);
  // First visit: the callback-url cookie is set to the site's base URL.
  const callback = oneSetCookie(ex, 'next-auth.callback-url');
  assert.equal(decodeURIComponent(callback.value), cfg.demoUrl, callback.line);

  // With the cookie, the same token comes back and no new CSRF cookie is set.
  assert.equal(await getCsrfToken(), token);
  const again = browser.last('/api/auth/csrf', 'GET');
  assert.equal(again.requestHeaders.cookie?.includes(`${CSRF_COOKIE}=`), true);
  assert.deepEqual(setCookiesNamed(again, CSRF_COOKIE), [], 'no new CSRF cookie when it is valid');
});

test('getSession() without a cookie is null (raw: 200 {})', async () => {
  assert.equal(await getSession(), null);
  const ex = browser.last('/api/auth/session', 'GET');
  assert.equal(ex.requestHeaders.cookie, undefined);
  assert.equal(ex.status, 200, show(ex));
  assert.equal(ex.text, '{}');
  assert.deepEqual(setCookiesNamed(ex, SESSION_COOKIE), []);

  const plain = await raw(`${cfg.base}/session`);
  assert.equal(plain.status, 200, show(plain));
  assert.equal(plain.text, '{}');
});

test("signIn('credentials', {redirect: false}) signs in; getSession() sees Demo User", async () => {
  await signInDemo();
  const ex = browser.last('/api/auth/callback/credentials', 'POST');
  // v3 always appends `?` and the authorization params, even when there are none.
  assert.equal(ex.url, `${cfg.base}/callback/credentials?`);
  assert.equal(ex.requestHeaders['content-type'], 'application/x-www-form-urlencoded');
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual(
    [...sent.keys()],
    ['redirect', 'username', 'password', 'callbackUrl', 'csrfToken', 'json'],
    ex.requestBody,
  );
  assert.equal(sent.get('json'), 'true');
  assert.match(sent.get('csrfToken'), /^[0-9a-f]{64}$/);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: callbackUrl });
  assertSessionCookie(oneSetCookie(ex, SESSION_COOKIE));

  const session = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.status, 200, show(got));
  assertSessionBody(got.json, demoUser);
  // The JWT session is re-issued on every /session call.
  assertSessionCookie(oneSetCookie(got, SESSION_COOKIE));
  assert.deepEqual(session, got.json);
});

test('getSession({req: {headers: {cookie}}}) forwards only that cookie and sees Demo User', async () => {
  const token = await signInDemo();
  browser.jar.clear();
  const cookie = `${SESSION_COOKIE}=${token}`;
  const session = await getSession({ req: { headers: { cookie } } });
  const ex = browser.last('/api/auth/session', 'GET');
  assert.equal(ex.requestHeaders.cookie, cookie, 'the client sends exactly the given cookie header');
  assert.equal(ex.status, 200, show(ex));
  assertSessionBody(ex.json, demoUser);
  assert.deepEqual(session, ex.json);
});

test("signIn('credentials') with a wrong password: {error: 'CredentialsSignin', status: 401}", async () => {
  const result = await signIn('credentials', {
    redirect: false,
    username: 'demo',
    password: 'wrong',
    callbackUrl,
  });
  const ex = browser.last('/api/auth/callback/credentials', 'POST');
  assert.equal(ex.status, 401, show(ex));
  assert.deepEqual(ex.json, { url: `${cfg.base}/error?error=CredentialsSignin&provider=credentials` });
  assert.deepEqual(setCookiesNamed(ex, SESSION_COOKIE), [], 'no session cookie on failure');
  // v3 returns the same shape as v4: url is null when there is an error.
  assert.deepEqual(result, { error: 'CredentialsSignin', status: 401, ok: false, url: null });
  assert.equal(await getSession(), null);
});

test("signIn('oidc', {redirect: false}) navigates to the provider; the round trip signs in", async () => {
  // v3 navigates for OAuth providers whatever `redirect` says (window.location.replace) and
  // returns undefined; in a browser it uses the relative base path, resolved against the page.
  const page = `${cfg.demoUrl}/`;
  const { result, navigations } = await withWindow(page, () =>
    signIn('oidc', { redirect: false, callbackUrl }),
  );
  assert.equal(result, undefined);
  const ex = browser.last('/api/auth/signin/oidc', 'POST');
  assert.equal(ex.url, `${cfg.base}/signin/oidc?`);
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual([...sent.keys()], ['redirect', 'callbackUrl', 'csrfToken', 'json'], ex.requestBody);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(Object.keys(ex.json), ['url']);
  assertAuthorizationUrl(ex.json.url, cfg);
  assert.deepEqual(navigations, [{ how: 'replace', url: ex.json.url }]);

  // Finish the flow as the browser would: log in at the provider, come back to the callback.
  const back = await loginAtProvider(ex.json.url, 'alice', browser.jar, cfg);
  const res = await fetch(back, { redirect: 'manual' });
  const callback = browser.last('/api/auth/callback/oidc', 'GET');
  assert.equal(res.status, 302, show(callback));
  assert.equal(res.headers.get('location'), callbackUrl);
  assertSessionCookie(oneSetCookie(callback, SESSION_COOKIE));

  const session = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.status, 200, show(got));
  assertSessionBody(got.json, { name: 'User alice', email: 'alice@example.com', image: null });
  assert.deepEqual(session, got.json);
});

test("signIn('oidc', options, authorizationParams) passes the params to the provider", async () => {
  const { result, navigations } = await withWindow(`${cfg.demoUrl}/`, () =>
    signIn('oidc', { redirect: false, callbackUrl }, { login_hint: 'carol' }),
  );
  assert.equal(result, undefined);
  const ex = browser.last('/api/auth/signin/oidc', 'POST');
  assert.equal(ex.url, `${cfg.base}/signin/oidc?login_hint=carol`);
  assert.equal(ex.status, 200, show(ex));
  const auth = assertAuthorizationUrl(ex.json.url, cfg);
  assert.equal(auth.searchParams.get('login_hint'), 'carol', ex.json.url);
  assert.deepEqual(navigations, [{ how: 'replace', url: ex.json.url }]);
});

test('callbackUrl goes through the default redirect callback (relative → site, foreign → site)', async () => {
  for (const [given, expected] of [
    ['/dashboard?tab=1', `${cfg.demoUrl}/dashboard?tab=1`],
    ['https://evil.example/steal', cfg.demoUrl],
  ]) {
    browser.reset();
    const result = await signIn('credentials', {
      redirect: false,
      username: 'demo',
      password: 'demo',
      callbackUrl: given,
    });
    const ex = browser.last('/api/auth/callback/credentials', 'POST');
    assert.equal(ex.status, 200, show(ex));
    assert.deepEqual(ex.json, { url: expected }, given);
    // The validated value is what the callback-url cookie holds (set when it changes).
    const stored = browser.jar.get(cfg.demoUrl, 'next-auth.callback-url');
    assert.equal(decodeURIComponent(stored ?? ''), expected, show(ex));
    assert.deepEqual(result, { error: null, status: 200, ok: true, url: expected });

    const data = await signOut({ redirect: false, callbackUrl: given });
    assert.deepEqual(data, { url: expected }, `signOut with ${given}`);
  }
});

test('signOut({redirect: false}) clears the session', async () => {
  await signInDemo();
  const data = await signOut({ redirect: false, callbackUrl });
  const ex = browser.last('/api/auth/signout', 'POST');
  assert.equal(ex.url, `${cfg.base}/signout`);
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual([...sent.keys()], ['csrfToken', 'callbackUrl', 'json'], ex.requestBody);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: callbackUrl });
  assertSessionCookieCleared(ex);
  assert.deepEqual(data, { url: callbackUrl });

  assert.equal(browser.jar.get(cfg.demoUrl, SESSION_COOKIE), undefined);
  assert.equal(await getSession(), null);
  const after = browser.last('/api/auth/session', 'GET');
  assert.equal(after.status, 200, show(after));
  assert.equal(after.text, '{}');
});
