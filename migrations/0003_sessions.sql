-- Sign-in sessions (src/signin/session-store.ts): what the `sid` cookie names, and the single-use
-- session tokens `/api/v1/authn` hands out. Times are epoch milliseconds.
--
-- D1 rather than a Durable Object: the Users API ends a user's sessions in the same batch as the
-- lifecycle write that deactivates, suspends or deletes the user (one atomic transaction, nothing
-- to miss), and sessions are read only on /v1/authorize, never on the token path.
--
-- Only SHA-256 digests of the cookie and token values are stored: a copy of this table lets nobody
-- act as a signed-in user.

CREATE TABLE sessions (
  secret_hash TEXT PRIMARY KEY,        -- base64url SHA-256 of the `sid` cookie's value
  id TEXT NOT NULL UNIQUE,             -- the public session id (Okta's Session `id`, `102…`)
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  amr TEXT NOT NULL,                   -- JSON array of RFC 8176 method references, e.g. ["pwd"]
  auth_time INTEGER NOT NULL,          -- when the user last proved a credential in this session
  created INTEGER NOT NULL,
  last_used INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,         -- idle expiry, moved on use, never past max_expires_at
  max_expires_at INTEGER NOT NULL      -- the absolute end of the session
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (max_expires_at);

CREATE TABLE session_tokens (
  token_hash TEXT PRIMARY KEY,         -- base64url SHA-256 of the sessionToken
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX session_tokens_user ON session_tokens (user_id);
