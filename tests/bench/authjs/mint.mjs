// Prints a valid `authjs.session-token` value for the Auth.js peer: the JWE `encode` from
// `@auth/core/jwt` makes, with salt = the cookie name, for the same user the demo signs in.
//
//   AUTH_SECRET=... node mint.mjs
import { encode } from "@auth/core/jwt";

const secret = process.env.AUTH_SECRET;
if (!secret) {
  console.error("AUTH_SECRET is required");
  process.exit(2);
}

const token = await encode({
  token: { name: "Demo User", email: "demo@example.com", sub: "1" },
  secret,
  salt: "authjs.session-token",
  maxAge: 30 * 24 * 60 * 60,
});
process.stdout.write(`${token}\n`);
