/**
 * Consent grants in D1 (migrations/0004_consent_grants.sql): Okta's OAuth2ScopeConsentGrant, one row
 * per user × client × scope × authorization server. The consent page writes them
 * (src/signin/consent.ts, through the `consents` port); the Users API lists and revokes them
 * (src/admin/user-grants.ts). Every query binds its values: no caller's text reaches the SQL.
 */
import { newObjectId } from "../crypto/object-id";

export type ConsentGrantStatus = "ACTIVE" | "REVOKED";

export interface StoredConsentGrant {
  id: string;
  userId: string;
  clientId: string;
  serverId: string;
  scopeId: string;
  scopeName: string;
  issuer: string;
  status: ConsentGrantStatus;
  source: "END_USER" | "ADMIN";
  /** Epoch ms. */
  created: number;
  lastUpdated: number;
}

/** One scope a user allowed on the consent page. */
export interface ConsentedScope {
  id: string;
  name: string;
}

/** What sign-in needs: which scopes stand consented, and recording an "Allow". */
export interface ConsentStore {
  /** Ids of the scopes of `serverId` the user has ACTIVE grants for, for this client. */
  grantedScopeIds(userId: string, clientId: string, serverId: string): Promise<ReadonlySet<string>>;
  /** Records the user's consent to `scopes` (new grants, or REVOKED ones made ACTIVE again). */
  grant(
    subject: { userId: string; clientId: string; serverId: string; issuer: string },
    scopes: readonly ConsentedScope[],
    nowMs: number,
  ): Promise<void>;
}

interface Row {
  id: string;
  user_id: string;
  client_id: string;
  server_id: string;
  scope_id: string;
  scope_name: string;
  issuer: string;
  status: ConsentGrantStatus;
  source: "END_USER" | "ADMIN";
  created: number;
  last_updated: number;
}

function fromRow(row: Row): StoredConsentGrant {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    serverId: row.server_id,
    scopeId: row.scope_id,
    scopeName: row.scope_name,
    issuer: row.issuer,
    status: row.status,
    source: row.source,
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

export function d1Consents(db: D1Database): ConsentStore {
  return {
    async grantedScopeIds(userId, clientId, serverId) {
      const { results } = await db
        .prepare(
          "SELECT scope_id FROM consent_grants WHERE user_id = ?1 AND client_id = ?2 AND server_id = ?3 AND status = 'ACTIVE'",
        )
        .bind(userId, clientId, serverId)
        .all<{ scope_id: string }>();
      return new Set(results.map((r) => r.scope_id));
    },
    async grant(subject, scopes, nowMs) {
      if (scopes.length === 0) return;
      // One batch (one transaction): an "Allow" is recorded whole or not at all. The user row must
      // still exist (a user deleted mid-consent fails the foreign key: nothing is written).
      await db.batch(
        scopes.map((scope) =>
          db
            .prepare(
              `INSERT INTO consent_grants
                 (id, user_id, client_id, server_id, scope_id, scope_name, issuer, status, source, created, last_updated)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'ACTIVE', 'END_USER', ?8, ?8)
               ON CONFLICT (user_id, client_id, server_id, scope_id) DO UPDATE SET
                 status = 'ACTIVE', source = 'END_USER', scope_name = excluded.scope_name,
                 issuer = excluded.issuer, last_updated = excluded.last_updated
               WHERE consent_grants.status = 'REVOKED'`,
            )
            .bind(
              newObjectId("oag"),
              subject.userId,
              subject.clientId,
              subject.serverId,
              scope.id,
              scope.name,
              subject.issuer,
              nowMs,
            ),
        ),
      );
    },
  };
}

/** What the grants API lists: all of a user's ACTIVE grants, or those of one client or one scope. */
export interface GrantQuery {
  userId: string;
  clientId?: string | undefined;
  scopeId?: string | undefined;
  limit: number;
  after?: string | undefined;
}

/** A page of ACTIVE grants by id, and the cursor of the next page while more remain. */
export async function listConsentGrants(
  db: D1Database,
  query: GrantQuery,
): Promise<{ grants: StoredConsentGrant[]; next?: string }> {
  const { results } = await db
    .prepare(
      `SELECT * FROM consent_grants
       WHERE user_id = ?1 AND status = 'ACTIVE' AND id > ?2
         AND (?3 IS NULL OR client_id = ?3) AND (?4 IS NULL OR scope_id = ?4)
       ORDER BY id LIMIT ?5`,
    )
    .bind(query.userId, query.after ?? "", query.clientId ?? null, query.scopeId ?? null, query.limit + 1)
    .all<Row>();
  const grants = results.slice(0, query.limit).map(fromRow);
  return results.length > query.limit ? { grants, next: grants.at(-1)?.id } : { grants };
}

/** One grant of `userId` by id, whatever its status; null when there is none (or it is another user's). */
export async function getConsentGrant(
  db: D1Database,
  userId: string,
  grantId: string,
): Promise<StoredConsentGrant | null> {
  const row = await db
    .prepare("SELECT * FROM consent_grants WHERE id = ?1 AND user_id = ?2")
    .bind(grantId, userId)
    .first<Row>();
  return row ? fromRow(row) : null;
}

/**
 * Revokes `userId`'s ACTIVE grants: one (`grantId`), one client's (`clientId`) or all. The number
 * revoked now (a grant already REVOKED is left as it was).
 */
export async function revokeConsentGrants(
  db: D1Database,
  target: { userId: string; grantId?: string; clientId?: string },
  nowMs: number,
): Promise<number> {
  const result = await db
    .prepare(
      `UPDATE consent_grants SET status = 'REVOKED', last_updated = ?1
       WHERE user_id = ?2 AND status = 'ACTIVE' AND (?3 IS NULL OR id = ?3) AND (?4 IS NULL OR client_id = ?4)`,
    )
    .bind(nowMs, target.userId, target.grantId ?? null, target.clientId ?? null)
    .run();
  return result.meta.changes ?? 0;
}
