/**
 * The grant index port (src/directory/grant-index.ts) in memory, for the unit tier's token
 * pipeline: it keeps what was indexed and answers an `oar…` id per grant (the same id for the same
 * grant, as D1's does). Who may hold a grant is the worker tier's to test, on the real D1.
 */
import { newObjectId } from "../../src/crypto/object-id";
import type { GrantIndex, GrantIndexEntry } from "../../src/directory/grant-index";

export interface MemoryGrantIndex extends GrantIndex {
  readonly entries: Map<string, GrantIndexEntry & { id: string }>;
  readonly revoked: Set<string>;
}

export function memoryGrantIndex(): MemoryGrantIndex {
  const entries = new Map<string, GrantIndexEntry & { id: string }>();
  const revoked = new Set<string>();
  return {
    entries,
    revoked,
    async markRevoked(grantId) {
      if (entries.has(grantId)) revoked.add(grantId);
    },
    async indexGrant(entry) {
      const known = entries.get(entry.grantId);
      if (known) return known.id;
      const id = newObjectId("oar");
      entries.set(entry.grantId, { ...entry, id });
      return id;
    },
  };
}
