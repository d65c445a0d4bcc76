/**
 * What `apply` sends for a plan. Without `--prune`, only the servers, clients and hooks that change:
 * an unchanged server keeps its snapshot version and nothing is republished for it. With `--prune`
 * everything in the file, since the import then deletes whatever its document does not name.
 */
import { fileIssuePath } from "./document";
import type { ImportDocument, ImportDocumentInput } from "./file-schema";
import type { Plan } from "./plan";
import type { PathSegment } from "./values";

type TopLevel = "authorizationServers" | "clients" | "inlineHooks" | "trustedOrigins";
const TOP_LEVEL: readonly string[] = ["authorizationServers", "clients", "inlineHooks", "trustedOrigins"];

export interface ImportRequest {
  document: ImportDocumentInput;
  prune: boolean;
  /** Per list, the file index of each item sent, so a path the server reports names the file's item. */
  positions: Record<TopLevel, number[]>;
}

export function importRequest(plan: Plan, document: ImportDocument): ImportRequest {
  const touched = (kinds: readonly string[]) =>
    new Set(
      plan.changes
        .filter((change) => change.action !== "delete" || change.object.server !== undefined)
        .filter((change) => kinds.includes(change.object.kind))
        .map((change) => change.object.server ?? change.object.key),
    );
  const servers = touched(["authorizationServer", "scope", "claim", "policy", "rule"]);
  const clients = touched(["client"]);
  const hooks = touched(["inlineHook"]);
  const origins = touched(["trustedOrigin"]);
  const pick = <T>(items: readonly T[], key: (item: T) => string, keys: Set<string>) => {
    const positions = items.flatMap((item, i) => (plan.prune || keys.has(key(item)) ? [i] : []));
    return { items: positions.map((i) => items[i] as T), positions };
  };
  const picked = {
    authorizationServers: pick(document.authorizationServers, (c) => c.server.id, servers),
    clients: pick(document.clients, (c) => c.client_id, clients),
    inlineHooks: pick(document.inlineHooks, (h) => h.id, hooks),
    trustedOrigins: pick(document.trustedOrigins, (o) => o.origin, origins),
  };
  return {
    document: {
      authorizationServers: picked.authorizationServers.items,
      clients: picked.clients.items,
      inlineHooks: picked.inlineHooks.items,
      trustedOrigins: picked.trustedOrigins.items,
    },
    prune: plan.prune,
    positions: {
      authorizationServers: picked.authorizationServers.positions,
      clients: picked.clients.positions,
      inlineHooks: picked.inlineHooks.positions,
      trustedOrigins: picked.trustedOrigins.positions,
    },
  };
}

/**
 * A path the server reports against the sent document (`authorizationServers.0.server.name`), as
 * a path into the file; undefined when it does not point into the document.
 */
export function pathInFile(reported: string, request: ImportRequest): PathSegment[] | undefined {
  const path = reported
    .split(".")
    .map((segment): PathSegment => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const [list, index] = path;
  if (typeof list !== "string" || !TOP_LEVEL.includes(list)) return undefined;
  if (typeof index !== "number") return fileIssuePath(path);
  const position = request.positions[list as TopLevel][index];
  return position === undefined ? undefined : fileIssuePath([list, position, ...path.slice(2)]);
}
