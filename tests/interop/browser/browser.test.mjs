// The demo's built-in pages and sign-in flows in a real browser: Debian's Chromium driven by
// playwright-core (never a downloaded browser).
//
//   DEMO_URL     the demo's origin, e.g. http://127.0.0.1:3000 (required)
//   OIDC_ISSUER  the issuer of tests/peers/oidc-provider.mjs, which the demo must use as its
//                `oidc` provider (required: the OpenID flow is the point of this suite)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
//   SCREENSHOTS  where the PNGs go (default <repo>/target/interop)
//
// Every request that is not to 127.0.0.1 is blocked and recorded; the suite fails if a page of
// the demo attempted one. Besides the flows, it checks the layout the pages promise (a centred
// card of one width, full-width buttons and inputs, even spacing, no sideways scrolling,
// readable text) at 360 px and 1280 px, light and dark, and saves a screenshot of each.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');

const env = (name, fallback) => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
};

const DEMO_URL = env('DEMO_URL');
const OIDC_ISSUER = env('OIDC_ISSUER');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const SCREENSHOTS = resolve(env('SCREENSHOTS', join(repo, 'target', 'interop')));

if (!DEMO_URL || !OIDC_ISSUER) {
  throw new Error(
    'set DEMO_URL (the demo origin, e.g. http://127.0.0.1:3000) and OIDC_ISSUER (the issuer ' +
      'printed by tests/peers/oidc-provider.mjs, which the demo must run with as OIDC_ISSUER, ' +
      'with OIDC_CLIENT_ID=basic-client OIDC_CLIENT_SECRET=basic-secret)',
  );
}

const demo = new URL(DEMO_URL).origin;
const issuer = new URL(OIDC_ISSUER).origin;
const AUTH = `${demo}/api/auth`;
const WIDTHS = [360, 1280];
const SCHEMES = ['light', 'dark'];
const FLOW_VIEWPORT = { width: 1280, height: 800 };
const SUBMIT = 'form button[type="submit"], form input[type="submit"]';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

mkdirSync(SCREENSHOTS, { recursive: true });
const shots = [];

// ---------------------------------------------------------------------------------------------
// Browser plumbing

/** Every request a page tried to make off 127.0.0.1, over the whole run. */
const external = [];
/** Console errors and uncaught exceptions on the demo's pages. */
const consoleErrors = [];

const isDemo = (url) => {
  try {
    return new URL(url).origin === demo;
  } catch {
    return false;
  }
};

/** A fresh browser (its own profile directory) that lets only 127.0.0.1 through. */
async function openBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'auth-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: LAUNCH_ARGS,
    viewport: FLOW_VIEWPORT,
  });
  await context.route('**/*', (route) => {
    const request = route.request();
    if (new URL(request.url()).hostname === '127.0.0.1') {
      return route.continue();
    }
    let from = '(no frame)';
    try {
      from = request.frame().url();
    } catch {
      // a request without a frame (a worker): nothing of ours
    }
    external.push({ url: request.url(), from });
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    // A page served with an error status (500 Configuration, 403 AccessDenied) is logged as a
    // failed resource by Chromium: that is the page doing its job, not a fault in it.
    if (message.type() === 'error' && isDemo(page.url()) && !/Failed to load resource/.test(message.text())) {
      consoleErrors.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => {
    if (isDemo(page.url())) consoleErrors.push(`${page.url()}: ${error.message}`);
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

async function screenshot(page, name) {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
  return path;
}

/** The demo's providers, as its `/providers` endpoint lists them. */
async function providers() {
  const response = await fetch(`${AUTH}/providers`);
  assert.equal(response.status, 200, 'GET /api/auth/providers');
  return response.json();
}

/** The session cookie (or its first chunk) the browser holds for the demo, if any. */
async function sessionCookie(context) {
  const cookies = await context.cookies(demo);
  return cookies.find((c) => /^next-auth\.session-token(\.\d+)?$/.test(c.name));
}

/** `/` must say who is signed in, or that no one is. */
async function expectHome(page, who) {
  const response = await page.goto(`${demo}/`);
  assert.equal(response.status(), 200, 'GET /');
  const text = await page.locator('body').innerText();
  if (who) {
    assert.match(text, new RegExp(`Signed in as ${who} \\(`), `home page: ${text}`);
  } else {
    assert.match(text, /You are not signed in\./, `home page: ${text}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Layout checks

/**
 * Measures a page in the browser: sideways overflow, the card's box, where buttons and inputs
 * sit against the card's content box, the spacing inside the card, and text contrast and size.
 */
function measure() {
  const rgb = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const lin = (c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  // The first opaque background going up from an element.
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.99) return c;
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor) ?? { r: 255, g: 255, b: 255 };
  };
  const contrast = (el) => {
    const [hi, lo] = [luminance(rgb(getComputedStyle(el).color)), luminance(background(el))].sort(
      (x, y) => y - x,
    );
    return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = (el) => {
    const text = (el.innerText || el.value || '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${el.className}` : ''} "${text}"`;
  };

  const card = document.querySelector('.card');
  const box = card.getBoundingClientRect();
  const cs = getComputedStyle(card);
  const inner = {
    left: box.left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft),
    right: box.right - parseFloat(cs.borderRightWidth) - parseFloat(cs.paddingRight),
    top: box.top + parseFloat(cs.borderTopWidth) + parseFloat(cs.paddingTop),
    bottom: box.bottom - parseFloat(cs.borderBottomWidth) - parseFloat(cs.paddingBottom),
  };
  const controls = [...card.querySelectorAll('.button, input:not([type=hidden])')].filter(visible);
  const shown = [...card.querySelectorAll('*')].filter(visible).map((el) => el.getBoundingClientRect());
  const texts = [...card.querySelectorAll('h1, p, label, .button, input:not([type=hidden])')].filter(visible);
  return {
    viewport: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    card: { left: box.left, right: window.innerWidth - box.right, top: box.top, width: box.width },
    widths: controls.map((el) => {
      const r = el.getBoundingClientRect();
      return { what: name(el), left: r.left - inner.left, right: inner.right - r.right };
    }),
    gaps: {
      top: Math.min(...shown.map((r) => r.top)) - inner.top,
      bottom: inner.bottom - Math.max(...shown.map((r) => r.bottom)),
    },
    texts: texts.map((el) => ({
      what: name(el),
      contrast: contrast(el),
      fontSize: parseFloat(getComputedStyle(el).fontSize),
    })),
    pageLuminance: luminance(background(document.body)),
  };
}

/** What `measure` found must look like a page a developer would accept; returns the problems. */
function layoutProblems(m, scheme) {
  const problems = [];
  const check = (ok, message) => ok || problems.push(message);
  check(m.scrollWidth <= m.viewport, `scrolls sideways (${m.scrollWidth} > ${m.viewport})`);
  check(Math.abs(m.card.left - m.card.right) <= 1, `card not centred (${m.card.left} | ${m.card.right})`);
  check(m.card.left >= 8, `card touches the edge (${m.card.left} px margin)`);
  check(m.card.width <= 480, `card too wide (${m.card.width} px)`);
  check(m.card.top >= 16, `card glued to the top (${m.card.top} px)`);
  check(
    Math.abs(m.gaps.top) <= 1 && Math.abs(m.gaps.bottom) <= 1,
    `margins add to the card's padding (top ${m.gaps.top} px, bottom ${m.gaps.bottom} px)`,
  );
  for (const w of m.widths) {
    check(Math.abs(w.left) <= 1 && Math.abs(w.right) <= 1, `${w.what} not full width (${w.left} | ${w.right})`);
  }
  for (const t of m.texts) {
    check(t.contrast >= 4.5, `${t.what} contrast ${t.contrast} < 4.5`);
    check(t.fontSize >= 14, `${t.what} font ${t.fontSize} px < 14`);
  }
  if (scheme === 'dark') {
    check(m.pageLuminance < 0.1, `dark scheme, light page (luminance ${m.pageLuminance})`);
  } else {
    check(m.pageLuminance > 0.7, `light scheme, dark page (luminance ${m.pageLuminance})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

let oidcName;

before(async () => {
  const list = await providers();
  assert.ok(list.credentials, 'the demo lists its credentials provider');
  assert.ok(
    list.oidc,
    `the demo lists no oidc provider: run it with OIDC_ISSUER=${issuer} ` +
      'OIDC_CLIENT_ID=basic-client OIDC_CLIENT_SECRET=basic-secret',
  );
  oidcName = list.oidc.name;
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(discovery.status, 200, `the OpenID provider answers at ${issuer}`);
});

after(() => {
  if (shots.length) console.log(`${shots.length} screenshots in ${SCREENSHOTS}`);
});

describe('in Chromium', () => {
  test('OpenID Connect sign-in through oidc-provider, then sign-out', async (t) => {
    const { context, page, close } = await openBrowser();
    t.after(close);

    let response = await page.goto(`${AUTH}/signin`);
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'Sign In');
    const button = page.getByRole('button', { name: `Sign in with ${oidcName}`, exact: true });
    await button.waitFor();
    const callbackField = page.locator(`form[action="${AUTH}/signin/oidc"] input[name="callbackUrl"]`);
    const callbackUrl = (await callbackField.count()) ? await callbackField.getAttribute('value') : null;
    await screenshot(page, 'flow-oidc-1-signin');

    // To the OpenID provider's own login page.
    await Promise.all([page.waitForURL((url) => url.origin === issuer), button.click()]);
    const loginUrl = page.url();
    assert.match(new URL(loginUrl).pathname, /^\/interaction\//, `at ${loginUrl}`);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any password');
    await screenshot(page, 'flow-oidc-2-provider-login');
    await Promise.all([
      page.waitForURL((url) => url.href !== loginUrl),
      page.locator(SUBMIT).first().click(),
    ]);

    // A consent page, should the provider ask (this one grants consent by itself).
    if (new URL(page.url()).origin === issuer) {
      const prompt = await page.locator('input[name="prompt"]').getAttribute('value').catch(() => null);
      assert.equal(prompt, 'consent', `still at the provider: ${page.url()}: ${await page.locator('body').innerText()}`);
      await screenshot(page, 'flow-oidc-2b-provider-consent');
      await Promise.all([page.waitForURL((url) => url.origin === demo), page.locator(SUBMIT).first().click()]);
    }

    // Back through /callback/oidc to the callback URL.
    await page.waitForLoadState('load');
    const landed = page.url();
    assert.equal(new URL(landed).origin, demo, `landed on ${landed}`);
    for (const [where, what] of [
      ['/api/auth/callback/', 'stuck on the callback'],
      ['/api/auth/error', 'the callback failed'],
      ['/api/auth/signin', 'sent back to the sign-in page'],
    ]) {
      assert.ok(!new URL(landed).pathname.startsWith(where), `${what}: ${landed}`);
    }
    if (callbackUrl) {
      assert.equal(landed, new URL(callbackUrl).href, 'redirected to the callback URL');
    }
    assert.ok(await sessionCookie(context), 'a session cookie is set');

    await expectHome(page, 'User alice');
    assert.match(await page.locator('body').innerText(), /alice@example\.com/);
    await screenshot(page, 'flow-oidc-3-home');

    response = await page.goto(`${AUTH}/signout`);
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'Sign Out');
    await screenshot(page, 'flow-oidc-4-signout');
    await Promise.all([
      page.waitForURL((url) => !url.pathname.endsWith('/signout')),
      page.getByRole('button', { name: 'Sign out', exact: true }).click(),
    ]);
    assert.equal(new URL(page.url()).origin, demo, `after sign-out at ${page.url()}`);
    assert.equal(await sessionCookie(context), undefined, 'the session cookie is cleared');
    await expectHome(page);
    await screenshot(page, 'flow-oidc-5-signed-out');
  });

  test('credentials: a wrong password shows the error, the right one signs in', async (t) => {
    const { context, page, close } = await openBrowser();
    t.after(close);
    const hops = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest()) hops.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });

    await page.goto(`${AUTH}/signin`);
    const username = page.locator('#input-username-for-credentials-provider');
    const password = page.locator('#input-password-for-credentials-provider');
    const submit = page.getByRole('button', { name: 'Sign in with Credentials', exact: true });

    await username.fill('demo');
    await password.fill('not the password');
    hops.length = 0;
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('error') === 'CredentialsSignin'),
      submit.click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(
      new URL(page.url()).pathname,
      '/api/auth/signin',
      `after a failed sign-in at ${page.url()} (${hops.join(' → ')})`,
    );
    assert.equal(
      (await page.locator('.card .error').innerText()).trim(),
      'Sign in failed. Check the details you provided are correct.',
    );
    assert.equal(await sessionCookie(context), undefined, 'no session after a wrong password');
    await screenshot(page, 'flow-credentials-1-error');

    // The form is still there for another try; Enter in the password field submits it.
    await username.fill('demo');
    await password.fill('demo');
    hops.length = 0;
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/api/auth/')),
      password.press('Enter'),
    ]);
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).origin, demo, `after sign-in at ${page.url()} (${hops.join(' → ')})`);
    assert.ok(await sessionCookie(context), 'a session cookie is set');
    await expectHome(page, 'Demo User');
    await screenshot(page, 'flow-credentials-2-home');
  });

  test('every page at 360 px and 1280 px, light and dark', async (t) => {
    const { page, close } = await openBrowser();
    t.after(close);
    const pages = [
      { name: 'signin', path: '/api/auth/signin', status: 200, title: 'Sign In' },
      {
        name: 'signin-error',
        path: '/api/auth/signin?error=CredentialsSignin',
        status: 200,
        title: 'Sign In',
      },
      { name: 'signout', path: '/api/auth/signout', status: 200, title: 'Sign Out' },
      { name: 'error', path: '/api/auth/error?error=Configuration', status: 500, title: 'Error' },
      {
        name: 'error-accessdenied',
        path: '/api/auth/error?error=AccessDenied',
        status: 403,
        title: 'Error',
      },
      { name: 'verify-request', path: '/api/auth/verify-request', status: 200, title: 'Verify Request' },
    ];
    const problems = [];
    const cardWidths = new Map();
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: width < 600 ? 740 : 800 });
        for (const p of pages) {
          const label = `${p.name}-${width}-${scheme}`;
          const response = await page.goto(`${demo}${p.path}`);
          assert.equal(response.status(), p.status, `${label}: status`);
          assert.equal(await page.title(), p.title, `${label}: title`);
          await screenshot(page, label);
          const m = await page.evaluate(measure);
          problems.push(...layoutProblems(m, scheme).map((problem) => `${label}: ${problem}`));
          const key = `${width} px`;
          cardWidths.set(key, [...(cardWidths.get(key) ?? []), `${label} ${Math.round(m.card.width)}`]);
        }
      }
    }
    // One card width per viewport, whatever the card holds.
    for (const [key, seen] of cardWidths) {
      const distinct = new Set(seen.map((s) => s.split(' ').pop()));
      if (distinct.size > 1) problems.push(`at ${key} the card width varies: ${seen.join(', ')}`);
    }
    assert.deepEqual(problems, [], 'layout problems');
  });

  test('no page of the demo requested anything off 127.0.0.1 or logged an error', (t) => {
    // The peer's own pages are not ours: its dev login page asks Google Fonts for Roboto
    // (blocked, harmlessly). Those are only reported.
    const ours = external.filter((r) => isDemo(r.from));
    for (const r of external.filter((r) => !isDemo(r.from))) {
      t.diagnostic(`blocked, from a peer's page: ${r.url} (from ${r.from})`);
    }
    assert.deepEqual(ours, [], 'requests off 127.0.0.1');
    assert.deepEqual(consoleErrors, [], 'console errors');
  });
});
