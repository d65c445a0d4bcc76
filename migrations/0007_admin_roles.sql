-- Admin role assignments (Okta's Role Assignment API for users, `ra…`): which directory users are
-- admins, and of which standard role (src/config/admin-roles.ts says what each role gives). Assigned
-- and removed through /api/v1/users/{userId}/roles (src/admin/user-roles.ts); read at every
-- management-API request made with a user's org access token (src/admin/auth.ts), so a removal or a
-- deactivation takes effect at the next request. Times are epoch milliseconds.
--
-- One assignment per user and role type (Okta refuses a second with 409 E0000090). Deleting the user
-- deletes its assignments (ON DELETE CASCADE: D1 enforces foreign keys).

CREATE TABLE admin_roles (
  id TEXT PRIMARY KEY,                 -- ra… (src/crypto/object-id.ts)
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('SUPER_ADMIN', 'READ_ONLY_ADMIN')),
  created INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  UNIQUE (user_id, type)
);
