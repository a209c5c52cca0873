-- Passkeys (WebAuthn credentials), shaped like Auth.js's `Authenticator` model (its Prisma and
-- Drizzle adapters) so that the rows mean the same to an Auth.js app: the credential id is
-- the key, binary values are base64 text, `credentialBackedUp` is 0 or 1. Beyond the model:
-- `credential` (the verifier's state of the credential, JSON), the name the user gave it, and
-- when it was registered and last used. A passkey goes with its user (the adapter also deletes
-- them itself, as it does accounts and sessions).

CREATE TABLE authenticators (
    "credentialID" TEXT PRIMARY KEY,
    "userId" INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    "providerAccountId" TEXT NOT NULL,
    "credentialPublicKey" TEXT NOT NULL,
    counter INTEGER NOT NULL,
    "credentialDeviceType" TEXT NOT NULL,
    "credentialBackedUp" INTEGER NOT NULL CHECK ("credentialBackedUp" IN (0, 1)),
    transports TEXT,
    credential TEXT NOT NULL,
    name TEXT,
    "createdAt" TEXT NOT NULL,
    "lastUsedAt" TEXT
) STRICT;

CREATE INDEX authenticators_user_id ON authenticators ("userId");

-- WebAuthn ceremonies in progress: the server's state between the options it sent and the
-- browser's answer, under a random id the browser keeps in a cookie. Taken (deleted) once.

CREATE TABLE auth_webauthn_challenges (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires TEXT NOT NULL
) STRICT;
