/**
 * The file and the server's documents, converted both ways: a file becomes the body of
 * `POST /api/v1/warden/import` (servers nested as `{server, scopes, claims, policies}`, priorities
 * as ranks 1..n), and an export becomes a lean file (list order for priority, no default values).
 */

import { type ServerConfig, withoutHookSecret } from "../config/schemas";
import { normalisePriorities } from "../control-plane/priorities";
import type { ExportDocument, ImportDocumentInput, WardenFile, WardenFileInput } from "./file-schema";
import type { PathSegment } from "./values";
import { leanObject } from "./without-defaults";

/**
 * The items in their list order, each with its rank (1 first) by priority, the list order where
 * none is given or two are equal — the control plane's own rule, so what the file means is what
 * Warden stores.
 */
export function withRanks<T extends { priority?: number | undefined }>(
  items: readonly T[],
): (T & { priority: number })[] {
  // Ranked by list index, not by id: ids are not yet known to be unique here.
  const ranked = normalisePriorities(
    items.map((item, i) => ({ id: String(i), priority: item.priority ?? i + 1 })),
  );
  const rank: number[] = [];
  for (const { id, priority } of ranked) rank[Number(id)] = priority;
  return items.map((item, i) => ({ ...item, priority: rank[i] as number }));
}

/** Items keep their file positions, so a path the server reports maps straight back (see {@link fileIssuePath}). */
export function toImportDocument(file: WardenFile): ImportDocumentInput {
  return {
    authorizationServers: file.authorizationServers.map(
      ({ scopes, claims, policies, trustedServers, ...server }) => ({
        server,
        scopes,
        claims,
        trustedServers,
        policies: withRanks(policies).map(({ rules, ...policy }) => ({ ...policy, rules: withRanks(rules) })),
      }),
    ),
    clients: file.clients,
    inlineHooks: file.inlineHooks,
    trustedOrigins: file.trustedOrigins,
  };
}

/** A path into the import document as a path into the file: only a server's own fields move. */
export function fileIssuePath(path: readonly PathSegment[]): PathSegment[] {
  return path[0] === "authorizationServers" && path[2] === "server"
    ? [path[0], path[1] as PathSegment, ...path.slice(3)]
    : [...path];
}

/** In evaluation order, without `priority`: in the file the order says it. */
function inOrder<T extends { id: string; priority: number }>(items: readonly T[]): Omit<T, "priority">[] {
  return normalisePriorities(items).map(({ priority: _priority, ...rest }) => rest);
}

function exportServer(config: ServerConfig): Record<string, unknown> {
  const policies = inOrder(config.policies).map(({ rules, ...policy }) => ({
    ...leanWithoutPriority("policy", policy),
    ...(rules.length > 0 ? { rules: inOrder(rules).map((rule) => leanWithoutPriority("rule", rule)) } : {}),
  }));
  return {
    ...leanObject("authorizationServer", config.server),
    ...(config.scopes.length > 0 ? { scopes: config.scopes.map((s) => leanObject("scope", s)) } : {}),
    ...(config.claims.length > 0 ? { claims: config.claims.map((c) => leanObject("claim", c)) } : {}),
    ...(policies.length > 0 ? { policies } : {}),
    ...((config.trustedServers ?? []).length > 0 ? { trustedServers: config.trustedServers } : {}),
  };
}

/** Defaults are judged with a placeholder priority, which is then dropped again. */
function leanWithoutPriority(kind: "policy" | "rule", item: Record<string, unknown>) {
  const { priority: _priority, ...lean } = leanObject(kind, { ...item, priority: 1 });
  return lean;
}

/** The live configuration as a file: what `warden export` writes. Secrets are not in the export to begin with. */
export function toWardenFile(exported: ExportDocument): WardenFileInput {
  const file = {
    authorizationServers: exported.authorizationServers.map(exportServer),
    clients: exported.clients.map((client) => leanObject("client", client)),
    inlineHooks: exported.inlineHooks.map((hook) => leanObject("inlineHook", withoutHookSecret(hook))),
    trustedOrigins: exported.trustedOrigins.map((origin) => leanObject("trustedOrigin", origin)),
  };
  return file as WardenFileInput;
}
