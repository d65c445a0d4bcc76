/**
 * Trusted origins inside the control plane: the `trusted_origins` SQLite table is the authoritative
 * copy, and `trustedOrigins/all` in KV — every ACTIVE origin in one authenticated record — is what
 * the edges read (src/config/trusted-origins.ts). One record rather than one per origin: an edge
 * answering a cross-origin request must know whether *its* origin is trusted, and a lookup of a
 * missing key per unknown origin would let any page turn requests into KV reads. The control plane
 * serialises every call; nothing here is reentrant.
 */
import { MAX_TRUSTED_ORIGINS } from "../config/defaults";
import { toIssues, type ValidationIssue } from "../config/issues";
import {
  type Status,
  TrustedOriginFields,
  type TrustedOriginRecord,
  type TrustedOriginFields as TrustedOriginValues,
} from "../config/schemas";
import {
  type PublishedTrustedOrigins,
  publishedTrustedOrigins,
  TRUSTED_ORIGINS_RECORD_ID,
} from "../config/trusted-origins";
import { newObjectId } from "../crypto/object-id";
import type { RecordPublisher } from "./record-publisher";
import { RecordTable } from "./record-table";
import { invalid, missing, type WriteResult } from "./write-result";

/** What a list may be narrowed by: Okta's `q` (a prefix of the name or origin) and `filter` terms. */
export interface TrustedOriginQuery {
  q?: string;
  /** Exact values, all of which must hold (the admin route parsed Okta's `filter`). */
  where?: { name?: string; origin?: string; status?: Status };
  after?: string;
  limit: number;
}

export interface TrustedOriginPage {
  origins: TrustedOriginRecord[];
  next?: string;
}

/** A write of one import document's origins, matched to stored ones by `origin`. */
export interface PreparedOrigins {
  records: { record: TrustedOriginRecord; created: boolean }[];
  issues: ValidationIssue[];
}

export class TrustedOriginStore {
  readonly #table: RecordTable<TrustedOriginRecord>;

  constructor(
    sql: SqlStorage,
    private readonly records: RecordPublisher,
  ) {
    this.#table = new RecordTable(sql, "trusted_origins", "id");
  }

  get(id: string): TrustedOriginRecord | undefined {
    return this.#table.get(id);
  }

  all(): TrustedOriginRecord[] {
    return this.#table.all();
  }

  /**
   * One page, ordered by id. Every value reaches SQLite as a bound parameter; `q` is a
   * case-insensitive prefix of the name or the origin, with LIKE's wildcards escaped.
   */
  page(query: TrustedOriginQuery): TrustedOriginPage {
    const clauses = ["id > ?"];
    const bindings: SqlStorageValue[] = [query.after ?? ""];
    if (query.q) {
      const prefix = `${query.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      clauses.push(
        "(lower(json_extract(record, '$.name')) LIKE ? ESCAPE '\\' OR json_extract(record, '$.origin') LIKE ? ESCAPE '\\')",
      );
      bindings.push(prefix, prefix);
    }
    for (const field of ["name", "origin", "status"] as const) {
      const value = query.where?.[field];
      if (value !== undefined) {
        clauses.push(`json_extract(record, '$.${field}') = ?`);
        bindings.push(value);
      }
    }
    const rows = this.#table.select(
      `WHERE ${clauses.join(" AND ")} ORDER BY id LIMIT ?`,
      ...bindings,
      query.limit + 1,
    );
    const origins = rows.slice(0, query.limit);
    return rows.length > query.limit ? { origins, next: origins.at(-1)?.id } : { origins };
  }

  /** Okta's `POST /api/v1/trustedOrigins`: a new origin, ACTIVE unless the body says otherwise. */
  async create(input: unknown, actor: string): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    const parsed = TrustedOriginFields.safeParse(input);
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    if (this.#table.all().length >= MAX_TRUSTED_ORIGINS) {
      return invalid("origin", `at most ${MAX_TRUSTED_ORIGINS} trusted origins; delete one first`);
    }
    const now = new Date().toISOString();
    const record: TrustedOriginRecord = {
      id: newObjectId("tos"),
      ...parsed.data,
      created: now,
      createdBy: actor,
      lastUpdated: now,
      lastUpdatedBy: actor,
    };
    return this.#write(record);
  }

  /** `PUT /api/v1/trustedOrigins/{id}`: name, origin and scopes replaced; status kept unless given. */
  async replace(
    id: string,
    input: unknown,
    actor: string,
  ): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    const existing = this.get(id);
    if (!existing) return missing("trustedOrigin");
    const fields = typeof input === "object" && input !== null && !Array.isArray(input) ? input : {};
    const parsed = TrustedOriginFields.safeParse({ status: existing.status, ...fields });
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    return this.#write({
      ...existing,
      ...parsed.data,
      lastUpdated: new Date().toISOString(),
      lastUpdatedBy: actor,
    });
  }

  /** `POST …/lifecycle/activate|deactivate`: answered with the origin, as Okta does. */
  async setStatus(
    id: string,
    status: Status,
    actor: string,
  ): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    const existing = this.get(id);
    if (!existing) return missing("trustedOrigin");
    if (existing.status === status) return { ok: true, value: existing };
    return this.#write({ ...existing, status, lastUpdated: new Date().toISOString(), lastUpdatedBy: actor });
  }

  /** `DELETE /api/v1/trustedOrigins/{id}`: Okta deletes an ACTIVE origin too. */
  async delete(id: string): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    const existing = this.get(id);
    if (!existing) return missing("trustedOrigin");
    this.#table.delete(id);
    await this.publish();
    return { ok: true, value: existing };
  }

  /**
   * An import's origins checked against stored state and each other: an origin already stored keeps
   * its id and creation; names and origins are unique (Okta refuses duplicates of either).
   */
  prepare(inputs: readonly TrustedOriginValues[], actor: string, pruned: readonly string[]): PreparedOrigins {
    const now = new Date().toISOString();
    const gone = new Set(pruned);
    const stored = this.all().filter((o) => !gone.has(o.id));
    const byOrigin = new Map(stored.map((o) => [o.origin, o]));
    const records: PreparedOrigins["records"] = [];
    const issues: ValidationIssue[] = [];
    const seen = new Set<string>();
    inputs.forEach((input, i) => {
      if (seen.has(input.origin)) {
        issues.push({ path: `trustedOrigins.${i}.origin`, message: `duplicate origin '${input.origin}'` });
      }
      seen.add(input.origin);
      const existing = byOrigin.get(input.origin);
      records.push({
        record: {
          ...input,
          id: existing?.id ?? newObjectId("tos"),
          created: existing?.created ?? now,
          createdBy: existing?.createdBy ?? actor,
          lastUpdated: now,
          lastUpdatedBy: actor,
        },
        created: !existing,
      });
    });
    const after = new Map(stored.map((o) => [o.id, o]));
    for (const { record } of records) after.set(record.id, record);
    if (issues.length === 0) issues.push(...uniqueness([...after.values()], records, "trustedOrigins"));
    if (after.size > MAX_TRUSTED_ORIGINS) {
      issues.push({ path: "trustedOrigins", message: `at most ${MAX_TRUSTED_ORIGINS} trusted origins` });
    }
    return { records, issues };
  }

  /** Inside the caller's transaction. */
  save(prepared: PreparedOrigins, pruned: readonly string[]): void {
    for (const id of pruned) this.#table.delete(id);
    for (const { record } of prepared.records) this.#table.put(record.id, record);
  }

  /** What `trustedOrigins/all` holds for the stored origins. */
  published(): PublishedTrustedOrigins {
    return publishedTrustedOrigins(this.all());
  }

  /** After every change: the edges take the whole set again. */
  async publish(): Promise<void> {
    await this.records.publish("trustedOrigins", TRUSTED_ORIGINS_RECORD_ID, this.published());
  }

  async #write(record: TrustedOriginRecord): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    const others = this.all().filter((o) => o.id !== record.id);
    const issues = uniqueness([...others, record], [{ record }], "");
    if (issues.length > 0) return { ok: false, issues };
    this.#table.put(record.id, record);
    await this.publish();
    return { ok: true, value: record };
  }
}

/**
 * Issues for the written records whose name (case-insensitively, as Okta) or origin another origin
 * of `all` already has; `prefix` is the import document's list, or "" for one API write.
 */
function uniqueness(
  all: readonly TrustedOriginRecord[],
  written: readonly { record: TrustedOriginRecord }[],
  prefix: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  written.forEach(({ record }, i) => {
    const at = (field: string) => (prefix ? `${prefix}.${i}.${field}` : field);
    const sameName = all.find(
      (o) => o.id !== record.id && o.name.toLowerCase() === record.name.toLowerCase(),
    );
    if (sameName) {
      issues.push({
        path: at("name"),
        message: `the name '${record.name}' is already used by trusted origin '${sameName.id}'`,
      });
    }
    const sameOrigin = all.find((o) => o.id !== record.id && o.origin === record.origin);
    if (sameOrigin) {
      issues.push({
        path: at("origin"),
        message: `'${record.origin}' is already trusted by '${sameOrigin.id}'`,
      });
    }
  });
  return issues;
}
