-- The index of grants that hold a refresh-token family (DESIGN §1 "Directory": "the per-user /
-- per-client index of token grants"): one row per grant, so that the management API can list and
-- revoke a user's or a client's refresh tokens (Okta's OAuth2RefreshToken, `oar…`) and so that a
-- directory write (user deactivation, suspension, deletion, password reset, app deactivation or
-- deletion, unassignment) finds the grants it must revoke in the same request.
--
-- Only an index: whether a grant stands is decided by its Durable Object (src/grants/), never here.
-- A revocation revokes the object first, then marks the row REVOKED, so a failure in between leaves
-- the row ACTIVE and the next sweep finds it again. Revoked rows stay readable by id (Okta shows
-- status REVOKED); deleting the user deletes its rows (ON DELETE CASCADE), after the delete path
-- has revoked every object they name. Times are epoch ms; expires_at NULL = no absolute lifetime
-- (the rule's refreshTokenLifetimeMinutes 0).

CREATE TABLE grant_index (
  id TEXT PRIMARY KEY,                 -- oar… (src/crypto/object-id.ts): the token id the API shows
  grant_id TEXT NOT NULL UNIQUE,       -- the grant's 43-character id (src/grants/grant-id.ts)
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,             -- a client id the control plane holds (D1 cannot reference it)
  server_id TEXT NOT NULL,
  scopes TEXT NOT NULL,                -- JSON array of the scope names granted
  status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
  created INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  expires_at INTEGER
);
-- A user's tokens (optionally one client's) and the apps holding them, by token id.
CREATE INDEX grant_index_user ON grant_index (user_id, client_id, id);
-- A client's tokens: app deactivation, deletion and unassignment.
CREATE INDEX grant_index_client ON grant_index (client_id, id);
-- A server's tokens (optionally one client's): the server's token API and the server's deletion.
CREATE INDEX grant_index_server ON grant_index (server_id, client_id, id);
