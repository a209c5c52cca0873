// The real next-auth@4.24.15 client (`next-auth/react`) against the auth-runtime demo.
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
//
// The session update path is the real `useSession().update`: <SessionProvider session={…}>
// rendered once with react-dom/server hands out the context value, whose `update(data)` runs
// outside React (its state setters are no-ops after a server render) and POSTs
// {csrfToken, data} as JSON to /session through next-auth's own `fetchData`. The requests
// `update` cannot make (no CSRF token, a wrong one) go through that same exported
// `fetchData` (`next-auth/client/_utils`).

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
const React = require('react');
const { renderToString } = require('react-dom/server');
const {
  SessionProvider,
  getCsrfToken,
  getProviders,
  getSession,
  signIn,
  signOut,
  useSession,
} = require('next-auth/react');
const { fetchData } = require('next-auth/client/_utils');

const callbackUrl = `${cfg.demoUrl}/dashboard`;

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

/**
 * A /session body: {user, expires}. The demo answers with NextAuth v3's REST shape, where a
 * missing image is `null`; a next-auth v4 server omits it. The v4 client passes either through.
 */
function assertSessionBody(body, { name, email }) {
  assert.deepEqual(Object.keys(body), ['user', 'expires'], JSON.stringify(body));
  const { image, ...rest } = body.user;
  assert.deepEqual(rest, { name, email });
  assert.ok(image === undefined || image === null, `no image: ${JSON.stringify(body.user)}`);
  const expires = Date.parse(body.expires);
  assert.equal(new Date(expires).toISOString(), body.expires, 'expires is an ISO string');
  assert.ok(Math.abs(expires - (Date.now() + 30 * 86400_000)) < 120_000, 'expires ≈ now + 30 days');
}

/** v4 answers GET /csrf and GET /session with these no-cache headers. */
function assertNoCache(ex) {
  assert.equal(ex.headers.get('cache-control'), 'private, no-cache, no-store', show(ex));
  assert.equal(ex.headers.get('pragma'), 'no-cache');
  assert.equal(ex.headers.get('expires'), '0');
}

/** The context value `useSession()` gives inside <SessionProvider session={session}>. */
function renderUseSession(session) {
  let value;
  function Capture() {
    value = useSession();
    return null;
  }
  renderToString(React.createElement(SessionProvider, { session }, React.createElement(Capture)));
  return value;
}

/** The client config `next-auth/react` builds from NEXTAUTH_URL (server side: absolute URLs). */
const clientConfig = {
  baseUrl: cfg.demoUrl,
  basePath: '/api/auth',
  baseUrlServer: cfg.demoUrl,
  basePathServer: '/api/auth',
  _lastSync: 0,
  _session: undefined,
  _getSession: () => {},
};

/** A logger for `fetchData` that keeps what the client would have logged. */
function recordingLogger() {
  const errors = [];
  return { errors, error: (code, meta) => errors.push({ code, meta }), warn() {}, debug() {} };
}

test('getProviders() lists credentials and oidc with absolute URLs', async () => {
  const providers = await getProviders();
  const ex = browser.last('/api/auth/providers', 'GET');
  assert.equal(ex.url, `${cfg.base}/providers`);
  assert.equal(ex.requestHeaders['content-type'], 'application/json');
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
  assertNoCache(ex);
  assert.deepEqual(ex.json, { csrfToken: token });
  assertCsrfCookie(oneSetCookie(ex, CSRF_COOKIE), cfg.secret, token);
  const callback = oneSetCookie(ex, 'next-auth.callback-url');
  assert.equal(decodeURIComponent(callback.value), cfg.demoUrl, callback.line);

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
  assertNoCache(ex);
  assert.deepEqual(setCookiesNamed(ex, SESSION_COOKIE), []);

  const plain = await raw(`${cfg.base}/session`);
  assert.equal(plain.status, 200, show(plain));
  assert.equal(plain.text, '{}');
});

test("signIn('credentials', {redirect: false}) signs in; getSession() sees Demo User", async () => {
  await signInDemo();
  const ex = browser.last('/api/auth/callback/credentials', 'POST');
  // v4 appends authorization params only when given: no trailing `?`.
  assert.equal(ex.url, `${cfg.base}/callback/credentials`);
  assert.equal(ex.requestHeaders['content-type'], 'application/x-www-form-urlencoded');
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual(
    [...sent.keys()],
    ['redirect', 'username', 'password', 'callbackUrl', 'csrfToken', 'json'],
    ex.requestBody,
  );
  assert.equal(sent.get('json'), 'true');
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: callbackUrl });
  assertSessionCookie(oneSetCookie(ex, SESSION_COOKIE));

  const session = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.status, 200, show(got));
  assertNoCache(got);
  assertSessionBody(got.json, { name: 'Demo User', email: 'demo@example.com' });
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
  assertSessionBody(ex.json, { name: 'Demo User', email: 'demo@example.com' });
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
  assert.deepEqual(result, { error: 'CredentialsSignin', status: 401, ok: false, url: null });
  assert.equal(await getSession(), null);
});

test("signIn('oidc', {redirect: false}) navigates to the provider; the round trip signs in", async () => {
  // v4 also navigates for OAuth providers whatever `redirect` says (window.location.href = url)
  // and returns undefined; in a browser it uses the relative base path.
  const page = `${cfg.demoUrl}/`;
  const { result, navigations } = await withWindow(page, () =>
    signIn('oidc', { redirect: false, callbackUrl }),
  );
  assert.equal(result, undefined);
  const ex = browser.last('/api/auth/signin/oidc', 'POST');
  assert.equal(ex.url, `${cfg.base}/signin/oidc`);
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual([...sent.keys()], ['redirect', 'callbackUrl', 'csrfToken', 'json'], ex.requestBody);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(Object.keys(ex.json), ['url']);
  const auth = assertAuthorizationUrl(ex.json.url, cfg);
  // next-auth v4 sends PKCE (S256) and, for OpenID providers, a nonce, each kept in a cookie.
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256', ex.json.url);
  assert.ok(auth.searchParams.get('code_challenge'), ex.json.url);
  assert.ok(auth.searchParams.get('nonce'), ex.json.url);
  for (const name of ['next-auth.state', 'next-auth.pkce.code_verifier', 'next-auth.nonce']) {
    const cookie = oneSetCookie(ex, name);
    assert.equal(cookie.attributes.httponly, true, cookie.line);
    assert.equal(cookie.attributes.path, '/', cookie.line);
  }
  assert.deepEqual(navigations, [{ how: 'href', url: ex.json.url }]);

  const back = await loginAtProvider(ex.json.url, 'bob', browser.jar, cfg);
  const res = await fetch(back, { redirect: 'manual' });
  const callback = browser.last('/api/auth/callback/oidc', 'GET');
  assert.equal(res.status, 302, show(callback));
  assert.equal(res.headers.get('location'), callbackUrl);
  assertSessionCookie(oneSetCookie(callback, SESSION_COOKIE));

  const session = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.status, 200, show(got));
  assertSessionBody(got.json, { name: 'User bob', email: 'bob@example.com' });
  assert.deepEqual(session, got.json);
});

test('useSession().update(data) POSTs {csrfToken, data} to /session; the user is unchanged', async () => {
  await signInDemo();
  const initial = await getSession();
  assert.ok(initial, 'signed in');
  const context = renderUseSession(initial);
  assert.equal(context.status, 'authenticated');

  const updated = await context.update({ name: 'Changed By Update' });
  const ex = browser.last('/api/auth/session', 'POST');
  assert.equal(ex.url, `${cfg.base}/session`);
  assert.equal(ex.requestHeaders['content-type'], 'application/json');
  const sent = JSON.parse(ex.requestBody);
  assert.deepEqual(Object.keys(sent), ['csrfToken', 'data']);
  assert.match(sent.csrfToken, /^[0-9a-f]{64}$/);
  assert.deepEqual(sent.data, { name: 'Changed By Update' });
  assert.equal(ex.status, 200, show(ex));
  // An update answer carries none of GET /session's no-cache headers.
  assert.equal(ex.headers.get('cache-control'), null, show(ex));
  // The demo's jwt callback ignores update data: the same user comes back.
  assertSessionBody(ex.json, { name: 'Demo User', email: 'demo@example.com' });
  assertSessionCookie(oneSetCookie(ex, SESSION_COOKIE));
  assert.deepEqual(updated, ex.json);

  const after = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.status, 200, show(got));
  assertSessionBody(got.json, { name: 'Demo User', email: 'demo@example.com' });
  assert.deepEqual(after, got.json);
});

test('POST /session without a valid CSRF token is 400 {} and leaves the session alone', async () => {
  await signInDemo();
  const before = browser.jar.get(cfg.demoUrl, SESSION_COOKIE);

  for (const body of [{ data: { name: 'x' } }, { csrfToken: 'f'.repeat(64), data: { name: 'x' } }]) {
    const logger = recordingLogger();
    const result = await fetchData('session', clientConfig, logger, { req: { body } });
    const ex = browser.last('/api/auth/session', 'POST');
    assert.equal(ex.requestBody, JSON.stringify(body));
    assert.equal(ex.status, 400, show(ex));
    assert.equal(ex.text, '{}');
    assert.deepEqual(setCookiesNamed(ex, SESSION_COOKIE), [], 'the session cookie is not touched');
    assert.equal(result, null);
    assert.equal(logger.errors[0]?.code, 'CLIENT_FETCH_ERROR');
  }

  assert.equal(browser.jar.get(cfg.demoUrl, SESSION_COOKIE), before);
  const session = await getSession();
  assertSessionBody(session, { name: 'Demo User', email: 'demo@example.com' });
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
  assert.deepEqual(navigations, [{ how: 'href', url: ex.json.url }]);
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
