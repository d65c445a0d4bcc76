-- The system log (src/log/): Okta LogEvents, one row each, or one row per counted key and minute.
-- `seq` is the order rows were stored (or last counted into): polling cursors follow it, so an
-- event that reached the queue late is still seen by a poller that passed its `published` time.
CREATE TABLE system_log (
  uuid TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  published INTEGER NOT NULL,          -- epoch ms
  event_type TEXT NOT NULL,
  severity TEXT NOT NULL,
  outcome TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  agg_key TEXT UNIQUE,                 -- set on counted rows: one row per key (window included)
  event TEXT NOT NULL                  -- the LogEvent JSON
);
CREATE UNIQUE INDEX system_log_seq ON system_log (seq);
CREATE INDEX system_log_published ON system_log (published);
CREATE INDEX system_log_type_seq ON system_log (event_type, seq);

-- Contributions already counted (at-least-once delivery, exactly-once counting); kept as long as a
-- queue may redeliver, then deleted by the retention cron.
CREATE TABLE system_log_contributions (
  id TEXT PRIMARY KEY,
  received INTEGER NOT NULL            -- epoch ms
);
CREATE INDEX system_log_contributions_received ON system_log_contributions (received);
