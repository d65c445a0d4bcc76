-- The directory (src/directory/): Okta's users, groups, memberships and app assignments.
-- Times are epoch milliseconds. Profiles are JSON objects stored as given (custom attributes
-- included); the standard attributes the API searches on are generated columns over them, so the
-- profile is the one source of truth and the indexes follow it.

CREATE TABLE users (
  id TEXT PRIMARY KEY,                 -- 00u…
  status TEXT NOT NULL,                -- STAGED, PROVISIONED, ACTIVE, RECOVERY, LOCKED_OUT,
                                       -- PASSWORD_EXPIRED, SUSPENDED, DEPROVISIONED
  transitioning_to_status TEXT,
  profile TEXT NOT NULL,               -- JSON: login, email, firstName, lastName, … custom
  login TEXT GENERATED ALWAYS AS (json_extract(profile, '$.login')) VIRTUAL,
  email TEXT GENERATED ALWAYS AS (json_extract(profile, '$.email')) VIRTUAL,
  first_name TEXT GENERATED ALWAYS AS (json_extract(profile, '$.firstName')) VIRTUAL,
  last_name TEXT GENERATED ALWAYS AS (json_extract(profile, '$.lastName')) VIRTUAL,
  -- Okta: login is unique without regard to case. Stored, so the unique index holds it.
  login_key TEXT GENERATED ALWAYS AS (lower(json_extract(profile, '$.login'))) STORED UNIQUE,
  password_hash TEXT,                  -- a PHC string naming its function and parameters; NULL: none
  failed_attempts INTEGER NOT NULL DEFAULT 0,  -- consecutive failed password checks (lockout)
  created INTEGER NOT NULL,
  activated INTEGER,
  status_changed INTEGER,
  last_login INTEGER,
  last_updated INTEGER NOT NULL,
  password_changed INTEGER
);
CREATE INDEX users_status ON users (status, id);
CREATE INDEX users_last_updated ON users (last_updated, id);
CREATE INDEX users_email ON users (lower(email));
CREATE INDEX users_first_name ON users (lower(first_name));
CREATE INDEX users_last_name ON users (lower(last_name));

CREATE TABLE groups (
  id TEXT PRIMARY KEY,                 -- 00g…
  type TEXT NOT NULL,                  -- OKTA_GROUP, or BUILT_IN for Everyone
  profile TEXT NOT NULL,               -- JSON: name, description, … custom
  name TEXT GENERATED ALWAYS AS (json_extract(profile, '$.name')) VIRTUAL,
  -- Okta refuses a second group of the same name (case-insensitively).
  name_key TEXT GENERATED ALWAYS AS (lower(json_extract(profile, '$.name'))) STORED UNIQUE,
  created INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  last_membership_updated INTEGER NOT NULL
);

-- Everyone: Okta's built-in group of every user. Its members are not stored (every user is one);
-- rules name it `EVERYONE` or by this id.
INSERT INTO groups (id, type, profile, created, last_updated, last_membership_updated)
VALUES ('00gEveryone000000000', 'BUILT_IN',
        '{"name":"Everyone","description":"All users in your organization"}', 0, 0, 0);

CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added INTEGER NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, group_id);

-- App assignments (Okta's AppUser / ApplicationGroupAssignment). `app_id` is the client_id of an
-- app the control plane holds; D1 cannot reference it, so deleting an app deletes its rows here.
CREATE TABLE app_users (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  profile TEXT NOT NULL DEFAULT '{}',  -- the app user profile (`appuser.*` in expressions)
  created INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_users_user ON app_users (user_id, app_id);

CREATE TABLE app_groups (
  app_id TEXT NOT NULL,
  group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  priority INTEGER NOT NULL DEFAULT 0,
  profile TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  PRIMARY KEY (app_id, group_id)
);
CREATE INDEX app_groups_group ON app_groups (group_id, app_id);
