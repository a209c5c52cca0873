-- NextAuth v4's models, named as @auth/pg-adapter names them (quoted camelCase columns), so
-- that both SQL adapters run the same statements. Applied once by `SqliteAdapter` at start-up
-- (table `_auth_runtime_migrations`). Never edit a released migration: add the next file.
--
-- Timestamps are RFC 3339 text in UTC. AUTOINCREMENT keeps a deleted user's id from being
-- given to a new user (a session or token naming the old id must not find someone else).

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    email TEXT UNIQUE,
    "emailVerified" TEXT,
    image TEXT
) STRICT;

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    provider TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    refresh_token TEXT,
    access_token TEXT,
    expires_at INTEGER,
    id_token TEXT,
    scope TEXT,
    session_state TEXT,
    token_type TEXT,
    UNIQUE (provider, "providerAccountId")
) STRICT;

CREATE INDEX accounts_user_id ON accounts ("userId");

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires TEXT NOT NULL,
    "sessionToken" TEXT NOT NULL UNIQUE
) STRICT;

CREATE INDEX sessions_user_id ON sessions ("userId");

CREATE TABLE verification_token (
    identifier TEXT NOT NULL,
    expires TEXT NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (identifier, token)
) STRICT;
