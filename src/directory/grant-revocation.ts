/**
 * Revokes the indexed grants a selector names (src/directory/grant-index.ts): each grant's Durable
 * Object first (`GrantPort.revoke`, where the truth lives: its access tokens stop at userinfo and
 * introspection, its refresh family stops rotating), then its row is marked REVOKED. A revocation
 * that fails leaves its row ACTIVE, so the next sweep (a retry, or the user's deletion) finds it.
 *
 * The directory writes call this in the request that makes them (issue 12 item 3: "the directory
 * write does it, not a later sweep that could be missed"), with at most GRANT_REVOCATION_PARALLELISM
 * object calls in flight and at most GRANT_REVOCATION_MAX_PER_REQUEST in one request (the Workers
 * limit on subrequests).
 */
import {
  GRANT_REVOCATION_BATCH,
  GRANT_REVOCATION_MAX_PER_REQUEST,
  GRANT_REVOCATION_PARALLELISM,
} from "../config/defaults";
import type { GrantPort } from "../grants/grant-port";
import { activeGrantBatch, type GrantSelector, type IndexedGrant, markRevoked } from "./grant-index";

export interface RevocationSweep {
  /** The grants whose objects were revoked and rows marked now. */
  revoked: IndexedGrant[];
  /** Grants whose object could not be revoked (their rows stay ACTIVE). */
  failed: IndexedGrant[];
  /** Whether ACTIVE rows may remain beyond this request's cap. */
  truncated: boolean;
}

export async function revokeIndexedGrants(
  db: D1Database,
  grants: Pick<GrantPort, "revoke">,
  selector: GrantSelector,
  nowMs: number,
): Promise<RevocationSweep> {
  const sweep: RevocationSweep = { revoked: [], failed: [], truncated: false };
  // A cursor by token id, not "the ACTIVE rows again": a row whose object failed stays ACTIVE and
  // must not be picked up forever.
  let after = "";
  for (;;) {
    const room = GRANT_REVOCATION_MAX_PER_REQUEST - sweep.revoked.length - sweep.failed.length;
    if (room <= 0) {
      sweep.truncated = true;
      break;
    }
    const batch = await activeGrantBatch(db, selector, after, Math.min(GRANT_REVOCATION_BATCH, room));
    if (batch.length === 0) break;
    after = batch.at(-1)?.id ?? after;
    const outcomes = await inPool(batch, GRANT_REVOCATION_PARALLELISM, (g) =>
      grants.revoke(g.grantId, nowMs),
    );
    const done = batch.filter((_, i) => outcomes[i]);
    await markRevoked(
      db,
      done.map((g) => g.grantId),
      nowMs,
    );
    sweep.revoked.push(...done.map((g) => ({ ...g, status: "REVOKED" as const, lastUpdated: nowMs })));
    sweep.failed.push(...batch.filter((_, i) => !outcomes[i]));
    if (batch.length < GRANT_REVOCATION_BATCH) break;
  }
  return sweep;
}

/** Runs `task` over `items` with at most `width` in flight; whether each succeeded, in order. */
async function inPool<T>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<void>,
): Promise<boolean[]> {
  const outcomes: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await task(items[i] as T);
        outcomes[i] = true;
      } catch {
        outcomes[i] = false;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return outcomes;
}
