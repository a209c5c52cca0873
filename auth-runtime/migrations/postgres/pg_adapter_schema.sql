-- The tables of the official @auth/pg-adapter (its schema.sql: SERIAL ids, quoted camelCase
-- columns, TIMESTAMPTZ, the (provider, "providerAccountId") unique key and ON DELETE CASCADE),
-- created only when absent, so that a Next.js app using @auth/pg-adapter and this server can
-- share one database whichever starts first. `PostgresAdapter` runs this script at start-up
-- in one transaction; the advisory lock keeps two servers starting at once from racing on
-- CREATE TABLE IF NOT EXISTS (which is not safe under concurrency in PostgreSQL).
--
-- Tables created earlier from the adapter's documentation page lack the foreign keys and the
-- unique keys; they are left as they are, and `PostgresAdapter` does not rely on them.

SELECT pg_advisory_xact_lock(7236481902637453153);

CREATE TABLE IF NOT EXISTS users (
    id SERIAL,
    name VARCHAR(255),
    email VARCHAR(255) UNIQUE,
    "emailVerified" TIMESTAMPTZ,
    image TEXT,
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS accounts (
    id SERIAL,
    "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
    type VARCHAR(255) NOT NULL,
    provider VARCHAR(255) NOT NULL,
    "providerAccountId" VARCHAR(255) NOT NULL,
    refresh_token TEXT,
    access_token TEXT,
    expires_at BIGINT,
    id_token TEXT,
    scope TEXT,
    session_state TEXT,
    token_type TEXT,
    PRIMARY KEY (id),
    UNIQUE (provider, "providerAccountId")
);

CREATE TABLE IF NOT EXISTS sessions (
    id SERIAL,
    "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
    expires TIMESTAMPTZ NOT NULL,
    "sessionToken" VARCHAR(255) UNIQUE NOT NULL,
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS verification_token (
    identifier TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (identifier, token)
);

-- Beyond @auth/pg-adapter, in tables of their own so that its four stay exactly as it makes
-- them: a user's roles (`roles:` in `auth!`, names separated by spaces) and what the session
-- list shows of a session. No foreign keys: @auth/pg-adapter deletes users and sessions
-- without knowing these tables, and a row left behind names an id that is never reused.
CREATE TABLE IF NOT EXISTS auth_roles (
    "userId" INTEGER NOT NULL,
    roles TEXT NOT NULL,
    PRIMARY KEY ("userId")
);

CREATE TABLE IF NOT EXISTS auth_session_details (
    "sessionToken" VARCHAR(255) NOT NULL,
    "userId" INTEGER NOT NULL,
    created TIMESTAMPTZ,
    "lastSeen" TIMESTAMPTZ,
    "userAgent" TEXT,
    address TEXT,
    PRIMARY KEY ("sessionToken")
);

CREATE INDEX IF NOT EXISTS auth_session_details_user_id ON auth_session_details ("userId");

-- JWT sessions recorded for listing and revocation (`session: jwt { adapter: … }`): the user
-- id is the token's `sub`, any string.
CREATE TABLE IF NOT EXISTS auth_jwt_sessions (
    sid VARCHAR(255) NOT NULL,
    "userId" TEXT NOT NULL,
    created TIMESTAMPTZ,
    "lastSeen" TIMESTAMPTZ,
    expires TIMESTAMPTZ NOT NULL,
    "userAgent" TEXT,
    address TEXT,
    PRIMARY KEY (sid)
);

CREATE INDEX IF NOT EXISTS auth_jwt_sessions_user_id ON auth_jwt_sessions ("userId");

-- Refreshes of a provider's access token under database sessions: one row per provider
-- account while a refresh spends its refresh token, so that of many servers on one database
-- exactly one spends it. `refreshHash` is the SHA-256 of the refresh token, never the token.
CREATE TABLE IF NOT EXISTS auth_refresh_claims (
    provider VARCHAR(255) NOT NULL,
    "providerAccountId" VARCHAR(255) NOT NULL,
    "refreshHash" VARCHAR(64) NOT NULL,
    until TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, "providerAccountId")
);

-- Passkeys (WebAuthn credentials), shaped like Auth.js's `Authenticator` model (its Prisma and
-- Drizzle adapters): the credential id is the key, binary values are base64 text. Beyond the
-- model: `credential` (the verifier's state of the credential, JSON), the name the user gave
-- it, and when it was registered and last used. Unlike the tables above, a passkey goes with
-- its user (ON DELETE CASCADE, as in Auth.js's models), so an app deleting the user through
-- @auth/pg-adapter leaves none behind; this adapter also deletes them itself.
CREATE TABLE IF NOT EXISTS authenticators (
    "credentialID" TEXT NOT NULL,
    "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
    "providerAccountId" TEXT NOT NULL,
    "credentialPublicKey" TEXT NOT NULL,
    counter BIGINT NOT NULL,
    "credentialDeviceType" TEXT NOT NULL,
    "credentialBackedUp" BOOLEAN NOT NULL,
    transports TEXT,
    credential TEXT NOT NULL,
    name TEXT,
    "createdAt" TIMESTAMPTZ NOT NULL,
    "lastUsedAt" TIMESTAMPTZ,
    PRIMARY KEY ("credentialID")
);

CREATE INDEX IF NOT EXISTS authenticators_user_id ON authenticators ("userId");

-- WebAuthn ceremonies in progress: the server's state between the options it sent and the
-- browser's answer, under a random id the browser keeps in a cookie. Taken (deleted) once.
CREATE TABLE IF NOT EXISTS auth_webauthn_challenges (
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id)
);
