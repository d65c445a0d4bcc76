-- Consent grants (Okta's OAuth2ScopeConsentGrant, `oag…`): a user's "Allow" on the consent page
-- (src/signin/consent.ts), one row per user × client × scope × authorization server, listed and
-- revoked through /api/v1/users/{userId}/grants (src/admin/user-grants.ts). Times are epoch ms.
--
-- A revoke keeps the row as REVOKED (what the grant was, and who revoked when, stays readable by
-- id); the next consent to the same scope makes the same row ACTIVE again, so the key stays unique.
-- The scope is named by its id: a scope deleted and created again under the same name is a new
-- scope, and the user is asked again. Deleting the user deletes the grants (ON DELETE CASCADE).

CREATE TABLE consent_grants (
  id TEXT PRIMARY KEY,                 -- oag… (src/crypto/object-id.ts)
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  server_id TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  scope_name TEXT NOT NULL,            -- the scope's name when it was granted (the link's title)
  issuer TEXT NOT NULL,                -- the authorization server's issuer when it was granted
  status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
  source TEXT NOT NULL CHECK (source IN ('END_USER', 'ADMIN')),
  created INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  UNIQUE (user_id, client_id, server_id, scope_id)
);
CREATE INDEX consent_grants_user ON consent_grants (user_id, id);
