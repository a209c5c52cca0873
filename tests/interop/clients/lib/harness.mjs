// Shared harness for the NextAuth client compatibility suites (v3/ and v4/).
//
// It uses nothing but Node 20's built-ins, so both Node projects import it by relative path.
//
// - `config()` reads the environment every suite needs: DEMO_URL (the demo's origin, auth
//   routes under /api/auth), NEXTAUTH_SECRET (the demo's secret) and OIDC_ISSUER (the
//   OpenID provider the demo was started with, as its `oidc` provider).
// - `installBrowserFetch()` wraps `globalThis.fetch` the way a browser tab would behave for
//   the next-auth clients: a cookie jar (Set-Cookie in, Cookie out; per host:port and path),
//   relative URLs resolved against `window.location` when a fake window is installed, and a
//   log of every exchange (request and the raw answer: status, headers, Set-Cookie, body),
//   because the clients turn every error into `null`.
// - `raw()` is plain fetch (no jar, no redirects followed) for the hand-made requests.
// - `withWindow()` installs a minimal `window` whose `location` records navigations, for the
//   client paths that navigate (OAuth sign-in navigates even with `redirect: false`).
// - `loginAtProvider()` signs a user in at tests/peers/oidc-provider.mjs through its dev
//   login form, by HTTP alone (the steps of auth_test_support::oidc).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

/** The unwrapped fetch, captured before any suite wraps `globalThis.fetch`. */
export const rawFetch = globalThis.fetch;

/** The JWE protected header of every next-auth v4 session token: {"alg":"dir","enc":"A256GCM"}. */
export const V4_JWE_HEADER = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0';

export const SESSION_COOKIE = 'next-auth.session-token';
export const CSRF_COOKIE = 'next-auth.csrf-token';

/** The environment the suites need; fails with one message naming every missing variable. */
export function config() {
  const missing = ['DEMO_URL', 'NEXTAUTH_SECRET', 'OIDC_ISSUER'].filter(
    (name) => !process.env[name],
  );
  if (missing.length > 0) {
    throw new Error(
      `missing environment: ${missing.join(', ')}. Start the demo (cargo run --example demo) with ` +
        'PORT, NEXTAUTH_SECRET and OIDC_ISSUER/OIDC_CLIENT_ID/OIDC_CLIENT_SECRET set, then run ' +
        'DEMO_URL=http://127.0.0.1:$PORT NEXTAUTH_SECRET=… OIDC_ISSUER=… node --test',
    );
  }
  const demoUrl = new URL(process.env.DEMO_URL).origin;
  return {
    demoUrl,
    base: `${demoUrl}/api/auth`,
    secret: process.env.NEXTAUTH_SECRET,
    issuer: process.env.OIDC_ISSUER.replace(/\/$/, ''),
  };
}

// ---------------------------------------------------------------------------------------------
// Cookies

/** Parses one Set-Cookie line into {name, value, attributes} (attribute names lower-cased). */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const attributes = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key === '') continue;
    attributes[key] = i < 0 ? true : part.slice(i + 1).trim();
  }
  return { name, value, attributes, line };
}

/** Whether a parsed Set-Cookie deletes its cookie (Max-Age ≤ 0 or an Expires in the past). */
export function isDeletion(cookie) {
  const maxAge = cookie.attributes['max-age'];
  if (maxAge !== undefined) return Number(maxAge) <= 0;
  const expires = cookie.attributes.expires;
  return expires !== undefined && Date.parse(expires) <= Date.now();
}

/** A small cookie jar: per host:port, with path-prefix matching, expiry by Max-Age/Expires. */
export class CookieJar {
  #cookies = new Map(); // `${host}\t${path}\t${name}` → {host, path, name, value}

  store(url, setCookieLines) {
    const { host, pathname } = new URL(url);
    for (const line of setCookieLines) {
      const cookie = parseSetCookie(line);
      let path = cookie.attributes.path;
      if (typeof path !== 'string' || !path.startsWith('/')) {
        path = pathname.slice(0, pathname.lastIndexOf('/')) || '/';
      }
      const key = `${host}\t${path}\t${cookie.name}`;
      if (isDeletion(cookie)) this.#cookies.delete(key);
      else this.#cookies.set(key, { host, path, name: cookie.name, value: cookie.value });
    }
  }

  /** The Cookie header for `url`, or undefined when no cookie applies. */
  header(url) {
    const { host, pathname } = new URL(url);
    const matching = [...this.#cookies.values()]
      .filter((c) => c.host === host && pathMatches(pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** The value of cookie `name` for `url`'s host (any path), or undefined. */
  get(url, name) {
    const { host } = new URL(url);
    return [...this.#cookies.values()].find((c) => c.host === host && c.name === name)?.value;
  }

  /** Names of the cookies held for `url`'s host. */
  names(url) {
    const { host } = new URL(url);
    return [...this.#cookies.values()].filter((c) => c.host === host).map((c) => c.name);
  }

  set(url, name, value) {
    const { host } = new URL(url);
    this.#cookies.set(`${host}\t/\t${name}`, { host, path: '/', name, value });
  }

  clear() {
    this.#cookies.clear();
  }
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function record(method, url, requestHeaders, requestBody, res) {
  const text = await res.clone().text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    method,
    url,
    requestHeaders: Object.fromEntries(new Headers(requestHeaders)),
    requestBody,
    status: res.status,
    headers: res.headers,
    setCookies: res.headers.getSetCookie().map(parseSetCookie),
    text,
    json,
  };
}

function bodyText(body) {
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : String(body);
}

/**
 * Replaces `globalThis.fetch` with a browser-like fetch (jar, relative URLs, exchange log) and
 * returns its state: `jar`, `exchanges`, `reset()`, `exchangesTo(path)`.
 */
export function installBrowserFetch() {
  const browser = {
    jar: new CookieJar(),
    exchanges: [],
    reset() {
      this.jar.clear();
      this.exchanges.length = 0;
    },
    /** Exchanges whose URL path (query ignored) ends with `suffix`, oldest first. */
    exchangesTo(suffix, method) {
      return this.exchanges.filter(
        (e) => new URL(e.url).pathname.endsWith(suffix) && (!method || e.method === method),
      );
    },
    /** The last exchange whose path ends with `suffix`; fails when there is none. */
    last(suffix, method) {
      const found = this.exchangesTo(suffix, method);
      assert.ok(found.length > 0, `the client made no ${method ?? ''} request to …${suffix}`);
      return found[found.length - 1];
    },
  };
  globalThis.fetch = async (input, init = {}) => {
    let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!/^https?:\/\//i.test(url)) {
      const page = globalThis.window?.location?.href;
      if (!page) throw new TypeError(`relative URL without a window: ${url}`);
      url = new URL(url, page).href;
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    if (!headers.has('cookie')) {
      const cookie = browser.jar.header(url);
      if (cookie) headers.set('cookie', cookie);
    }
    const res = await rawFetch(url, { ...init, method, headers });
    browser.jar.store(url, res.headers.getSetCookie());
    browser.exchanges.push(await record(method, url, headers, bodyText(init.body), res));
    return res;
  };
  return browser;
}

/**
 * Plain fetch: no jar, redirects not followed. `form` (an object) is sent form-encoded, `json`
 * as JSON. Returns the recorded exchange.
 */
export async function raw(url, { method, cookie, form, json, headers = {} } = {}) {
  const h = new Headers(headers);
  if (cookie) h.set('cookie', cookie);
  let body;
  if (form) {
    body = new URLSearchParams(form).toString();
    h.set('content-type', 'application/x-www-form-urlencoded');
  } else if (json !== undefined) {
    body = JSON.stringify(json);
    h.set('content-type', 'application/json');
  }
  const m = method ?? (body === undefined ? 'GET' : 'POST');
  const res = await rawFetch(url, { method: m, headers: h, body, redirect: 'manual' });
  return record(m, url, h, body, res);
}

/** The Set-Cookie entries named `name` in an exchange. */
export function setCookiesNamed(exchange, name) {
  return exchange.setCookies.filter((c) => c.name === name);
}

/** The one Set-Cookie named `name`; fails unless there is exactly one. */
export function oneSetCookie(exchange, name) {
  const found = setCookiesNamed(exchange, name);
  assert.equal(
    found.length,
    1,
    `expected one Set-Cookie ${name} from ${exchange.method} ${exchange.url}, got: ` +
      JSON.stringify(exchange.setCookies.map((c) => c.line)),
  );
  return found[0];
}

/** `Cookie` header value from {name: value} pairs. */
export function cookieHeader(pairs) {
  return Object.entries(pairs)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/** A readable one-line description of an exchange, for assertion messages. */
export function show(exchange) {
  return `${exchange.method} ${exchange.url} → ${exchange.status} ${exchange.text.slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------
// Assertions shared by both suites

/**
 * A session cookie as next-auth v4 writes it: a compact JWE with header {"alg":"dir",
 * "enc":"A256GCM"}, `Path=/; HttpOnly; SameSite=Lax`, an `Expires` about `maxAgeDays` ahead,
 * no `Max-Age`, no `Secure` on http.
 */
export function assertSessionCookie(cookie, { maxAgeDays = 30 } = {}) {
  const parts = cookie.value.split('.');
  assert.equal(parts.length, 5, `session token is not a compact JWE: ${cookie.line}`);
  assert.equal(parts[0], V4_JWE_HEADER, 'JWE header must be {"alg":"dir","enc":"A256GCM"}');
  assert.equal(parts[1], '', 'dir JWE has an empty encrypted key');
  assert.equal(cookie.attributes.path, '/', cookie.line);
  assert.equal(cookie.attributes.httponly, true, cookie.line);
  assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax', cookie.line);
  assert.equal(cookie.attributes.secure, undefined, `no Secure on http: ${cookie.line}`);
  assert.equal(cookie.attributes['max-age'], undefined, `no Max-Age when writing: ${cookie.line}`);
  const expires = Date.parse(cookie.attributes.expires);
  assert.ok(Number.isFinite(expires), `Expires is set: ${cookie.line}`);
  const expected = Date.now() + maxAgeDays * 86400_000;
  assert.ok(Math.abs(expires - expected) < 120_000, `Expires ≈ now + ${maxAgeDays} days: ${cookie.line}`);
}

/** A Set-Cookie that clears the session cookie. */
export function assertSessionCookieCleared(exchange, name = SESSION_COOKIE) {
  const cookie = oneSetCookie(exchange, name);
  assert.equal(cookie.value, '', `cleared cookie has an empty value: ${cookie.line}`);
  assert.ok(isDeletion(cookie), `Max-Age=0 or a past Expires: ${cookie.line}`);
  assert.equal(cookie.attributes.path, '/', cookie.line);
  return cookie;
}

/** The CSRF cookie: `<token>|sha256hex(token + secret)`, URL-encoded, HttpOnly, SameSite=Lax. */
export function assertCsrfCookie(cookie, secret, token) {
  const [value, hash] = decodeURIComponent(cookie.value).split('|');
  assert.match(value, /^[0-9a-f]{64}$/, cookie.line);
  if (token !== undefined) assert.equal(value, token, 'the CSRF cookie carries the token /csrf returned');
  assert.equal(hash, createHash('sha256').update(`${value}${secret}`).digest('hex'), 'CSRF cookie hash');
  assert.equal(cookie.attributes.path, '/', cookie.line);
  assert.equal(cookie.attributes.httponly, true, cookie.line);
  assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax', cookie.line);
}

/** /providers exactly as NextAuth answers it for the demo's credentials and oidc providers. */
export function assertProviders(body, { base }) {
  assert.deepEqual(Object.keys(body).slice(0, 2), ['credentials', 'oidc'], 'provider order');
  for (const [id, type] of [
    ['credentials', 'credentials'],
    ['oidc', 'oauth'],
  ]) {
    const p = body[id];
    assert.deepEqual(Object.keys(p), ['id', 'name', 'type', 'signinUrl', 'callbackUrl'], `${id} keys`);
    assert.equal(p.id, id);
    assert.equal(p.type, type);
    assert.equal(typeof p.name, 'string');
    assert.equal(p.signinUrl, `${base}/signin/${id}`);
    assert.equal(p.callbackUrl, `${base}/callback/${id}`);
  }
  assert.equal(body.credentials.name, 'Credentials');
}

/** An OIDC authorization URL the demo built: on the provider, with every parameter NextAuth sends. */
export function assertAuthorizationUrl(url, { issuer, base }) {
  const u = new URL(url);
  assert.equal(u.origin, new URL(issuer).origin, `authorization URL on the provider: ${url}`);
  assert.equal(u.searchParams.get('client_id'), 'basic-client', url);
  assert.equal(u.searchParams.get('response_type'), 'code', url);
  assert.equal(u.searchParams.get('redirect_uri'), `${base}/callback/oidc`, url);
  assert.ok((u.searchParams.get('scope') ?? '').split(' ').includes('openid'), `scope has openid: ${url}`);
  assert.ok(u.searchParams.get('state'), `state is sent: ${url}`);
  return u;
}

// ---------------------------------------------------------------------------------------------
// A fake browser window, for the client paths that navigate

/**
 * Runs `fn` with a global `window` whose `location` is `pageUrl` and records every navigation
 * (`location.replace(url)`, `location.href = url`, `location.reload()`) instead of leaving the
 * page. While it is installed the clients use relative URLs (`/api/auth/…`), which the browser
 * fetch resolves against the page, as a browser would. Returns {result, navigations}.
 */
export async function withWindow(pageUrl, fn) {
  const navigations = [];
  const location = {
    get href() {
      return pageUrl;
    },
    set href(url) {
      navigations.push({ how: 'href', url: String(url) });
    },
    replace(url) {
      navigations.push({ how: 'replace', url: String(url) });
    },
    reload() {
      navigations.push({ how: 'reload' });
    },
  };
  const had = Object.prototype.hasOwnProperty.call(globalThis, 'window');
  const previous = globalThis.window;
  globalThis.window = { location };
  try {
    const result = await fn();
    return { result, navigations };
  } finally {
    if (had) globalThis.window = previous;
    else delete globalThis.window;
  }
}

// ---------------------------------------------------------------------------------------------
// The OpenID provider's dev login

/**
 * Follows `authorizationUrl` at tests/peers/oidc-provider.mjs, signs `login` in through the dev
 * interaction form (any password), and returns the redirect back to the app (the callback URL
 * with code, state and iss). Uses `jar` for the provider's cookies; never follows a redirect
 * to the app itself.
 */
export async function loginAtProvider(authorizationUrl, login, jar, { issuer, base }) {
  let url = authorizationUrl;
  let form;
  for (let step = 0; step < 12; step++) {
    const headers = new Headers();
    const cookie = jar.header(url);
    if (cookie) headers.set('cookie', cookie);
    let body;
    if (form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(form).toString();
    }
    const res = await rawFetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body,
      redirect: 'manual',
    });
    form = undefined;
    jar.store(url, res.headers.getSetCookie());
    const text = await res.text();
    if (res.status === 200 && new URL(url).pathname.startsWith('/interaction/')) {
      const prompt = /name="prompt" value="([^"]*)"/.exec(text)?.[1];
      if (prompt === 'login') form = { prompt: 'login', login, password: 'x' };
      else if (prompt === 'consent') form = { prompt: 'consent' };
      else throw new Error(`unexpected interaction prompt ${prompt} at ${url}: ${text.slice(0, 500)}`);
      continue;
    }
    const location = res.headers.get('location');
    if (!(res.status >= 300 && res.status < 400) || !location) {
      throw new Error(`${url} answered ${res.status} where a redirect was expected: ${text.slice(0, 500)}`);
    }
    const next = new URL(location, url).href;
    if (next.startsWith(`${base}/callback/`)) return next;
    assert.ok(next.startsWith(issuer), `the provider redirected outside itself: ${next}`);
    url = next;
  }
  throw new Error(`no redirect back to ${base}/callback/ after 12 steps`);
}
