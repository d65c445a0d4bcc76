-- Failed password checks that no user's lockout counter takes (src/directory/sign-in.ts): a login
-- that names no user, a user without a password, or a user whose status refuses sign-in (LOCKED_OUT,
-- SUSPENDED, STAGED, …). Each such failure adds one to its login's bucket here, so that it runs a
-- write that changes one row at the primary exactly as a wrong password's `failed_attempts + 1` does:
-- without it an unknown login answered ~20 ms sooner than a known one (no write), which told an
-- attacker which logins exist (DESIGN §8: no user enumeration by timing).
--
-- Bounded by construction: a login is counted under a bucket, a hash of its login key modulo
-- SIGN_IN_FAILURE_BUCKETS (src/config/defaults.ts), so however many logins are tried the table holds
-- at most that many rows. The counts say how much guessing goes on, not who was guessed.
-- Times are epoch ms.
--
-- The two indexes make the write cost what a counted failure on `users` costs, not only the same
-- round trip: that UPDATE assigns `status` and `last_updated`, so SQLite rewrites the entries of
-- users_status and users_last_updated beside the row, three b-tree pages in all; a bare upsert of a
-- small row would touch one. Each upsert here changes both indexed keys, three pages too. They also
-- answer what an admin asks of this table: the buckets guessed most recently, and most.

CREATE TABLE sign_in_failures (
  bucket INTEGER PRIMARY KEY,          -- 0 … SIGN_IN_FAILURE_BUCKETS - 1
  failed_attempts INTEGER NOT NULL,
  last_failed INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_recent ON sign_in_failures (last_failed, bucket);
CREATE INDEX sign_in_failures_most ON sign_in_failures (failed_attempts, bucket);
