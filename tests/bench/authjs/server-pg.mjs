// The Auth.js database-session peer for `cargo xtask bench`: @auth/express 0.12.3 on Express 5
// with @auth/pg-adapter 1.11.3 (`session: { strategy: "database" }`) on the PostgreSQL at
// `DATABASE_URL`, mounted at `/auth` like server.mjs, with `trustHost: true`.
//
//   AUTH_SECRET=... DATABASE_URL=postgres://... PORT=3002 NODE_ENV=production node server-pg.mjs
//
// @auth/core refuses database sessions with Credentials as the only provider, so this one
// declares GitHub with a dummy client: nobody signs in through it; mint-pg.mjs writes the
// session row the bench sends. The tables are @auth/pg-adapter's, which the database
// example's PostgresAdapter creates. Prints `READY <port>` once it listens on 127.0.0.1.
import express from "express";
import { ExpressAuth } from "@auth/express";
import GitHub from "@auth/express/providers/github";
import PostgresAdapter from "@auth/pg-adapter";
import pg from "pg";

const secret = process.env.AUTH_SECRET;
const connectionString = process.env.DATABASE_URL;
if (!secret || !connectionString) {
  console.error("AUTH_SECRET and DATABASE_URL are required");
  process.exit(2);
}

// pg's default pool (10 connections), the size of the sqlx pool the database example reads
// through by default.
const pool = new pg.Pool({ connectionString });

const app = express();
app.set("trust proxy", true);
app.use(
  "/auth",
  ExpressAuth({
    secret,
    trustHost: true,
    adapter: PostgresAdapter(pool),
    session: { strategy: "database" },
    providers: [GitHub({ clientId: "bench-unused", clientSecret: "bench-unused" })],
  }),
);

const port = Number(process.env.PORT ?? 3002);
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`READY ${server.address().port}`);
});
