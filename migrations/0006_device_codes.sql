-- Device authorization user codes (RFC 8628 §3.3): what `/activate` looks a typed code up in, to find
-- the Grant Durable Object it belongs to (src/grants/user-code-index.ts). The device code itself
-- names its grant and needs no row here; a user code is 8 letters a person types, so it cannot.
--
-- The code is stored keyed-hashed: HMAC-SHA-256 under a key derived from the Worker's
-- KEY_ENCRYPTION_KEY. A plain SHA-256 would protect nothing (20^8 ≈ 2.6·10^10 codes are enumerated
-- in seconds from a copy of the table); with the key, a copy of D1 alone names no live code. A row
-- is single use (deleted when the user approves or denies) and lives DEVICE_CODE_LIFETIME_SECONDS;
-- expired rows are swept a few at a time by each new one. Times are epoch ms.

CREATE TABLE device_user_codes (
  code_hash TEXT PRIMARY KEY,          -- base64url HMAC-SHA-256 of the canonical code (no dash)
  grant_id TEXT NOT NULL,              -- the device grant (src/grants/grant-id.ts)
  expires_at INTEGER NOT NULL
);
CREATE INDEX device_user_codes_expiry ON device_user_codes (expires_at);
