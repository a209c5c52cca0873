// One OpenID Connect sign-in with `response_mode=form_post` in Debian's Chromium, run by
// `tests/form_post_browser.rs` (which starts the app and oidc-provider and reads the exit code).
//
//   APP_URL      the app's origin, on another site than the provider (http://localhost:<port>)
//   ISSUER       the provider's origin (http://127.0.0.1:<port>)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
//
// The provider answers with a page that POSTs the code to the app from the provider's site, a
// cross-site POST that carries none of the app's `SameSite=Lax` cookies. The script checks that
// the app sent that answer again from its own site (the second POST, with `formPostAgain`,
// carries the cookies) and that the browser ends signed in, and prints what it saw.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

import { chromium } from 'playwright-core';

const APP = new URL(process.env.APP_URL).origin;
const ISSUER = new URL(process.env.ISSUER).origin;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AUTH = `${APP}/api/auth`;
const CALLBACK = `${AUTH}/callback/oidc`;
const SUBMIT = 'form button[type="submit"], form input[type="submit"]';

const profile = mkdtempSync(join(tmpdir(), 'auth-form-post-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  // Every POST to the callback: who sent it and which cookies and fields it carried.
  const callbackPosts = [];
  page.on('request', async (request) => {
    if (request.method() === 'POST' && request.url() === CALLBACK) {
      const headers = await request.allHeaders();
      callbackPosts.push({
        origin: headers.origin ?? null,
        cookies: (headers.cookie ?? '').split(/;\s*/).map((c) => c.split('=')[0]).filter(Boolean),
        fields: [...new URLSearchParams(request.postData() ?? '').keys()],
      });
    }
  });

  await page.goto(`${AUTH}/signin`);
  const button = page.getByRole('button', { name: 'Sign in with Form post OP', exact: true });
  await Promise.all([page.waitForURL((url) => url.origin === ISSUER), button.click()]);
  const loginUrl = page.url();
  await page.locator('input[name="login"]').fill('alice');
  await page.locator('input[name="password"]').fill('any password');
  await Promise.all([page.waitForURL((url) => url.href !== loginUrl), page.locator(SUBMIT).first().click()]);
  if (new URL(page.url()).origin === ISSUER && (await page.locator('input[name="prompt"]').count())) {
    await Promise.all([page.waitForURL((url) => url.origin === APP), page.locator(SUBMIT).first().click()]);
  }
  // The provider's form_post page, then ours, then the callback's redirect.
  await page.waitForURL((url) => url.origin === APP && url.href !== CALLBACK, { timeout: 15000 });
  await page.waitForLoadState('load');
  const landed = page.url();

  const session = await (await page.request.get(`${AUTH}/session`)).json();
  const report = { landed, callbackPosts, session };
  console.log(JSON.stringify(report, null, 2));

  assert.equal(callbackPosts.length, 2, 'the provider POSTs once, the app once more');
  const [crossSite, sameSite] = callbackPosts;
  assert.equal(crossSite.origin, ISSUER, 'the first POST comes from the provider');
  assert.ok(!crossSite.cookies.includes('next-auth.state'), 'the cross-site POST has no state cookie');
  assert.ok(!crossSite.fields.includes('formPostAgain'));
  assert.equal(sameSite.origin, APP, 'the second POST comes from the app');
  assert.ok(sameSite.cookies.includes('next-auth.state'), 'the same-site POST brings the state cookie');
  assert.ok(sameSite.cookies.includes('next-auth.nonce'), 'and the nonce cookie');
  assert.ok(sameSite.fields.includes('code') && sameSite.fields.includes('formPostAgain'));
  assert.ok(!new URL(landed).pathname.startsWith('/api/auth/error'), `the callback failed: ${landed}`);
  assert.equal(session.user?.email, 'alice@example.com', 'signed in as alice');
} catch (error) {
  const page = context.pages()[0];
  console.log(`at ${page?.url()}: ${(await page?.locator('body').innerText().catch(() => ''))?.slice(0, 500)}`);
  throw error;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
