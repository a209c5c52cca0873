// Passkeys in Debian's Chromium with the DevTools virtual authenticator, run by
// `tests/passkeys_browser.rs` (which starts the app and reads the verdicts and the exit code).
//
//   APP_URL      the app's origin, a name and not an IP address (http://localhost:<port>)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
//   SCREENSHOTS  where the PNGs go (default <repo>/target/interop)
//   STEPS        the steps to run, comma-separated (default layout,a,b,c,d,e; f runs alone, in
//                a browser of its own)
//
// The app declares a credentials provider (demo / demo) and a passkey provider, with database
// sessions, and serves `/` and `/v5`: a page that loads Auth.js v5's `next-auth/webauthn`
// unmodified (`window.v5.signIn`). The virtual authenticator is a CTAP2 platform
// authenticator with resident keys and user verification that answers by itself.
//
// Each step prints one verdict line, `ok <step> …` or `FAIL <step> …` followed by what the
// browser saw (its console, the app's answers to /api/auth, the page's text):
//   layout  the sign-in page at phone and desktop width, light and dark (screenshots)
//   a       credentials sign-in, then the v5 client registers a passkey
//   b       sign out, then the sign-in page's button signs in with the passkey
//   c       the page's conditional request (passkey autofill) waits; answered, it signs in
//   d       a bogus signature ends on the error page; reset, the button signs in again
//   e       the v5 client registers a second passkey, signs out, signs in with one
//   f       a new user's passkey, registered by the sign-in page, signs in through the page and
//           through the v5 client
// The exit code is non-zero when any step failed.
//
// Chromium's virtual authenticator environment (`WebAuthn.enable` with `enableUI: false`)
// shows no autofill chooser: it answers a conditional request (the passkey autofill) with the
// authenticator's passkey itself, so with presence simulation on the sign-in page signs in by
// itself as it loads once a passkey exists. Where a step must act first (the button), it turns
// presence simulation off while the page loads, so that the conditional request waits at the
// authenticator, and on again before clicking (`quietLoad`). (With `enableUI: true`, headless
// Chromium offers automation no autofill entry either, and its modal dialogs wait forever.)

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const APP = new URL(process.env.APP_URL).origin;
const AUTH = `${APP}/api/auth`;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = resolve(process.env.SCREENSHOTS || join(here, '..', '..', '..', 'target', 'interop'));
const DEMO = 'demo@example.com';
const STEPS = (process.env.STEPS || 'layout,a,b,c,d,e').split(',');
const EMAIL_INPUT = '#input-email-for-passkey-provider';
const PASSKEY_BUTTON = { name: 'Sign in with Passkey', exact: true };

// Whatever happens, the script ends: a hung ceremony must fail the test, not stall it.
const watchdog = setTimeout(() => {
  console.log('FAIL watchdog: the script did not finish within 4 minutes');
  process.exit(2);
}, 240_000);

mkdirSync(SCREENSHOTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'auth-passkeys-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 1280, height: 800 },
});
const page = context.pages()[0] ?? (await context.newPage());

// What the browser saw, for the failure messages: the page's console and errors, and every
// answer of the app's auth routes (status, and where a redirect or a `{url}` points).
const seen = [];
page.on('console', (message) => {
  if (message.type() !== 'verbose') seen.push(`console.${message.type()}: ${message.text()}`);
});
page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`));
page.on('response', async (response) => {
  const url = new URL(response.url());
  if (url.origin !== APP || !url.pathname.startsWith('/api/auth/')) return;
  const request = response.request();
  let detail = response.headers().location ? ` → ${response.headers().location}` : '';
  if (url.pathname.startsWith('/api/auth/callback/') || url.pathname.startsWith('/api/auth/webauthn-options/')) {
    const body = await response.text().catch(() => '');
    if (body && !detail) detail = ` ${body.slice(0, 300)}`;
  }
  // What a passkey answer carried: its action and user handle (as the client encoded it).
  if (request.method() === 'POST' && url.pathname.startsWith('/api/auth/callback/passkey')) {
    const form = new URLSearchParams(request.postData() ?? '');
    let handle;
    try {
      handle = JSON.parse(form.get('data') ?? '{}')?.response?.userHandle;
    } catch {
      handle = '(data is not JSON)';
    }
    detail += ` (sent action=${form.get('action')}, userHandle ${JSON.stringify(handle ?? null)})`;
  }
  seen.push(`${request.method()} ${url.pathname}${url.search} ${response.status()}${detail}`);
});

// Every WebAuthn call of the pages, observed (the same options pass through, the same promise
// comes back): its mediation and how it ended. Step c reads it.
await page.addInitScript(() => {
  if (!navigator.credentials) return;
  const calls = [];
  Object.defineProperty(window, '__webauthnCalls', { value: calls });
  for (const kind of ['get', 'create']) {
    const original = navigator.credentials[kind].bind(navigator.credentials);
    navigator.credentials[kind] = (options) => {
      const call = { kind, mediation: options?.mediation ?? null, state: 'pending' };
      calls.push(call);
      const answer = original(options);
      answer.then(
        (credential) => (call.state = credential ? 'resolved' : 'null'),
        (error) => (call.state = `rejected ${error.name}: ${error.message}`),
      ).finally(() => console.info(`webauthn ${kind} (mediation ${call.mediation ?? 'none'}) ${call.state}`));
      return answer;
    };
  }
});

// The virtual authenticator (this page's tab only), and what it reports.
const cdp = await context.newCDPSession(page);
await cdp.send('WebAuthn.enable', { enableUI: false });
const addAuthenticator = async () =>
  (
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })
  ).authenticatorId;
// The device in use (step e moves to a second one).
let authenticatorId = await addAuthenticator();
const asserted = [];
cdp.on('WebAuthn.credentialAsserted', (event) => asserted.push(event.credential.credentialId));
cdp.on('WebAuthn.credentialAdded', (event) =>
  seen.push(`authenticator: credential added ${event.credential.credentialId}`),
);

const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
const session = async () => {
  const answer = await page.request.get(`${AUTH}/session`);
  return answer.json();
};
const bodyText = async () => (await page.locator('body').innerText().catch(() => '')).slice(0, 400);

let failures = 0;
/** Runs one step: its verdict line, and on failure what the browser saw meanwhile. */
async function step(name, what, run) {
  if (!STEPS.includes(name)) return;
  const from = seen.length;
  try {
    const summary = await run();
    console.log(`ok ${name} ${what}${summary ? `: ${summary}` : ''}`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name} ${what}: ${error?.message ?? error}`);
    console.log(`  at ${page.url()}: ${JSON.stringify(await bodyText())}`);
    const calls = await page.evaluate(() => window.__webauthnCalls ?? []).catch(() => []);
    if (calls.length) console.log(`  WebAuthn calls on this page: ${JSON.stringify(calls)}`);
    for (const line of seen.slice(from)) console.log(`  | ${line}`);
  }
}

/** Signed-in or signed-out: the session's user's email, or null. */
async function expectUser(email, when) {
  const current = await session();
  assert.equal(current?.user?.email ?? null, email, `${when}: /api/auth/session is ${JSON.stringify(current)}`);
}

const presence = (enabled) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });

/**
 * Loads `url` with presence simulation off, so that the sign-in page's conditional request
 * waits at the authenticator instead of signing in at once, then turns it on again: the next
 * WebAuthn request (the button's) is answered, the waiting one stays as it is.
 */
async function quietLoad(url) {
  await presence(false);
  try {
    await page.goto(url);
    if (new URL(url).pathname === '/api/auth/signin') {
      await page.waitForFunction(() => window.__webauthnCalls?.length > 0, null, { timeout: 5000 }).catch(() => {});
    }
  } finally {
    await presence(true);
  }
}

const away = (from) => (url) => url.pathname !== from;

async function signInWithPassword() {
  await quietLoad(`${AUTH}/signin`);
  await page.locator('#input-username-for-credentials-provider').fill('demo');
  await page.locator('#input-password-for-credentials-provider').fill('demo');
  await Promise.all([
    page.waitForURL(away('/api/auth/signin')),
    page.getByRole('button', { name: 'Sign in with Credentials', exact: true }).click(),
  ]);
  await expectUser(DEMO, 'after the credentials sign-in');
}

/** The built-in sign-out page and its button. */
async function signOut() {
  await page.goto(`${AUTH}/signout`);
  await Promise.all([
    page.waitForURL(away('/api/auth/signout')),
    page.getByRole('button', { name: 'Sign out' }).click(),
  ]);
  await expectUser(null, 'after signing out');
}

const landed = (url) => url.pathname === '/' || url.pathname === '/api/auth/error';

/** Loads the sign-in page with presence simulation on: its conditional request signs in. */
async function loadSignedIn(url) {
  await page.goto(url, { waitUntil: 'commit' });
  try {
    await page.waitForURL(landed, { timeout: 15_000 });
  } catch (error) {
    throw new Error(`the page did not sign in by itself (${error.message.split('\n')[0]})`);
  }
  return new URL(page.url());
}

/**
 * The built-in sign-in page, its conditional request waiting, the email input empty: its
 * passkey button. Returns where the browser ends, and the page's WebAuthn calls as its console
 * reported them.
 */
async function signInByButton() {
  const from = seen.length;
  await quietLoad(`${AUTH}/signin`);
  assert.deepEqual(
    await page.evaluate(() => window.__webauthnCalls),
    [{ kind: 'get', mediation: 'conditional', state: 'pending' }],
    'before the click, the conditional request waits',
  );
  assert.equal(await page.locator(EMAIL_INPUT).inputValue(), '', 'the email input starts empty');
  const button = page.getByRole('button', PASSKEY_BUTTON);
  try {
    await Promise.all([page.waitForURL(landed, { timeout: 15_000 }), button.click()]);
  } catch (error) {
    const shown = await page.locator('.passkey-error').innerText().catch(() => '');
    const why = error.message.split('\n')[0];
    throw new Error(`no sign-in after the button (${why}); the page says ${JSON.stringify(shown)}`);
  }
  const calls = seen.slice(from).filter((line) => line.includes('console.info: webauthn '));
  return { url: new URL(page.url()), calls: calls.map((line) => line.replace('console.info: webauthn ', '')) };
}

/** `/v5`, once `next-auth/webauthn` has loaded. */
async function openV5() {
  await page.goto(`${APP}/v5`);
  await page.waitForFunction(() => document.documentElement.dataset.v5 === 'ready', null, { timeout: 10_000 });
}

/** `signIn(provider, options)` of `next-auth/webauthn` with `redirect: false`: its answer. */
async function v5SignIn(provider, options) {
  await openV5();
  const outcome = await page.evaluate(
    async ([provider, options]) => {
      try {
        return { result: (await window.v5.signIn(provider, { ...options, redirect: false })) ?? null };
      } catch (error) {
        return { thrown: String(error?.stack ?? error) };
      }
    },
    [provider, options],
  );
  assert.ok(!outcome.thrown, `signIn threw: ${outcome.thrown}`);
  return outcome.result;
}

/**
 * The resident credentials of the authenticator, and those of devices gone before, as the
 * app's `GET /passkeys` lists them.
 */
async function expectPasskeys(count, elsewhere = []) {
  const held = [...elsewhere, ...(await credentials())];
  assert.equal(held.length, count, `the authenticators hold ${held.length} credentials`);
  for (const credential of held) {
    assert.equal(credential.isResidentCredential, true, 'a resident credential (a passkey)');
    assert.equal(credential.rpId, 'localhost');
  }
  const answer = await page.request.get(`${AUTH}/passkeys`);
  assert.equal(answer.status(), 200, `GET /api/auth/passkeys: ${await answer.text()}`);
  const listed = await answer.json();
  assert.equal(listed.length, count, `GET /api/auth/passkeys lists ${JSON.stringify(listed)}`);
  // The app's ids are the credential ids in standard base64, as DevTools reports them.
  assert.deepEqual(listed.map((p) => p.id).sort(), held.map((c) => c.credentialId).sort());
  return listed;
}

try {
  await step('layout', 'the sign-in page at 390 px and 1280 px, light and dark', async () => {
    const shots = [];
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
        await page.setViewportSize(viewport);
        await page.goto(`${AUTH}/signin`);
        const label = `passkeys-signin-${viewport.width}-${colorScheme}`;
        const path = join(SCREENSHOTS, `${label}.png`);
        await page.screenshot({ path, fullPage: true });
        shots.push(path);
        const m = await page.evaluate(
          ([input, buttonText]) => {
            const box = (el) => {
              const r = el.getBoundingClientRect();
              const cs = getComputedStyle(el);
              return {
                left: r.left,
                right: r.right,
                width: r.width,
                height: r.height,
                shown: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none',
                clipped: el.scrollWidth > el.clientWidth + 1,
              };
            };
            const button = [...document.querySelectorAll('button')].find((b) => b.innerText.trim() === buttonText);
            const card = document.querySelector('.card');
            return {
              viewport: window.innerWidth,
              scrollWidth: document.documentElement.scrollWidth,
              dark: matchMedia('(prefers-color-scheme: dark)').matches,
              card: card && box(card),
              input: box(document.querySelector(input)),
              button: button ? box(button) : null,
            };
          },
          [EMAIL_INPUT, PASSKEY_BUTTON.name],
        );
        const where = `${label}: ${JSON.stringify(m)}`;
        assert.equal(m.dark, colorScheme === 'dark', `${where}: the colour scheme`);
        assert.ok(m.scrollWidth <= m.viewport, `${where}: the page scrolls sideways`);
        assert.ok(m.button, `${where}: no "${PASSKEY_BUTTON.name}" button`);
        for (const [what, b] of [['the email input', m.input], ['the passkey button', m.button]]) {
          assert.ok(b.shown, `${where}: ${what} is not visible`);
          assert.ok(b.left >= 0 && b.right <= m.viewport, `${where}: ${what} leaves the viewport`);
          assert.ok(b.left >= m.card.left && b.right <= m.card.right, `${where}: ${what} leaves the card`);
          assert.ok(!b.clipped, `${where}: ${what}'s content overflows it`);
        }
        assert.ok(await page.getByRole('button', PASSKEY_BUTTON).isVisible(), `${where}: the button`);
        assert.ok(await page.locator(EMAIL_INPUT).isVisible(), `${where}: the email input`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    return `${shots.length} screenshots in ${SCREENSHOTS}`;
  });

  await step('a', 'demo/demo signs in, the v5 client registers a passkey', async () => {
    await signInWithPassword();
    const result = await v5SignIn('passkey', { action: 'register', callbackUrl: `${APP}/` });
    assert.ok(
      result?.ok && !result.error,
      `signIn("passkey", {action: "register"}) answered ${JSON.stringify(result)}`,
    );
    await expectUser(DEMO, 'after registering');
    const [listed] = await expectPasskeys(1);
    const transports = listed.transports.join(',') || 'none';
    return (
      `registered ${listed.id} (${listed.deviceType}, transports ${transports}); ` +
      'one resident credential, listed by GET /api/auth/passkeys'
    );
  });

  await step('b', "signed out, the sign-in page's passkey button signs in (email empty)", async () => {
    await signOut();
    const before = asserted.length;
    const { url, calls } = await signInByButton();
    assert.equal(url.pathname, '/', `the sign-in ended at ${url}`);
    await expectUser(DEMO, 'after the passkey sign-in');
    assert.equal(asserted.length, before + 1, 'the authenticator signed one assertion');
    assert.equal(calls.length, 2, `the page's WebAuthn calls: ${calls}`);
    assert.match(calls[0], /^get \(mediation conditional\) rejected AbortError/, 'it aborts the conditional one');
    assert.equal(calls[1], 'get (mediation none) resolved', "the button's own request is answered");
    return (
      `the button aborted the waiting conditional request, its own get() was answered, ` +
      `landed on ${url.pathname}; /api/auth/session is demo's`
    );
  });

  await step('c', "conditional UI: the sign-in page's autofill request", async () => {
    await signOut();
    // The request waits at the authenticator (presence simulation off).
    await quietLoad(`${AUTH}/signin`);
    const available = await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable());
    assert.equal(available, true, 'isConditionalMediationAvailable()');
    assert.equal(await page.locator(EMAIL_INPUT).getAttribute('autocomplete'), 'username webauthn');
    const pending = [{ kind: 'get', mediation: 'conditional', state: 'pending' }];
    assert.deepEqual(await page.evaluate(() => window.__webauthnCalls), pending, 'one conditional request, pending');
    // A user focuses the email input: Chromium shows automation no chooser to pick from, and
    // nothing changes.
    const before = asserted.length;
    await page.locator(EMAIL_INPUT).focus();
    await page.waitForTimeout(1500);
    const focused = await page.evaluate(() => document.activeElement?.id);
    assert.equal(focused, EMAIL_INPUT.slice(1), 'the input has the focus');
    assert.deepEqual(await page.evaluate(() => window.__webauthnCalls), pending, 'after the focus, still pending');
    assert.equal(new URL(page.url()).pathname, '/api/auth/signin', 'nothing signed in');
    assert.equal(asserted.length, before, 'no assertion');
    // Presence simulation on: the virtual environment answers a conditional request as a
    // user's pick would, and the page's conditional path alone signs in, no button.
    const from = seen.length;
    const url = await loadSignedIn(`${AUTH}/signin`);
    const calls = seen.slice(from).filter((line) => line.includes('console.info: webauthn '));
    assert.equal(url.pathname, '/', `the conditional sign-in ended at ${url}`);
    const resolved = 'console.info: webauthn get (mediation conditional) resolved';
    assert.ok(calls.includes(resolved), `the page's WebAuthn calls: ${calls}`);
    assert.ok(!calls.some((line) => line.includes('(mediation none)')), `no other request: ${calls}`);
    assert.equal(asserted.length, before + 1, 'the authenticator signed one assertion');
    await expectUser(DEMO, 'after the conditional sign-in');
    return (
      'isConditionalMediationAvailable() is true; the conditional get() waits, and focusing the email input ' +
      'changes nothing; with presence simulation on, the conditional request alone signs in on load (no button). ' +
      'Picking the passkey from the autofill list is not automatable: with DevTools\' enableUI: false Chromium ' +
      'shows no chooser and answers the conditional request itself'
    );
  });

  await step('d', 'a bogus signature ends on the error page; reset, the button signs in', async () => {
    if ((await session())?.user) await signOut();
    await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: true });
    let refused;
    try {
      refused = await signInByButton();
    } finally {
      await cdp.send('WebAuthn.setResponseOverrideBits', {
        authenticatorId,
        isBogusSignature: false,
        isBadUV: false,
        isBadUP: false,
      });
    }
    const { url } = refused;
    assert.equal(url.pathname, '/api/auth/error', `the bogus sign-in ended at ${url}`);
    assert.equal(url.searchParams.get('error'), 'WebAuthnVerificationError', `the error page's code (${url})`);
    await expectUser(null, 'after the bogus signature');
    const again = await signInByButton();
    assert.equal(again.url.pathname, '/', `the sign-in after the reset ended at ${again.url}`);
    await expectUser(DEMO, 'after the reset');
    return `refused: ended on ${url.pathname}${url.search}, no session; after the reset the button signs in`;
  });

  await step('e', 'the v5 client: a second passkey (on a second device), sign out, signIn("passkey")', async () => {
    if (!(await session())?.user) await signInWithPassword();
    // A second passkey lives on another authenticator: the options exclude the user's passkeys,
    // and the first device, which holds one, refuses to make another (InvalidStateError). The
    // user is on a second device now; the first one is put away.
    const first = await credentials();
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = await addAuthenticator();
    const registered = await v5SignIn('passkey', { action: 'register', callbackUrl: `${APP}/` });
    assert.ok(
      registered?.ok && !registered.error,
      `signIn("passkey", {action: "register"}) answered ${JSON.stringify(registered)}`,
    );
    await expectPasskeys(2, first);
    const [second] = await credentials();
    await signOut();
    // signIn("passkey") as an app calls it: the client navigates to the answer's URL itself.
    await openV5();
    const before = asserted.length;
    await Promise.all([
      page.waitForURL((url) => landed(url) && url.search !== '', { timeout: 15_000 }),
      page.evaluate((callbackUrl) => {
        window.v5.signIn('passkey', { callbackUrl }).catch((error) => console.error(`signIn threw: ${error}`));
      }, `${APP}/?via=next-auth-webauthn`),
    ]);
    const url = new URL(page.url());
    assert.equal(`${url.pathname}${url.search}`, '/?via=next-auth-webauthn', `signIn("passkey") ended at ${url}`);
    await expectUser(DEMO, 'after signIn("passkey")');
    assert.deepEqual(asserted.slice(before), [second.credentialId], 'the second passkey signed one assertion');
    return (
      `a second passkey registered from a second device (${second.credentialId}), both listed; ` +
      `signed out; signIn("passkey") signed in with it and went to ${url.pathname}${url.search}, demo's session`
    );
  });

  const f = "a new user's passkey registered by the sign-in page signs in through the page and the v5 client";
  await step('f', f, async () => {
    // A visitor types an address no user has: the page's script registers a passkey (no email
    // provider is declared, so the server allows it) and signs the new user in.
    const email = 'newcomer@example.com';
    await quietLoad(`${AUTH}/signin`);
    await page.locator(EMAIL_INPUT).fill(email);
    await Promise.all([
      page.waitForURL(landed, { timeout: 15_000 }),
      page.getByRole('button', PASSKEY_BUTTON).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/', `the registration ended at ${page.url()}`);
    await expectUser(email, 'after the registration on the sign-in page');
    const [held] = await credentials();
    await signOut();
    // The page signs in with it (its conditional request, on load).
    const url = await loadSignedIn(`${AUTH}/signin`);
    assert.equal(url.pathname, '/', `the page's sign-in ended at ${url}`);
    await expectUser(email, "after the page's sign-in");
    await signOut();
    // Auth.js v5's client signs in with the same passkey.
    const result = await v5SignIn('passkey', { callbackUrl: `${APP}/` });
    assert.ok(
      result?.ok && !result.error,
      `signIn("passkey") with the passkey the sign-in page registered (user handle ${held.userHandle}, ` +
        `${Buffer.from(held.userHandle, 'base64').length} bytes) answered ${JSON.stringify(result)}`,
    );
    await expectUser(email, 'after signIn("passkey")');
    return 'registered by the page, signed in by the page and by signIn("passkey")';
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}

console.log(failures ? `${failures} step(s) failed` : 'all steps passed');
process.exitCode = failures ? 1 : 0;
