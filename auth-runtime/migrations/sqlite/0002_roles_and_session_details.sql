-- Beyond NextAuth's models, in tables of their own so that its four keep @auth/pg-adapter's
-- shape: a user's roles (`roles:` in `auth!`, names separated by spaces) and what the session
-- list shows of a session. No foreign keys, as in PostgreSQL: another server sharing the
-- tables deletes users and sessions without knowing these, and ids are never reused.

CREATE TABLE auth_roles (
    "userId" INTEGER PRIMARY KEY,
    roles TEXT NOT NULL
) STRICT;

CREATE TABLE auth_session_details (
    "sessionToken" TEXT PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    created TEXT,
    "lastSeen" TEXT,
    "userAgent" TEXT,
    address TEXT
) STRICT;

CREATE INDEX auth_session_details_user_id ON auth_session_details ("userId");
