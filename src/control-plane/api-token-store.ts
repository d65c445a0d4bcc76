/**
 * Admin API tokens (Okta's `/api/v1/api-tokens`) inside the control plane: the `api_tokens` SQLite
 * table holds each token's metadata and the SHA-256 of its value, never the value itself (DESIGN §8).
 * The control plane serialises every call; nothing here is reentrant.
 *
 * Each token records its owner (who created it) and its rights (`scopes`): at most its creator's
 * when it was created (DESIGN §8). The control plane narrows them to what the owner still holds
 * each time the token is checked (`ControlPlane.verifyApiToken`).
 */
import * as z from "zod";
import { API_TOKEN_BYTES, API_TOKEN_ID_BYTES } from "../config/defaults";
import { toIssues } from "../config/issues";
import { type AdminOwner, type AdminPrincipal, lacking, minimal, ownerOf } from "../config/rights";
import { OKTA_SCOPES, OktaScope } from "../config/schemas";
import { hashSecret, randomToken } from "../crypto/secrets";
import { RecordTable } from "./record-table";
import { forbidden, invalid, missing, type WriteResult } from "./write-result";

/** What `POST /api/v1/api-tokens` accepts: Okta's writable fields. */
export const ApiTokenInput = z.strictObject({
  name: z.string().trim().min(1).max(255),
  userId: z.string().min(1).max(100).optional(),
  /** Okta tokens expire after 30 days unused; Warden's expire at this instant, or never when absent. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** Warden: the token's rights, a subset of its creator's; all of the creator's when absent. */
  scopes: z.array(OktaScope).min(1).max(OKTA_SCOPES.length).optional(),
});
export type ApiTokenInput = z.input<typeof ApiTokenInput>;

/** An API token as stored and returned (never with its value or hash). */
export interface ApiTokenRecord {
  id: string;
  name: string;
  userId?: string;
  clientName: string;
  created: string;
  lastUpdated: string;
  expiresAt?: string;
  /**
   * The okta.* scopes the token may use (at most its owner's). Absent only on tokens created before
   * tokens recorded rights: those are refused, never given full power.
   */
  scopes?: OktaScope[];
  /** Who created the token; its rights end when the owner's do. */
  owner?: AdminOwner;
}

/** A new token's record and, this once, its value. */
export type ApiTokenCreated = ApiTokenRecord & { token: string };

/** The client name Okta shows for a token; Warden's are created through its own API. */
const CLIENT_NAME = "Warden Management API";

export class ApiTokenStore {
  readonly #table: RecordTable<ApiTokenRecord>;

  constructor(sql: SqlStorage) {
    this.#table = new RecordTable(sql, "api_tokens", "id", [
      { name: "token_hash", type: "TEXT NOT NULL UNIQUE" },
    ]);
  }

  list(): ApiTokenRecord[] {
    return this.#table.all();
  }

  get(id: string): ApiTokenRecord | undefined {
    return this.#table.get(id);
  }

  /**
   * The value is returned here once; only its hash is stored. The token gets the scopes asked for,
   * each of which `creator` must hold, or all of the creator's rights.
   */
  async create(
    input: unknown,
    creator: AdminPrincipal,
    now: Date,
    owner: AdminOwner = ownerOf(creator),
  ): Promise<WriteResult<ApiTokenCreated>> {
    const parsed = ApiTokenInput.safeParse(input);
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    if (parsed.data.expiresAt && Date.parse(parsed.data.expiresAt) <= now.getTime()) {
      return invalid("expiresAt", "must be in the future");
    }
    const lacks = lacking(creator.rights, parsed.data.scopes ?? []);
    if (lacks.length > 0) return forbidden(lacks);
    const scopes = minimal(parsed.data.scopes ?? creator.rights);
    if (scopes.length === 0) return invalid("scopes", "the creator holds no okta.* scope to give");

    // Okta's ids are `00T…`, values `00…`: 256 random bits in the value.
    const token = `00${randomToken(API_TOKEN_BYTES)}`;
    const created = now.toISOString();
    const record: ApiTokenRecord = {
      id: `00T${randomToken(API_TOKEN_ID_BYTES)}`,
      name: parsed.data.name,
      ...(parsed.data.userId ? { userId: parsed.data.userId } : {}),
      clientName: CLIENT_NAME,
      created,
      lastUpdated: created,
      ...(parsed.data.expiresAt ? { expiresAt: new Date(parsed.data.expiresAt).toISOString() } : {}),
      scopes,
      owner,
    };
    this.#table.insert(record.id, record, [await hashSecret(token)]);
    return { ok: true, value: { ...record, token } };
  }

  /**
   * The token and every managed API token it was minted from, nearest first (at most `maxLength`),
   * and the owner at the root of that chain when it is not a token (the bootstrap token, a client).
   * What the edge's cached acceptance of the token depends on: revoking any of these tokens, or
   * disabling that client, ends it (src/admin/api-token-check.ts).
   */
  lineage(record: ApiTokenRecord, maxLength: number): { tokens: ApiTokenRecord[]; root?: AdminOwner } {
    const tokens = [record];
    let owner = record.owner;
    while (owner?.type === "API_TOKEN" && tokens.length < maxLength) {
      const parent = this.#table.get(owner.id);
      if (!parent) return { tokens };
      tokens.push(parent);
      owner = parent.owner;
    }
    return owner && owner.type !== "API_TOKEN" ? { tokens, root: owner } : { tokens };
  }

  /**
   * Tokens minted with the bootstrap token before owners recorded which one (`check`): stamped with
   * the current one's, so that rotating it ends them too. Run once, before any call is answered.
   */
  stampBootstrapOwners(check: string): void {
    // Found by SQLite: each construction of the control plane parses only those tokens (none, once stamped).
    const legacy = this.#table.select(
      "WHERE json_extract(record, '$.owner.type') = 'BOOTSTRAP' AND json_extract(record, '$.owner.check') IS NULL",
    );
    for (const record of legacy)
      this.#table.update(record.id, { ...record, owner: { type: "BOOTSTRAP", check } });
  }

  revoke(id: string): WriteResult<null, "apiToken"> {
    return this.#table.delete(id) ? { ok: true, value: null } : missing("apiToken");
  }

  /**
   * The unexpired token with this value. Looked up by its SHA-256: the digest of a 256-bit random
   * value leaks nothing through timing that would help guess another.
   */
  async verify(token: string, now: Date): Promise<ApiTokenRecord | undefined> {
    const record = this.#table.findBy("token_hash", await hashSecret(token));
    if (record?.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return undefined;
    return record;
  }
}
