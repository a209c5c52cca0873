-- Refreshes of a provider's access token (`Session::access_token` under database sessions):
-- one row per provider account while a refresh spends its refresh token, so that of many
-- servers on one database exactly one spends it. `refreshHash` is the SHA-256 of the refresh
-- token (never the token); `until` is when an unfinished claim may be taken over.

CREATE TABLE auth_refresh_claims (
    provider TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refreshHash" TEXT NOT NULL,
    until TEXT NOT NULL,
    PRIMARY KEY (provider, "providerAccountId")
) STRICT;
