/**
 * The comparable form of a configuration. The file and the live export both reach it through the
 * same zod schemas (so a default never differs from its absence) and then the same normalisation:
 * - priorities become ranks 1..n: the control plane renumbers them, only the order means anything;
 * - set-like lists are sorted: a grant type, scope, client, user or group is in or out, its place
 *   in the list means nothing to policy evaluation or the token endpoint;
 * - a hook's auth secret is dropped: it is write-only, so the export never has it.
 * Lists kept in order because order can matter: `audiences` (the `aud` claim), hook `headers`,
 * `jwks.keys`, and the scope and claim lists themselves (compared by key, not position).
 */
import { withoutHookSecret } from "../config/schemas";
import { withRanks } from "./document";
import type { ExportDocument, ImportDocument } from "./file-schema";
import { isPlainObject, stableJson } from "./values";

/** A configuration in the export's shape: the file is brought to it to be compared. */
export type ConfigState = ExportDocument;

/** Set-like lists, per object, as paths inside it. */
const SET_LIKE = {
  claim: [["conditions", "scopes"]],
  policy: [["conditions", "clients", "include"]],
  rule: [
    ["conditions", "grantTypes", "include"],
    ["conditions", "scopes", "include"],
    ["conditions", "people", "users", "include"],
    ["conditions", "people", "users", "exclude"],
    ["conditions", "people", "groups", "include"],
    ["conditions", "people", "groups", "exclude"],
  ],
  client: [["grant_types"], ["redirect_uris"], ["post_logout_redirect_uris"], ["response_types"], ["grants"]],
  trustedOrigin: [["scopes"]],
} as const satisfies Record<string, readonly (readonly string[])[]>;

export function desiredState(document: ImportDocument): ConfigState {
  return canonical({
    authorizationServers: document.authorizationServers,
    clients: document.clients.map(({ client_secrets: _secrets, ...client }) => client),
    inlineHooks: document.inlineHooks,
    trustedOrigins: document.trustedOrigins,
  });
}

export function liveState(exported: ExportDocument): ConfigState {
  return canonical(exported);
}

function canonical(state: ConfigState): ConfigState {
  return {
    authorizationServers: state.authorizationServers.map((config) => ({
      ...config,
      claims: config.claims.map((claim) => sortedSets(claim, SET_LIKE.claim)),
      policies: withRanks(config.policies).map((policy) => ({
        ...sortedSets(policy, SET_LIKE.policy),
        rules: withRanks(policy.rules).map((rule) => sortedSets(rule, SET_LIKE.rule)),
      })),
    })),
    clients: state.clients.map((client) => sortedSets(client, SET_LIKE.client)),
    inlineHooks: state.inlineHooks.map(withoutHookSecret),
    trustedOrigins: state.trustedOrigins.map((origin) => sortedSets(origin, SET_LIKE.trustedOrigin)),
  };
}

function sortedSets<T>(value: T, paths: readonly (readonly string[])[]): T {
  let out = value;
  for (const path of paths) out = sortedAt(out, path);
  return out;
}

function sortedAt<T>(value: T, path: readonly string[]): T {
  const [head, ...rest] = path;
  if (head === undefined) {
    return (
      Array.isArray(value) ? [...value].sort((a, b) => compare(stableJson(a), stableJson(b))) : value
    ) as T;
  }
  if (!isPlainObject(value) || !(head in value)) return value;
  return { ...value, [head]: sortedAt(value[head], rest) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
