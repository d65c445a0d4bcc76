/**
 * The file and the server's documents, converted both ways: a file becomes the body of
 * `POST /api/v1/warden/import` (servers nested as `{server, scopes, claims, policies}`, priorities
 * as ranks 1..n), and an export becomes a lean file (list order for priority, no default values).
 */
import { normalisePriorities } from "../config/priorities";
import {
  AuthorizationServer,
  Claim,
  InlineHook,
  Policy,
  Rule,
  Scope,
  type ServerConfig,
} from "../config/schemas";
import {
  type ExportDocument,
  FileClient,
  type ImportDocumentInput,
  type WardenFile,
  type WardenFileInput,
} from "./file-schema";
import type { PathSegment } from "./values";
import { withoutDefaults } from "./without-defaults";

/**
 * Each item's rank (1 first) by priority, the list order where none is given or two are equal —
 * the control plane's own rule, so what the file means is what Warden stores.
 */
export function ranks(priorities: readonly (number | undefined)[]): number[] {
  const ranked = normalisePriorities(
    priorities.map((priority, i) => ({ id: String(i), priority: priority ?? i + 1 })),
  );
  const byIndex: number[] = [];
  for (const item of ranked) byIndex[Number(item.id)] = item.priority;
  return byIndex;
}

function withRanks<T extends { priority?: number | undefined }>(
  items: readonly T[],
): (T & { priority: number })[] {
  const rank = ranks(items.map((item) => item.priority));
  return items.map((item, i) => ({ ...item, priority: rank[i] ?? i + 1 }));
}

/** Items keep their file positions, so a path the server reports maps straight back (see {@link fileIssuePath}). */
export function toImportDocument(file: WardenFile): ImportDocumentInput {
  return {
    authorizationServers: file.authorizationServers.map(({ scopes, claims, policies, ...server }) => ({
      server,
      scopes,
      claims,
      policies: withRanks(policies).map(({ rules, ...policy }) => ({ ...policy, rules: withRanks(rules) })),
    })),
    clients: file.clients,
    inlineHooks: file.inlineHooks,
  };
}

/** A path into the import document as a path into the file: only a server's own fields move. */
export function fileIssuePath(path: readonly PathSegment[]): PathSegment[] {
  return path[0] === "authorizationServers" && path[2] === "server"
    ? [path[0], path[1] as PathSegment, ...path.slice(3)]
    : [...path];
}

const PolicyFields = Policy.omit({ rules: true });

/** In evaluation order, without `priority`: in the file the order says it. */
function inOrder<T extends { id: string; priority: number }>(items: readonly T[]): Omit<T, "priority">[] {
  return normalisePriorities(items).map(({ priority: _priority, ...rest }) => rest);
}

function exportServer(config: ServerConfig): Record<string, unknown> {
  const policies = inOrder(config.policies).map(({ rules, ...policy }) => ({
    ...leanWithoutPriority(PolicyFields, policy),
    ...(rules.length > 0 ? { rules: inOrder(rules).map((rule) => leanWithoutPriority(Rule, rule)) } : {}),
  }));
  return {
    ...withoutDefaults(AuthorizationServer, config.server),
    ...(config.scopes.length > 0 ? { scopes: config.scopes.map((s) => withoutDefaults(Scope, s)) } : {}),
    ...(config.claims.length > 0 ? { claims: config.claims.map((c) => withoutDefaults(Claim, c)) } : {}),
    ...(policies.length > 0 ? { policies } : {}),
  };
}

/** Defaults are judged with a placeholder priority, which is then dropped again. */
function leanWithoutPriority(schema: typeof PolicyFields | typeof Rule, item: Record<string, unknown>) {
  const { priority: _priority, ...lean } = withoutDefaults(schema, { ...item, priority: 1 });
  return lean;
}

/** The live configuration as a file: what `warden export` writes. Secrets are not in the export to begin with. */
export function toWardenFile(exported: ExportDocument, schemaRef?: string): WardenFileInput {
  const file = {
    ...(schemaRef === undefined ? {} : { $schema: schemaRef }),
    authorizationServers: exported.authorizationServers.map(exportServer),
    clients: exported.clients.map((client) => withoutDefaults(FileClient, client)),
    inlineHooks: exported.inlineHooks.map((hook) => withoutDefaults(InlineHook, withoutHookSecret(hook))),
  };
  return file as WardenFileInput;
}

/** The write-only part of a hook: never compared, never written to a file. */
export function withoutHookSecret(hook: InlineHook): InlineHook {
  const auth = hook.channel.config.authScheme;
  if (auth?.value === undefined) return hook;
  const { value: _value, ...rest } = auth;
  return { ...hook, channel: { ...hook.channel, config: { ...hook.channel.config, authScheme: rest } } };
}
