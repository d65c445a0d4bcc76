/**
 * Everything that can be checked without a server, in the order a person fixes things: the shape
 * of each object (the management API's own schemas), unknown fields (typos would otherwise be
 * silently dropped), what the file format adds (unique ids, priorities on all items or none), and
 * what the import document requires across objects (unique scope names, rules naming defined scopes).
 */
import type * as z from "zod";
import { fileIssuePath, toImportDocument } from "./document";
import { ImportDocument, WardenFile } from "./file-schema";
import { isPlainObject, type PathSegment } from "./values";

export interface FileIssue {
  path: PathSegment[];
  message: string;
}

export type Validation =
  | { ok: true; file: WardenFile; document: ImportDocument }
  | { ok: false; issues: FileIssue[] };

export function validateFile(value: unknown): Validation {
  const parsed = WardenFile.safeParse(value);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const issues = [...unknownFields(value, parsed.data, []), ...fileRules(parsed.data)];
  if (issues.length > 0) return { ok: false, issues };
  const document = ImportDocument.safeParse(toImportDocument(parsed.data));
  if (!document.success) {
    return {
      ok: false,
      issues: zodIssues(document.error).map((issue) => ({ ...issue, path: fileIssuePath(issue.path) })),
    };
  }
  return { ok: true, file: parsed.data, document: document.data };
}

function zodIssues(error: z.ZodError): FileIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((segment) => typeof segment !== "symbol"),
    // zod says "expected string, received undefined" for a missing member; a person says "required".
    message: issue.message.replace(
      /^Invalid input: expected (.+), received undefined$/,
      "required (expected $1)",
    ),
  }));
}

const SECRET_FIELDS = new Set(["secrets", "client_secret", "client_secrets"]);

/** Members the schemas do not know: zod drops them while parsing, so they are missing from `parsed`. */
function unknownFields(input: unknown, parsed: unknown, path: PathSegment[]): FileIssue[] {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    return input.flatMap((item, i) => unknownFields(item, parsed[i], [...path, i]));
  }
  if (!isPlainObject(input) || !isPlainObject(parsed)) return [];
  return Object.keys(input).flatMap((key) => {
    if (key in parsed) return unknownFields(input[key], parsed[key], [...path, key]);
    const message =
      path[0] === "clients" && path.length === 2 && SECRET_FIELDS.has(key)
        ? "clients in the file never carry secrets: Warden generates a secret when it creates a client, and apply prints it once"
        : "unknown field (check its spelling and the JSON Schema: `warden schema`)";
    return [{ path: [...path, key], message }];
  });
}

function fileRules(file: WardenFile): FileIssue[] {
  const issues: FileIssue[] = [];
  unique(file.authorizationServers, (s) => s.id, ["authorizationServers"], "id", issues);
  unique(file.clients, (c) => c.client_id, ["clients"], "client_id", issues);
  unique(file.inlineHooks, (h) => h.id, ["inlineHooks"], "id", issues);
  unique(file.trustedOrigins, (o) => o.origin, ["trustedOrigins"], "origin", issues);
  file.authorizationServers.forEach((server, s) => {
    const at: PathSegment[] = ["authorizationServers", s, "policies"];
    allOrNone(server.policies, at, "policy", issues);
    server.policies.forEach((policy, p) => {
      allOrNone(policy.rules, [...at, p, "rules"], "rule", issues);
    });
  });
  return issues;
}

function unique<T>(
  items: readonly T[],
  key: (item: T) => string,
  path: PathSegment[],
  field: string,
  issues: FileIssue[],
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const value = key(item);
    const first = seen.get(value);
    if (first !== undefined) {
      issues.push({
        path: [...path, i, field],
        message: `duplicate ${field} '${value}' (also at index ${first})`,
      });
    } else seen.set(value, i);
  });
}

/** Mixing would leave the order of the items without a priority to guesswork. */
function allOrNone(
  items: readonly { priority?: number | undefined }[],
  path: PathSegment[],
  what: string,
  issues: FileIssue[],
): void {
  const given = items.filter((item) => item.priority !== undefined).length;
  if (given === 0 || given === items.length) return;
  const missing = items.findIndex((item) => item.priority === undefined);
  issues.push({
    path: [...path, missing, "priority"],
    message: `required: give every ${what} of this list a priority, or none (the list order is then the order)`,
  });
}
