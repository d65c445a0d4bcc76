/**
 * Admin API tokens (Okta's `/api/v1/api-tokens`) inside the control plane: the `api_tokens` SQLite
 * table holds each token's metadata and the SHA-256 of its value, never the value itself (DESIGN §8).
 * The control plane serialises every call; nothing here is reentrant.
 */
import * as z from "zod";
import { API_TOKEN_BYTES, API_TOKEN_ID_BYTES } from "../config/defaults";
import { toIssues } from "../config/issues";
import { hashSecret, randomToken } from "../crypto/secrets";
import { RecordTable } from "./record-table";
import { invalid, missing, type WriteResult } from "./write-result";

/** What `POST /api/v1/api-tokens` accepts: Okta's writable fields. */
export const ApiTokenInput = z.strictObject({
  name: z.string().trim().min(1).max(255),
  userId: z.string().min(1).max(100).optional(),
  /** Okta tokens expire after 30 days unused; Warden's expire at this instant, or never when absent. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
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

  /** The value is returned here once; only its hash is stored. */
  async create(input: unknown, now: Date): Promise<WriteResult<ApiTokenCreated>> {
    const parsed = ApiTokenInput.safeParse(input);
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    if (parsed.data.expiresAt && Date.parse(parsed.data.expiresAt) <= now.getTime()) {
      return invalid("expiresAt", "must be in the future");
    }
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
    };
    this.#table.insert(record.id, record, [await hashSecret(token)]);
    return { ok: true, value: { ...record, token } };
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
