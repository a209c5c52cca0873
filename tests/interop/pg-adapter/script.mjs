// The official @auth/pg-adapter's side of tests/adapter_pg_interop.rs.
//
//   node script.mjs write <tag>    stores a user, an account, a session and a verification
//                                  token the way a Next.js app with @auth/pg-adapter does
//   node script.mjs read <tag>     reads back what the Rust PostgresAdapter stored for <tag>,
//                                  uses its verification token, then moves its session's expiry
//   node script.mjs delete <id>    deletes a user with the official adapter
//
// Environment: DATABASE_URL (postgres://…) and AUTH_TEST_SCHEMA (the schema the test made;
// it becomes the connections' search_path). Prints one JSON object on stdout.

import PostgresAdapter from "@auth/pg-adapter";
import pg from "pg";

const [command, arg] = process.argv.slice(2);
const { DATABASE_URL, AUTH_TEST_SCHEMA } = process.env;
if (!command || !arg || !DATABASE_URL || !AUTH_TEST_SCHEMA) {
  console.error("usage: DATABASE_URL=… AUTH_TEST_SCHEMA=… node script.mjs write|read|delete <tag|id>");
  process.exit(2);
}

// The values tests/adapter_pg_interop.rs expects (it repeats them).
const NODE_EMAIL_VERIFIED = new Date("2030-01-02T03:04:05.678Z");
const NODE_SESSION_EXPIRES = new Date("2030-02-03T04:05:06.789Z");
const NODE_TOKEN_EXPIRES = new Date("2030-03-04T05:06:07.890Z");
const NODE_SESSION_UPDATED = new Date("2031-04-05T06:07:08.901Z");

const pool = new pg.Pool({
  connectionString: DATABASE_URL,
  options: `-c search_path=${AUTH_TEST_SCHEMA}`,
  max: 2,
});
const adapter = PostgresAdapter(pool);

async function write(tag) {
  const user = await adapter.createUser({
    name: "Node User",
    email: `node-${tag}@example.com`,
    emailVerified: NODE_EMAIL_VERIFIED,
    image: "https://example.com/node.png",
  });
  await adapter.linkAccount({
    userId: user.id,
    type: "oauth",
    provider: "node-provider",
    providerAccountId: `node-${tag}`,
    access_token: "node-access-token",
    refresh_token: "node-refresh-token",
    expires_at: 1900000001,
    token_type: "bearer",
    scope: "openid email",
    id_token: "node.id.token",
    session_state: "node-session-state",
  });
  await adapter.createSession({
    sessionToken: `node-session-${tag}`,
    userId: user.id,
    expires: NODE_SESSION_EXPIRES,
  });
  await adapter.createVerificationToken({
    identifier: `node-${tag}@example.com`,
    token: `node-hash-${tag}`,
    expires: NODE_TOKEN_EXPIRES,
  });
  return { user };
}

async function read(tag) {
  const email = `rust-${tag}@example.com`;
  const byEmail = await adapter.getUserByEmail(email);
  const byAccount = await adapter.getUserByAccount({
    provider: "rust-provider",
    providerAccountId: `rust-${tag}`,
  });
  const sessionAndUser = await adapter.getSessionAndUser(`rust-session-${tag}`);
  // The adapter has no getAccount: read the row the way it wrote its own.
  const { rows } = await pool.query(
    `SELECT * FROM accounts WHERE provider = $1 AND "providerAccountId" = $2`,
    ["rust-provider", `rust-${tag}`],
  );
  // A right token with another address finds nothing; the right pair finds it once.
  const wrongIdentifier = await adapter.useVerificationToken({
    identifier: `node-${tag}@example.com`,
    token: `rust-hash-${tag}`,
  });
  const token = await adapter.useVerificationToken({ identifier: email, token: `rust-hash-${tag}` });
  const tokenAgain = await adapter.useVerificationToken({ identifier: email, token: `rust-hash-${tag}` });
  await adapter.updateSession({ sessionToken: `rust-session-${tag}`, expires: NODE_SESSION_UPDATED });
  return { byEmail, byAccount, sessionAndUser, account: rows[0] ?? null, wrongIdentifier, token, tokenAgain };
}

try {
  let result;
  if (command === "write") result = await write(arg);
  else if (command === "read") result = await read(arg);
  else if (command === "delete") result = { deleted: await adapter.deleteUser(arg) ?? null };
  else throw new Error(`unknown command ${command}`);
  // Dates become ISO strings (toJSON); ids stay as node-postgres gives them.
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await pool.end();
}
