// The Auth.js peer for `cargo xtask bench`: @auth/express 0.12.3 on Express 5, mounted at
// `/auth` (Express 5 rejects `'/auth/*'`), with a Credentials provider like the demo's
// (demo / demo), JWT sessions (the default without an adapter) and `trustHost: true`.
//
//   AUTH_SECRET=... PORT=3001 NODE_ENV=production node server.mjs
//
// Prints `READY <port>` once it listens on 127.0.0.1.
import express from "express";
import { ExpressAuth } from "@auth/express";
import Credentials from "@auth/express/providers/credentials";

const secret = process.env.AUTH_SECRET;
if (!secret) {
  console.error("AUTH_SECRET is required");
  process.exit(2);
}

const app = express();
app.set("trust proxy", true);
app.use(
  "/auth",
  ExpressAuth({
    secret,
    trustHost: true,
    providers: [
      Credentials({
        name: "Credentials",
        credentials: {
          username: { label: "Username", type: "text" },
          password: { label: "Password", type: "password" },
        },
        authorize: async (credentials) =>
          credentials?.username === "demo" && credentials?.password === "demo"
            ? { id: "1", name: "Demo User", email: "demo@example.com" }
            : null,
      }),
    ],
  }),
);

const port = Number(process.env.PORT ?? 3001);
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`READY ${server.address().port}`);
});
