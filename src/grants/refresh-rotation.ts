/**
 * What one presentation of a refresh token does to its grant, pure (Okta's refresh-token semantics,
 * okta-user-flows.md "Refresh tokens"; RFC 9700 §4.14.2 rotation with reuse detection). The Grant
 * Durable Object (src/grants/grant-object.ts) runs it inside one synchronous storage transaction, the
 * unit tier's in-memory port runs the same rules. Every hash, key and sealed successor arrives already
 * computed, so the step never awaits: of twenty concurrent refreshes of one token, one rotates.
 *
 * The family's tokens, as the object knows them (only hashes, DESIGN §8):
 *   - `current`: the one live token. Presenting it refreshes: STATIC keeps it, ROTATE replaces it by
 *     a successor and the presented one becomes `previous`.
 *   - `previous`: the token just rotated out, with when, and its successor's secret sealed under a
 *     key only the holder of `previous` can derive (src/grants/successor-seal.ts). Presented again
 *     strictly within the client's leeway it answers with **the same successor** (a concurrent or
 *     retried refresh gets a working answer, and there are never two live successors); presented
 *     at or after the leeway it is reuse.
 *   - retired: every older token of the family. Presented, it is reuse at once.
 *
 * Reuse revokes the whole grant: the newest refresh token and every access token naming the grant
 * (their `jti`, src/grants/grant-id.ts) stop standing, as Okta does ("invalidates the most recently
 * issued refresh token and all access tokens issued since the user authenticated"). Only a
 * presentation with a real secret of the family counts: the grant id alone (it is in every access
 * token) must never let a stranger end someone's grant.
 */
import { GRANT_INDEX_IDLE_SLACK_MS } from "../config/defaults";
import type { GrantState } from "./code-redemption";

export type RotationType = "ROTATE" | "STATIC";

/** How a family is born: the app's rotation settings and the matching rule's lifetimes. */
export interface FamilySettings {
  rotation: RotationType;
  /** Okta `settings.oauthClient.refresh_token.leeway`, 0–60 s. */
  leewaySeconds: number;
  /** The rule's `refreshTokenLifetimeMinutes`; 0 = unlimited (Okta). */
  lifetimeMinutes: number;
  /** The rule's `refreshTokenWindowMinutes`: the idle window, renewed by every use. */
  windowMinutes: number;
  /** The scopes granted when the family was born; a refresh may only narrow them (RFC 6749 §6). */
  scopes: readonly string[];
}

export interface RefreshFamily {
  currentHash: string;
  previous?: { hash: string; rotatedAt: number; sealedSuccessor: string } | undefined;
  rotation: RotationType;
  leewayMs: number;
  /** Epoch ms of the family's birth (the first refresh token). */
  issuedAt: number;
  /** Epoch ms of the absolute end (birth + lifetime), or undefined when unlimited. */
  expiresAt: number | undefined;
  windowMs: number;
  /** Epoch ms of the last issuance or successful refresh: the idle window counts from here. */
  lastUsedAt: number;
  scopes: string[];
}

/** A refresh request as the object sees it: the presented secret hashed, a candidate successor ready. */
export interface RefreshPresentation {
  hash: string;
  /** Whether `hash` is one of the family's retired tokens (the object's lookup, before the step). */
  retired: boolean;
  serverId: string;
  clientId: string;
  /** The `scope` parameter, or undefined when absent (then the family's scopes). */
  scopes: readonly string[] | undefined;
  /**
   * The successor, should this presentation rotate: its hash and its secret sealed under the
   * presented one. Absent for a STATIC family (a family's rotation never changes), which never uses it.
   */
  candidate?: { hash: string; sealedSuccessor: string } | undefined;
}

export type RefreshStepOutcome =
  /** `token`: which refresh token answers: the candidate (rotated), the presented one (STATIC), or the sealed successor (replay within the leeway). */
  | { ok: true; token: "candidate" | "presented" | { sealed: string }; scopes: string[] }
  | { ok: false; reason: "invalid" | "invalid_scope" | "reuse" };

export interface RefreshStepResult {
  outcome: RefreshStepOutcome;
  /** The grant's and family's next state, when they change; `retire`: a hash to add to the retired set. */
  next?: { state: GrantState; family: RefreshFamily; retire?: string | undefined };
}

const INVALID: RefreshStepResult = { outcome: { ok: false, reason: "invalid" } };

/** A new family's state; `nowMs` is its birth. */
export function bornFamily(currentHash: string, settings: FamilySettings, nowMs: number): RefreshFamily {
  return {
    currentHash,
    rotation: settings.rotation,
    leewayMs: settings.leewaySeconds * 1000,
    issuedAt: nowMs,
    expiresAt: settings.lifetimeMinutes > 0 ? nowMs + settings.lifetimeMinutes * 60_000 : undefined,
    windowMs: settings.windowMinutes * 60_000,
    lastUsedAt: nowMs,
    scopes: [...settings.scopes],
  };
}

/** When the family can no longer be used (epoch ms): the idle window's end or the absolute end. */
export function familyEnd(family: RefreshFamily): number {
  const idle = family.lastUsedAt + family.windowMs;
  return family.expiresAt === undefined ? idle : Math.min(idle, family.expiresAt);
}

/**
 * The idle end the D1 grant index records for a family last used at `lastUsedAt`
 * (src/directory/grant-index.ts): the window's end plus a slack (GRANT_INDEX_IDLE_SLACK_MS, at most
 * half the window), never past the absolute end. Written ahead so that the object need not report
 * every use: the index's idle end is never earlier than the object's, and at most the slack later.
 */
export function indexedIdleEnd(lastUsedAt: number, windowMs: number, expiresAt: number | undefined): number {
  const ahead = lastUsedAt + windowMs + Math.min(GRANT_INDEX_IDLE_SLACK_MS, Math.floor(windowMs / 2));
  return expiresAt === undefined ? ahead : Math.min(ahead, expiresAt);
}

/**
 * After a use that left `family`, the idle end to report to the index, when the one it holds
 * (`indexed`; undefined when unknown: a family born before the index kept idle ends) would end the
 * family too early; undefined while it still covers the family's end.
 */
export function indexTouchDue(family: RefreshFamily, indexed: number | undefined): number | undefined {
  if (indexed !== undefined && familyEnd(family) <= indexed) return undefined;
  return indexedIdleEnd(family.lastUsedAt, family.windowMs, family.expiresAt);
}

/** Whether `family`'s current token would be accepted at `nowMs` (introspection's `active`). */
export function familyStands(
  state: GrantState | undefined,
  family: RefreshFamily | undefined,
  nowMs: number,
) {
  return state?.status === "ACTIVE" && family !== undefined && nowMs < familyEnd(family);
}

/**
 * The grant's retention once its family moved: every access token it issued (≤ `retentionMs`) can be
 * asked about until it expires, and the family until its end.
 */
export function retainedUntil(state: GrantState, family: RefreshFamily, retentionMs: number): number {
  return Math.max(state.expiresAt, familyEnd(family) + retentionMs);
}

export function refreshStep(
  state: GrantState | undefined,
  family: RefreshFamily | undefined,
  presented: RefreshPresentation,
  nowMs: number,
  retentionMs: number,
): RefreshStepResult {
  if (!state || !family) return INVALID;
  // Plain comparison of SHA-256 digests of 256-bit secrets: a timing difference could tell an
  // attacker digest bytes, and no digest prefix helps find a secret that hashes to it.
  const which =
    presented.hash === family.currentHash
      ? "current"
      : presented.hash === family.previous?.hash
        ? "previous"
        : presented.retired
          ? "retired"
          : undefined;
  // Unknown secret: as good as no token, and it changes nothing (see the header).
  if (which === undefined || state.status !== "ACTIVE") return INVALID;
  // Another client's or another server's token: unusable by this caller, and no proof of theft.
  if (state.request.clientId !== presented.clientId || state.request.serverId !== presented.serverId) {
    return INVALID;
  }
  if (nowMs >= familyEnd(family) || nowMs >= state.expiresAt) return INVALID;

  const withinLeeway =
    which === "previous" &&
    family.previous !== undefined &&
    nowMs < family.previous.rotatedAt + family.leewayMs;
  if (which === "retired" || (which === "previous" && !withinLeeway)) {
    return {
      outcome: { ok: false, reason: "reuse" },
      next: { state: { ...state, status: "REVOKED" }, family },
    };
  }

  // RFC 6749 §6: "MUST NOT include any scope not originally granted by the resource owner".
  const scopes = presented.scopes === undefined ? family.scopes : [...presented.scopes];
  if (scopes.length === 0 || scopes.some((s) => !family.scopes.includes(s))) {
    return { outcome: { ok: false, reason: "invalid_scope" } };
  }

  const touched = { ...family, lastUsedAt: nowMs };
  const keep = (
    next: RefreshFamily,
    token: Extract<RefreshStepOutcome, { ok: true }>["token"],
    retire?: string,
  ) => ({
    outcome: { ok: true as const, token, scopes },
    next: { state: { ...state, expiresAt: retainedUntil(state, next, retentionMs) }, family: next, retire },
  });
  if (which === "previous" && family.previous) {
    return keep(touched, { sealed: family.previous.sealedSuccessor });
  }
  if (family.rotation === "STATIC") return keep(touched, "presented");
  // Only a caller that misread the family's rotation sends no successor: nothing rotates.
  if (!presented.candidate) return INVALID;
  return keep(
    {
      ...touched,
      currentHash: presented.candidate.hash,
      previous: {
        hash: family.currentHash,
        rotatedAt: nowMs,
        sealedSuccessor: presented.candidate.sealedSuccessor,
      },
    },
    "candidate",
    family.previous?.hash,
  );
}

/** Which token of the family a hash is, for revocation and introspection (no state change here). */
export function tokenOfFamily(
  family: RefreshFamily | undefined,
  hash: string,
  retired: boolean,
): "current" | "previous" | "retired" | undefined {
  if (!family) return undefined;
  if (hash === family.currentHash) return "current";
  if (hash === family.previous?.hash) return "previous";
  return retired ? "retired" : undefined;
}
