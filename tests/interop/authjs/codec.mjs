// @auth/core's own session token `encode` and `decode` (Auth.js v5), one call per run, for
// tests/authjs_tokens.rs: the request is JSON in argv[2], the answer JSON on stdout.
//
//   {"op":"encode","token":{…},"secret":"s" | ["s1","s2"],"salt":"authjs.session-token","maxAge":60}
//     → {"token":"<JWE>"}
//   {"op":"encode-gcm","token":{…},"secret":"s","salt":"…"}
//     → {"token":"<JWE>"}   (dir + A256GCM with @auth/core's key derivation: what it also decodes)
//   {"op":"decode","token":"<JWE>","secret":…,"salt":"…"}
//     → {"payload":{…}} or {"error":"<message>"}
//   {"op":"chunk","name":"authjs.session-token","value":"<JWE>"}
//     → {"cookies":[{"name":…,"value":…},…]}   (@auth/core's SessionStore cutting a cookie)
//   {"op":"join","name":"authjs.session-token","cookies":{"<name>":"<value>",…}}
//     → {"value":"<JWE>"}                       (SessionStore reading the chunks back)

import process from 'node:process';

import { hkdf } from '@panva/hkdf';
import { decode, encode } from '@auth/core/jwt';
import { EncryptJWT, base64url, calculateJwkThumbprint } from 'jose';
// Not among the package's exports: the module file itself, the chunker @auth/core uses.
import { SessionStore } from './node_modules/@auth/core/lib/utils/cookie.js';

const quiet = { debug() {}, warn() {}, error() {} };
const store = (name, cookies) =>
  new SessionStore({ name, options: { httpOnly: true, sameSite: 'lax', path: '/' } }, cookies, quiet);

const request = JSON.parse(process.argv[2]);
const answer = async () => {
  switch (request.op) {
    case 'encode':
      return { token: await encode(request) };
    case 'encode-gcm': {
      const { salt, secret } = request;
      const key = await hkdf('sha256', secret, salt, `Auth.js Generated Encryption Key (${salt})`, 32);
      const kid = await calculateJwkThumbprint({ kty: 'oct', k: base64url.encode(key) }, 'sha256');
      const now = (Date.now() / 1000) | 0;
      const token = await new EncryptJWT(request.token)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
        .setIssuedAt()
        .setExpirationTime(now + 60)
        .setJti(crypto.randomUUID())
        .encrypt(key);
      return { token };
    }
    case 'decode':
      try {
        return { payload: await decode(request) };
      } catch (error) {
        return { error: String(error?.message ?? error) };
      }
    case 'chunk':
      return {
        cookies: store(request.name, {})
          .chunk(request.value, {})
          .map(({ name, value }) => ({ name, value })),
      };
    case 'join':
      return { value: store(request.name, request.cookies).value };
    default:
      throw new Error(`unknown op ${request.op}`);
  }
};
process.stdout.write(JSON.stringify(await answer()));
