/**
 * What every control-plane write answers, in one shape for every store and RPC method: the value,
 * what was invalid, or which object does not exist. Results cross the RPC boundary as data (a
 * thrown error would lose its shape on the way); the admin routes turn each into Okta's answer
 * (`written` in `admin/responses.ts`).
 *
 * `M` names what a write may find missing: a kind (`"client" | "secret"`), or for a server change
 * the missing object's id (the route knows the kind of each id in its path). `never` when a write
 * cannot miss anything.
 */
import type { ValidationIssue } from "../config/issues";
import type { OktaScope } from "../config/schemas";

/**
 * A missing object is no validation problem: its `issues` are empty, so every failure has them.
 * Neither is a refused one: `forbidden` names the okta.* scopes the caller lacks for the write
 * (DESIGN §8: a narrow admin right never grows into a wider one).
 */
export type WriteFailure<M = never> =
  | { ok: false; issues: ValidationIssue[] }
  | { ok: false; notFound: M; issues: [] }
  | { ok: false; forbidden: OktaScope[]; issues: [] };

export type WriteResult<T, M = never> = { ok: true; value: T } | WriteFailure<M>;

/** A failed write: one issue at `path`. */
export function invalid(path: string, message: string): { ok: false; issues: ValidationIssue[] } {
  return { ok: false, issues: [{ path, message }] };
}

/** A failed write: the object `what` names does not exist. */
export function missing<M>(what: M): { ok: false; notFound: M; issues: [] } {
  return { ok: false, notFound: what, issues: [] };
}

/** A refused write: the caller lacks these okta.* scopes (never empty). */
export function forbidden(scopes: OktaScope[]): { ok: false; forbidden: OktaScope[]; issues: [] } {
  return { ok: false, forbidden: scopes, issues: [] };
}
