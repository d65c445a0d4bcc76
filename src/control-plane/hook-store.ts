/**
 * Inline hooks inside the control plane: validation against stored state, the `inline_hooks` SQLite
 * table (the authoritative copy, secret included) and publication of `hook/{id}` to KV for the
 * edges (secret sealed). The control plane serialises every call; nothing here is reentrant.
 */

import { INLINE_HOOK_ID_BYTES } from "../config/defaults";
import { toIssues, type ValidationIssue } from "../config/issues";
import { kvKeys } from "../config/kv-keys";
import { InlineHook, type InlineHookRecord, type Status } from "../config/schemas";
import { randomToken } from "../crypto/secrets";
import type { Env } from "../env";
import { type PublishedInlineHook, publishedHook } from "../hooks/published-hook";
import { isRecord } from "../http/json-value";
import type { RecordPublisher } from "./record-publisher";
import { RecordTable } from "./record-table";
import { missing, type WriteResult } from "./write-result";

export interface PreparedHook {
  record: InlineHookRecord;
  created: boolean;
}

/** Okta's hook ids are `cal…`. */
function newHookId(): string {
  return `cal${randomToken(INLINE_HOOK_ID_BYTES)}`;
}

export class InlineHookStore {
  readonly #table: RecordTable<InlineHookRecord>;

  constructor(
    sql: SqlStorage,
    private readonly env: Pick<Env, "CONFIG" | "KEY_ENCRYPTION_KEY">,
    private readonly records: RecordPublisher,
  ) {
    this.#table = new RecordTable(sql, "inline_hooks", "id");
  }

  get(id: string): InlineHookRecord | undefined {
    return this.#table.get(id);
  }

  ids(): string[] {
    return this.#table.ids();
  }

  list(): InlineHookRecord[] {
    return this.#table.all();
  }

  /** `POST /api/v1/inlineHooks`: Okta assigns the id (one may be given) and creates it ACTIVE. */
  async create(input: unknown): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    const parsed = InlineHook.safeParse(
      isRecord(input) ? { ...input, id: input.id ?? newHookId(), status: "ACTIVE" } : input,
    );
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    if (this.get(parsed.data.id)) {
      return {
        ok: false,
        issues: [{ path: "id", message: `an inline hook '${parsed.data.id}' already exists` }],
      };
    }
    return this.write(parsed.data, "");
  }

  /** `PUT /api/v1/inlineHooks/{id}`: everything but id, status and type is replaced. */
  async replace(id: string, input: unknown): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    const existing = this.get(id);
    if (!existing) return missing("inlineHook");
    const parsed = InlineHook.safeParse(isRecord(input) ? { ...input, id, status: existing.status } : input);
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    return this.write(parsed.data, "");
  }

  /** `POST …/lifecycle/activate|deactivate`. */
  async setStatus(id: string, status: Status): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    const existing = this.get(id);
    if (!existing) return missing("inlineHook");
    if (existing.status === status) return { ok: true, value: existing };
    return this.write({ ...existing, status }, "");
  }

  /**
   * `DELETE /api/v1/inlineHooks/{id}`: as in Okta only an INACTIVE hook may go, and (Warden) only
   * when no rule names it; `usedBy` describes the rules that do.
   */
  async delete(id: string, usedBy: readonly string[]): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    const existing = this.get(id);
    if (!existing) return missing("inlineHook");
    const issues: ValidationIssue[] = [];
    if (existing.status !== "INACTIVE") {
      issues.push({ path: "status", message: "the inline hook is ACTIVE; deactivate it before deleting it" });
    }
    for (const rule of usedBy) {
      issues.push({
        path: "rules",
        message: `the inline hook is used by ${rule}; remove it from the rule first`,
      });
    }
    if (issues.length > 0) return { ok: false, issues };
    await this.remove(id);
    return { ok: true, value: existing };
  }

  /** Deletes the hook and its KV copy whatever its status (an import with prune); the caller checks references. */
  async remove(id: string): Promise<void> {
    this.#table.delete(id);
    await this.env.CONFIG.delete(kvKeys.hook(id));
  }

  /**
   * Hooks of one write checked against stored state and each other: names unique (Okta), a missing
   * auth secret kept from the stored hook when its header and the URI's origin are unchanged, else
   * required. The origin matters: the secret is write-only (never shown, never exported), and a
   * replacement pointing the hook at another host without restating it would hand that host the
   * secret on the next call — reading, through `okta.inlineHooks.manage`, what no read shows.
   */
  prepare(
    hooks: readonly InlineHook[],
    pathPrefix: string,
  ): { records: PreparedHook[]; issues: ValidationIssue[] } {
    const now = new Date().toISOString();
    const issues: ValidationIssue[] = [];
    const records: PreparedHook[] = [];
    const batchIds = new Set(hooks.map((h) => h.id));
    const names = new Map(
      this.list()
        .filter((h) => !batchIds.has(h.id))
        .map((h) => [h.name, h.id]),
    );
    hooks.forEach((hook, i) => {
      const at = (path: string) => [pathPrefix, pathPrefix ? String(i) : "", path].filter(Boolean).join(".");
      const owner = names.get(hook.name);
      if (owner !== undefined) {
        issues.push({
          path: at("name"),
          message: `the name '${hook.name}' is already used by inline hook '${owner}'`,
        });
      }
      names.set(hook.name, hook.id);
      if (records.some((r) => r.record.id === hook.id)) {
        issues.push({ path: at("id"), message: `duplicate inline hook id '${hook.id}'` });
      }

      const existing = this.get(hook.id);
      const auth = hook.channel.config.authScheme;
      let record: InlineHookRecord = {
        ...hook,
        created: existing?.created ?? now,
        lastUpdated: now,
      };
      if (auth && auth.value === undefined) {
        const stored = existing?.channel.config.authScheme;
        const kept =
          stored?.value && stored.key.toLowerCase() === auth.key.toLowerCase() ? stored.value : undefined;
        const sameOrigin =
          existing !== undefined &&
          originOf(existing.channel.config.uri) === originOf(hook.channel.config.uri);
        if (kept !== undefined && sameOrigin) {
          record = withSecret(record, kept);
        } else {
          issues.push({
            path: at("channel.config.authScheme.value"),
            message:
              kept === undefined
                ? "required: there is no stored secret for this header to keep"
                : "required: the stored secret is kept only while the hook's URI stays at the same origin",
          });
        }
      }
      records.push({ record, created: !existing });
    });
    return { records, issues };
  }

  /** Inside the caller's transaction. */
  save(records: readonly PreparedHook[]): void {
    for (const { record } of records) {
      this.#table.put(record.id, record);
    }
  }

  /** After the transaction, before anything that names these hooks is published. */
  async publish(records: readonly PreparedHook[]): Promise<void> {
    for (const { record } of records) {
      await this.records.publish("hook", record.id, await publishedHook(record, this.env.KEY_ENCRYPTION_KEY));
    }
  }

  /** What `hook/{id}` holds for the stored hook: its secret sealed for the edges. */
  async published(id: string): Promise<PublishedInlineHook | undefined> {
    const record = this.get(id);
    return record && publishedHook(record, this.env.KEY_ENCRYPTION_KEY);
  }

  private async write(
    hook: InlineHook,
    pathPrefix: string,
  ): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    const { records, issues } = this.prepare([hook], pathPrefix);
    if (issues.length > 0) return { ok: false, issues };
    this.save(records);
    await this.publish(records);
    return { ok: true, value: (records[0] as PreparedHook).record };
  }
}

function withSecret(record: InlineHookRecord, value: string): InlineHookRecord {
  const auth = record.channel.config.authScheme;
  if (!auth) return record;
  return {
    ...record,
    channel: { ...record.channel, config: { ...record.channel.config, authScheme: { ...auth, value } } },
  };
}

/** A URI's origin as `fetch` would reach it; undefined when it does not parse (validation refuses it). */
function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
