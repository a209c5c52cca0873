// The real Auth.js v5 client (`next-auth/react` of next-auth@5.0.0-beta.32, @auth/core 0.41.3)
// against an auth-runtime server that writes Auth.js v5 cookies (`cookies: { write: authjs_v5,
// read: [authjs_v5, next_auth_v4] }`), started by tests/authjs_client.rs.
//
// Environment:
//   DEMO_URL     the server's origin, e.g. http://127.0.0.1:4100 (auth routes at /api/auth)
//   AUTH_SECRET  the server's secret (checks the CSRF cookie's hash, opens session tokens)
//   AUTH_URL     the server's auth URL, as it was given it (default $DEMO_URL/api/auth)
// The server's credentials provider signs in demo/demo as user "1", Demo User,
// demo@example.com, and nobody else.
//
// Run: npm ci && DEMO_URL=… AUTH_SECRET=… AUTH_URL=… node --test
//
// next-auth@5 is installed without its peer `next` (.npmrc: legacy-peer-deps): its React
// client imports only react and @auth/core/errors, so it runs in plain Node.
//
// The client swallows most errors (into `null`, or into the result of `signIn`), so each check
// also asserts the raw HTTP answer to the client's own request (status, body, Set-Cookie),
// taken from the browser-like fetch of ../lib/harness.mjs.
//
// What v5's client does differently from v4's, and the server has to honour:
// - It finds the server through NEXTAUTH_URL (not AUTH_URL), read once when the module loads;
//   with a window it uses the relative base path (`SessionProvider`'s `basePath` prop sets it).
// - `signIn` and `signOut` send `X-Auth-Return-Redirect: 1` and no `json=true`, and read
//   `{url}` whatever the status; `signIn` posts to `<base>/callback/<id>?` (a bare `?` without
//   authorization params) with neither `redirect` nor `json` in the body, and reads `error`
//   and `code` from the query of the URL it gets back.
// - `getSession` returns the `/session` body as it is: no session must be JSON `null`, since
//   `{}` would be a truthy session (v4's client turned `{}` into `null`). v4's server-side form
//   `getSession({req})` is gone: v5 reads no `req`, so that call sends the browser's cookies.
//
// next-auth@5 posts to a `BroadcastChannel` (getSession, signOut, update) and never closes it;
// in Node an open channel keeps the process alive, so each one is unref'd here (a browser tab's
// never holds anything up), and what is posted is recorded.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { beforeEach, test } from 'node:test';

import {
  assertCsrfCookie,
  assertSessionCookieCleared,
  installBrowserFetch,
  oneSetCookie,
  raw,
  setCookiesNamed,
  show,
  withWindow,
} from '../lib/harness.mjs';
import {
  CALLBACK_COOKIE,
  CSRF_COOKIE,
  SESSION_COOKIE,
  assertAuthjsSessionCookie,
  assertOnlyAuthjsCookies,
  configV5,
} from '../lib/harness_v5.mjs';

const broadcasts = [];
globalThis.BroadcastChannel = class extends globalThis.BroadcastChannel {
  constructor(name) {
    super(name);
    this.unref();
  }

  postMessage(message) {
    broadcasts.push({ channel: this.name, message });
    return super.postMessage(message);
  }
};

const cfg = configV5();
// next-auth@5's client reads NEXTAUTH_URL (and NEXTAUTH_URL_INTERNAL, VERCEL_URL), never
// AUTH_URL, once, when the module is evaluated: set it before the import below.
delete process.env.NEXTAUTH_URL_INTERNAL;
delete process.env.VERCEL_URL;
process.env.NEXTAUTH_URL = cfg.base;
const browser = installBrowserFetch();
const require = createRequire(import.meta.url);
const React = require('react');
const { renderToString } = require('react-dom/server');
const {
  SessionProvider,
  __NEXTAUTH,
  getCsrfToken,
  getProviders,
  getSession,
  signIn,
  signOut,
  useSession,
} = await import('next-auth/react');
const { decode } = await import('next-auth/jwt');

const callbackUrl = `${cfg.demoUrl}/dashboard`;
const DEMO = { name: 'Demo User', email: 'demo@example.com' };

beforeEach(() => {
  browser.reset();
  broadcasts.length = 0;
});

/** Signs demo/demo in through the client; returns the session cookie's value. */
async function signInDemo() {
  const result = await signIn('credentials', {
    redirect: false,
    username: 'demo',
    password: 'demo',
    callbackUrl,
  });
  assert.deepEqual(result, { error: undefined, code: undefined, status: 200, ok: true, url: callbackUrl });
  const token = browser.jar.get(cfg.demoUrl, SESSION_COOKIE);
  assert.ok(token, 'the sign-in left an authjs.session-token cookie in the jar');
  return token;
}

/** Opens a session token with `@auth/core`'s own `decode` (salt: the cookie's name). */
async function open(token) {
  const payload = await decode({ token, secret: cfg.secret, salt: SESSION_COOKIE });
  assert.ok(payload, 'Auth.js decodes the session token');
  return payload;
}

/** A /session body: {user: {name, email, image?}, expires ≈ now + 30 days}. */
function assertSessionBody(body, { name, email }) {
  assert.ok(body && typeof body === 'object', `a session: ${JSON.stringify(body)}`);
  assert.deepEqual(Object.keys(body), ['user', 'expires'], JSON.stringify(body));
  const { image, ...rest } = body.user;
  assert.deepEqual(rest, { name, email });
  // Auth.js v5 leaves out an image the token has none of; NextAuth v3's REST shape has null.
  assert.ok(image === undefined || image === null, `no image: ${JSON.stringify(body.user)}`);
  const expires = Date.parse(body.expires);
  assert.equal(new Date(expires).toISOString(), body.expires, 'expires is an ISO string');
  assert.ok(Math.abs(expires - (Date.now() + 30 * 86400_000)) < 120_000, 'expires ≈ now + 30 days');
}

/** GET /csrf and GET /session carry these no-cache headers (@auth/core's too). */
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

/**
 * An answer the v5 client reads `{url}` from: JSON, with `X-Auth-Return-Redirect: 1` on the
 * request, no Location.
 */
function assertReturnRedirect(ex) {
  assert.equal(ex.requestHeaders['x-auth-return-redirect'], '1', show(ex));
  assert.equal(ex.requestHeaders['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(ex.headers.get('location'), null, `JSON, not a redirect: ${show(ex)}`);
  assert.match(ex.headers.get('content-type') ?? '', /^application\/json/, show(ex));
  assert.deepEqual(Object.keys(ex.json ?? {}), ['url'], show(ex));
}

test('the client finds the server through NEXTAUTH_URL, never AUTH_URL', () => {
  assert.equal(__NEXTAUTH.baseUrl, cfg.demoUrl);
  assert.equal(__NEXTAUTH.basePath, cfg.basePath);
  assert.equal(__NEXTAUTH.baseUrlServer, cfg.demoUrl);
  assert.equal(__NEXTAUTH.basePathServer, cfg.basePath);

  // With AUTH_URL alone the client knows nothing of the server: it falls back to
  // http://localhost:3000/api/auth.
  const script =
    "const { __NEXTAUTH: c } = await import('next-auth/react');" +
    'console.log(JSON.stringify([c.baseUrl, c.basePath, c.baseUrlServer, c.basePathServer]));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('.', import.meta.url),
    env: { PATH: process.env.PATH, AUTH_URL: cfg.base },
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(out), [
    'http://localhost:3000',
    '/api/auth',
    'http://localhost:3000',
    '/api/auth',
  ]);
});

test('getProviders() lists credentials with absolute URLs', async () => {
  const providers = await getProviders();
  const ex = browser.last('/api/auth/providers', 'GET');
  assert.equal(ex.url, `${cfg.base}/providers`);
  assert.equal(ex.requestHeaders['content-type'], 'application/json');
  assert.equal(ex.status, 200, show(ex));
  assert.match(ex.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(ex.json, {
    credentials: {
      id: 'credentials',
      name: 'Credentials',
      type: 'credentials',
      signinUrl: `${cfg.base}/signin/credentials`,
      callbackUrl: `${cfg.base}/callback/credentials`,
    },
  });
  assertOnlyAuthjsCookies(ex);
  assert.deepEqual(providers, ex.json);
});

test('getCsrfToken() returns 64 hex and sets the authjs.csrf-token double-submit cookie', async () => {
  const token = await getCsrfToken();
  assert.match(token, /^[0-9a-f]{64}$/);
  const ex = browser.last('/api/auth/csrf', 'GET');
  assert.equal(ex.status, 200, show(ex));
  assertNoCache(ex);
  assert.deepEqual(ex.json, { csrfToken: token });
  // `<token>|sha256(token + AUTH_SECRET)`, as @auth/core makes it with one secret.
  assertCsrfCookie(oneSetCookie(ex, CSRF_COOKIE), cfg.secret, token);
  const callback = oneSetCookie(ex, CALLBACK_COOKIE);
  assert.equal(decodeURIComponent(callback.value), cfg.demoUrl, callback.line);
  assertOnlyAuthjsCookies(ex);
  assert.deepEqual(
    ex.setCookies.filter((c) => c.name.startsWith('next-auth.') || c.name.startsWith('__')),
    [],
    'no next-auth v4 and no prefixed cookie on http',
  );

  assert.equal(await getCsrfToken(), token);
  const again = browser.last('/api/auth/csrf', 'GET');
  assert.equal(again.requestHeaders.cookie?.includes(`${CSRF_COOKIE}=`), true);
  assert.deepEqual(setCookiesNamed(again, CSRF_COOKIE), [], 'no new CSRF cookie when it is valid');
});

test('getSession() without a cookie is null (raw: 200 null)', async () => {
  const session = await getSession();
  const ex = browser.last('/api/auth/session', 'GET');
  assert.equal(ex.requestHeaders.cookie, undefined);
  assert.equal(ex.status, 200, show(ex));
  assertNoCache(ex);
  assert.deepEqual(setCookiesNamed(ex, SESSION_COOKIE), []);
  // @auth/core answers JSON `null`; next-auth@5's getSession returns the body as it is, so
  // `{}` here would be a session to it (useSession: "authenticated", with no user).
  const status = renderUseSession(session).status;
  assert.equal(
    ex.text,
    'null',
    `no session is JSON null for the v5 client, which got ${JSON.stringify(session)} from ` +
      `getSession() and says "${status}" in useSession(): ${show(ex)}`,
  );
  assert.equal(session, null);
  assert.equal(status, 'unauthenticated');
});

test("signIn('credentials', {redirect: false}) signs in with X-Auth-Return-Redirect; getSession() sees Demo User", async () => {
  const token = await signInDemo();
  const ex = browser.last('/api/auth/callback/credentials', 'POST');
  // v5 always appends the authorization params' query, empty or not.
  assert.equal(ex.url, `${cfg.base}/callback/credentials?`);
  assertReturnRedirect(ex);
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual([...sent.keys()], ['username', 'password', 'csrfToken', 'callbackUrl'], ex.requestBody);
  assert.equal(sent.get('callbackUrl'), callbackUrl);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: callbackUrl });
  const cookie = oneSetCookie(ex, SESSION_COOKIE);
  assertAuthjsSessionCookie(cookie);
  assert.equal(cookie.value, token);
  assertOnlyAuthjsCookies(ex);

  // Auth.js's own decode opens it: the key is derived from AUTH_SECRET, salted with the name.
  const payload = await open(token);
  assert.equal(payload.sub, '1');
  assert.equal(payload.name, DEMO.name);
  assert.equal(payload.email, DEMO.email);
  assert.match(payload.jti, /^[0-9a-f-]{36}$/);
  assert.ok(Math.abs(payload.exp - payload.iat - 30 * 86400) <= 1, JSON.stringify(payload));

  const session = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.requestHeaders.cookie?.includes(`${SESSION_COOKIE}=${token}`), true);
  assert.equal(got.status, 200, show(got));
  assertNoCache(got);
  assertSessionBody(got.json, DEMO);
  // The rolling answer re-seals the token in a fresh cookie.
  const rolled = oneSetCookie(got, SESSION_COOKIE);
  assertAuthjsSessionCookie(rolled);
  assert.equal((await open(rolled.value)).sub, '1');
  assertOnlyAuthjsCookies(got);
  assert.deepEqual(session, got.json);
});

test("signIn('credentials') with redirect navigates to the callback URL (window.location.href)", async () => {
  // With a window the client uses the relative base path; the page resolves it.
  const { result, navigations } = await withWindow(`${cfg.demoUrl}/login`, () =>
    signIn('credentials', { username: 'demo', password: 'demo', callbackUrl: '/dashboard' }),
  );
  assert.equal(result, undefined);
  const ex = browser.last('/api/auth/callback/credentials', 'POST');
  assert.equal(ex.url, `${cfg.base}/callback/credentials?`);
  assertReturnRedirect(ex);
  assert.equal(new URLSearchParams(ex.requestBody).get('callbackUrl'), '/dashboard');
  assert.equal(ex.status, 200, show(ex));
  // A relative callbackUrl comes back on the site's origin.
  assert.deepEqual(ex.json, { url: callbackUrl });
  assertAuthjsSessionCookie(oneSetCookie(ex, SESSION_COOKIE));
  assert.deepEqual(navigations, [{ how: 'href', url: callbackUrl }]);
  for (const path of ['/providers', '/csrf']) {
    assert.equal(browser.last(`/api/auth${path}`, 'GET').url, `${cfg.base}${path}`);
  }

  // A URL with a fragment: the client also reloads, since setting it alone would not.
  const withHash = `${callbackUrl}#top`;
  const again = await withWindow(`${cfg.demoUrl}/login`, () =>
    signIn('credentials', { username: 'demo', password: 'demo', callbackUrl: withHash }),
  );
  const second = browser.last('/api/auth/callback/credentials', 'POST');
  assert.equal(second.status, 200, show(second));
  assert.deepEqual(second.json, { url: withHash });
  assert.deepEqual(again.navigations, [{ how: 'href', url: withHash }, { how: 'reload' }]);
});

test("signIn('credentials') with a wrong password: error CredentialsSignin in the result, no session", async () => {
  const result = await signIn('credentials', {
    redirect: false,
    username: 'demo',
    password: 'wrong',
    callbackUrl,
  });
  const ex = browser.last('/api/auth/callback/credentials', 'POST');
  assertReturnRedirect(ex);
  // @auth/core's answer to this client: 200 with its sign-in page and `&code=credentials`
  // (NextAuth's REST answer to `json=true` stays 401 and the error page); the v5 client takes
  // `error` and `code` from the URL's query and `ok`/`status` from the answer.
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: `${cfg.base}/signin?error=CredentialsSignin&code=credentials` });
  assert.deepEqual(setCookiesNamed(ex, SESSION_COOKIE), [], 'no session cookie on failure');
  assertOnlyAuthjsCookies(ex);
  assert.deepEqual(result, { error: 'CredentialsSignin', code: 'credentials', status: 200, ok: true, url: null });
  assert.equal(browser.jar.get(cfg.demoUrl, SESSION_COOKIE), undefined);

  // With redirect the client goes to that error page.
  const { result: redirected, navigations } = await withWindow(`${cfg.demoUrl}/login`, () =>
    signIn('credentials', { username: 'demo', password: 'wrong', callbackUrl }),
  );
  assert.equal(redirected, undefined);
  assert.deepEqual(navigations, [{ how: 'href', url: ex.json.url }]);
});

test('useSession().update(data) POSTs {csrfToken, data} to /session; the user is unchanged', async () => {
  await signInDemo();
  const initial = await getSession();
  assertSessionBody(initial, DEMO);
  const context = renderUseSession(initial);
  assert.equal(context.status, 'authenticated');
  assert.deepEqual(context.data, initial);

  const updated = await context.update({ name: 'Changed By Update' });
  const ex = browser.last('/api/auth/session', 'POST');
  assert.equal(ex.url, `${cfg.base}/session`);
  assert.equal(ex.requestHeaders['content-type'], 'application/json');
  const sent = JSON.parse(ex.requestBody);
  assert.deepEqual(Object.keys(sent), ['csrfToken', 'data']);
  assert.match(sent.csrfToken, /^[0-9a-f]{64}$/);
  assert.deepEqual(sent.data, { name: 'Changed By Update' });
  assert.equal(ex.status, 200, show(ex));
  // An update answer carries none of GET /session's no-cache headers (nor does @auth/core's).
  assert.equal(ex.headers.get('cache-control'), null, show(ex));
  // The server's jwt callback is the default one, which ignores update data (as Auth.js's).
  assertSessionBody(ex.json, DEMO);
  const cookie = oneSetCookie(ex, SESSION_COOKIE);
  assertAuthjsSessionCookie(cookie);
  assert.equal((await open(cookie.value)).name, DEMO.name);
  assertOnlyAuthjsCookies(ex);
  assert.deepEqual(updated, ex.json);

  // Without a valid CSRF token the update is refused (400) and the session left alone; the
  // client turns any non-2xx answer into null.
  const before = browser.jar.get(cfg.demoUrl, SESSION_COOKIE);
  const refused = await raw(`${cfg.base}/session`, {
    cookie: `${SESSION_COOKIE}=${before}`,
    json: { csrfToken: 'f'.repeat(64), data: { name: 'x' } },
  });
  assert.equal(refused.status, 400, show(refused));
  assert.equal(refused.json, null, `@auth/core answers 400 null: ${show(refused)}`);
  assert.deepEqual(setCookiesNamed(refused, SESSION_COOKIE), [], 'the session cookie is not touched');

  const after = await getSession();
  const got = browser.last('/api/auth/session', 'GET');
  assert.equal(got.status, 200, show(got));
  assertSessionBody(got.json, DEMO);
  assert.deepEqual(after, got.json);
});

test('signOut({redirect: false}) clears authjs.session-token; getSession() is null after', async () => {
  await signInDemo();
  const data = await signOut({ redirect: false, callbackUrl });
  const ex = browser.last('/api/auth/signout', 'POST');
  assert.equal(ex.url, `${cfg.base}/signout`);
  assertReturnRedirect(ex);
  const sent = new URLSearchParams(ex.requestBody);
  assert.deepEqual([...sent.keys()], ['csrfToken', 'callbackUrl'], ex.requestBody);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: callbackUrl });
  assertSessionCookieCleared(ex, SESSION_COOKIE);
  assertOnlyAuthjsCookies(ex);
  assert.deepEqual(data, { url: callbackUrl });
  assert.equal(browser.jar.get(cfg.demoUrl, SESSION_COOKIE), undefined);
  // Other tabs are told to fetch their session again.
  assert.deepEqual(broadcasts.at(-1), {
    channel: 'next-auth',
    message: { event: 'session', data: { trigger: 'signout' } },
  });

  const session = await getSession();
  const after = browser.last('/api/auth/session', 'GET');
  assert.equal(after.requestHeaders.cookie?.includes(`${SESSION_COOKIE}=`) ?? false, false);
  assert.equal(after.status, 200, show(after));
  assert.equal(after.text, 'null', `no session is JSON null for the v5 client: ${show(after)}`);
  assert.equal(session, null);
});

test('signOut() with redirect navigates to the callback URL', async () => {
  await signInDemo();
  const { result, navigations } = await withWindow(`${cfg.demoUrl}/dashboard`, () =>
    signOut({ callbackUrl: '/' }),
  );
  assert.equal(result, undefined);
  const ex = browser.last('/api/auth/signout', 'POST');
  assertReturnRedirect(ex);
  assert.equal(ex.status, 200, show(ex));
  assert.deepEqual(ex.json, { url: `${cfg.demoUrl}/` });
  assertSessionCookieCleared(ex, SESSION_COOKIE);
  assert.deepEqual(navigations, [{ how: 'href', url: `${cfg.demoUrl}/` }]);
  assert.equal(browser.jar.get(cfg.demoUrl, SESSION_COOKIE), undefined);
});
