/**
 * What a write changed that the revocation pulse carries (src/config/revocations.ts), computed from
 * the stored object before and after it, so every path that changes a client or a server — the apps
 * and servers APIs, lifecycle calls, secrets, import with or without prune — records the same way:
 *
 * - a client that was ACTIVE and is not (INACTIVE, or deleted) is disabled; one ACTIVE again, enabled;
 * - a client secret that was ACTIVE and is not (INACTIVE, deleted, replaced by an import) is
 *   disabled; one ACTIVE again, enabled — by its id, which is unique across clients (`ocs…`);
 * - likewise an authorization server.
 *
 * Creation is an enablement too: a client or server deleted and created again under the same id
 * within the window must not stay refused. (The log records an enablement only of an id it holds.)
 */

import type { RevocableKind } from "../config/revocations";
import type { Client, ServerConfig } from "../config/schemas";

export interface RevocationChange {
  kind: RevocableKind;
  id: string;
  revoked: boolean;
}

export function clientChanges(before: Client | undefined, after: Client | undefined): RevocationChange[] {
  const changes: RevocationChange[] = [];
  const id = (before ?? after)?.client_id;
  if (id === undefined) return changes;
  const status = statusChange(before?.status === "ACTIVE", after?.status === "ACTIVE");
  if (status !== undefined) changes.push({ kind: "client", id, revoked: status });
  const activeBefore = new Set(before?.secrets.filter((s) => s.status === "ACTIVE").map((s) => s.id));
  const activeAfter = new Set(after?.secrets.filter((s) => s.status === "ACTIVE").map((s) => s.id));
  for (const secretId of activeBefore) {
    if (!activeAfter.has(secretId)) changes.push({ kind: "secret", id: secretId, revoked: true });
  }
  for (const secretId of activeAfter) {
    if (!activeBefore.has(secretId)) changes.push({ kind: "secret", id: secretId, revoked: false });
  }
  return changes;
}

export function serverChanges(
  before: Pick<ServerConfig, "server"> | undefined,
  after: Pick<ServerConfig, "server"> | undefined,
): RevocationChange[] {
  const id = (before ?? after)?.server.id;
  if (id === undefined) return [];
  const status = statusChange(before?.server.status === "ACTIVE", after?.server.status === "ACTIVE");
  return status === undefined ? [] : [{ kind: "server", id, revoked: status }];
}

/** true: disabled by this write; false: enabled by it; undefined: unchanged. */
function statusChange(activeBefore: boolean, activeAfter: boolean): boolean | undefined {
  if (activeBefore === activeAfter) return undefined;
  return activeBefore;
}
