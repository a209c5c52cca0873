-- JWT sessions recorded for listing and revocation (`session: jwt { adapter: … }`): the token
-- stays in the cookie; deleting its row revokes it. The user id is the token's `sub`, any string.

CREATE TABLE auth_jwt_sessions (
    sid TEXT PRIMARY KEY,
    "userId" TEXT NOT NULL,
    created TEXT,
    "lastSeen" TEXT,
    expires TEXT NOT NULL,
    "userAgent" TEXT,
    address TEXT
) STRICT;

CREATE INDEX auth_jwt_sessions_user_id ON auth_jwt_sessions ("userId");
