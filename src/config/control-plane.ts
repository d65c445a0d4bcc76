/**
 * Control plane: the single write authority for configuration (one Durable Object, `global`).
 * It validates, stores the authoritative copy in SQLite, asks each server's key vault for keys, and
 * publishes immutable versioned snapshots and client records to KV for the edges to read (DESIGN §1).
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { hashSecret, randomToken } from "../crypto/secrets";
import type { Env } from "../env";
import { type HookWriteResult, InlineHookStore, withoutSecret } from "../hooks/hook-store";
import type { SigningSettings, VaultStatus } from "../keys/key-vault";
import {
  CLIENT_SECRET_BYTES,
  DEFAULT_SIGNING_ALG,
  NEXT_KEY_LEAD_SECONDS,
  ORG_KEYS_ID,
  ROTATION_PERIOD_SECONDS,
} from "./defaults";
import { kvKeys } from "./kv-keys";
import {
  type Client,
  ClientInput,
  type ClientSecret,
  InlineHook,
  type InlineHookRecord,
  ServerConfig,
  type Snapshot,
} from "./schemas";

/** A bulk write: servers (each with everything it owns) and clients, applied all-or-nothing. */
export const ImportDocument = z.object({
  authorizationServers: z.array(ServerConfig).default([]),
  clients: z.array(ClientInput).default([]),
  /** Token inline hooks (Okta's shape, with their ids); rules may name them and the stored ones. */
  inlineHooks: z.array(InlineHook).default([]),
});
export type ImportDocument = z.input<typeof ImportDocument>;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Results cross the RPC boundary as data: thrown errors would lose their shape on the way. */
export type WriteResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export interface ImportSummary {
  servers: { id: string; version: number }[];
  clients: { client_id: string; created: boolean }[];
  /** Secrets Warden generated in this call; shown once, stored only as hashes. */
  generatedSecrets: Record<string, string>;
  inlineHooks: { id: string; created: boolean }[];
}

/** The org authorization server's keys: Okta's algorithm and AUTO schedule, not configurable. */
const ORG_SIGNING: SigningSettings = {
  alg: DEFAULT_SIGNING_ALG,
  rotationMode: "AUTO",
  rotationPeriodSeconds: ROTATION_PERIOD_SECONDS,
  nextKeyLeadSeconds: NEXT_KEY_LEAD_SECONDS,
};

interface ServerRow extends Record<string, SqlStorageValue> {
  id: string;
  config: string;
  version: number;
}

export class ControlPlane extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private orgKeysReady = false;
  private readonly hooks: InlineHookStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS servers (id TEXT PRIMARY KEY, config TEXT NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS inline_hooks (id TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    this.hooks = new InlineHookStore(this.sql, env);
  }

  async importConfig(input: unknown): Promise<WriteResult<ImportSummary>> {
    const parsed = ImportDocument.safeParse(input);
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    const doc = parsed.data;
    // Serialise the whole write: validation against current state, storage and publication.
    return this.ctx.blockConcurrencyWhile(async () => {
      const hooks = this.hooks.prepare(doc.inlineHooks, "inlineHooks");
      const issues = [...this.referenceIssues(doc), ...hooks.issues];
      if (issues.length > 0) return { ok: false, issues };

      const generatedSecrets: Record<string, string> = {};
      const clients: { record: Client; created: boolean }[] = [];
      for (const input of doc.clients) {
        const existing = this.getClient(input.client_id);
        const { client_secrets, ...fields } = input;
        let secrets: ClientSecret[] = existing?.secrets ?? [];
        if (client_secrets.length > 0) {
          secrets = await Promise.all(client_secrets.map((s) => newSecret(s)));
        } else if (!existing && usesSecret(fields.token_endpoint_auth_method)) {
          const secret = randomToken(CLIENT_SECRET_BYTES);
          generatedSecrets[input.client_id] = secret;
          secrets = [await newSecret(secret)];
        }
        clients.push({ record: { ...fields, secrets }, created: !existing });
      }

      const servers: Snapshot[] = [];
      this.ctx.storage.transactionSync(() => {
        this.hooks.save(hooks.records);
        for (const config of doc.authorizationServers) {
          const version = (this.getServerRow(config.server.id)?.version ?? 0) + 1;
          this.sql.exec(
            "INSERT OR REPLACE INTO servers (id, config, version) VALUES (?, ?, ?)",
            config.server.id,
            JSON.stringify(config),
            version,
          );
          servers.push({ ...config, version, publishedAt: new Date().toISOString() });
        }
        for (const { record } of clients) {
          this.sql.exec(
            "INSERT OR REPLACE INTO clients (client_id, record) VALUES (?, ?)",
            record.client_id,
            JSON.stringify(record),
          );
        }
      });

      // Hooks before the snapshots whose rules name them; keys before snapshots: an edge that sees a
      // server's snapshot must find its keyset too.
      await this.hooks.publish(hooks.records);
      for (const snapshot of servers) {
        const { alg, rotationMode, rotationPeriodSeconds, nextKeyLeadSeconds } =
          snapshot.server.credentials.signing;
        await this.vault(snapshot.server.id).configure(snapshot.server.id, {
          alg,
          rotationMode,
          rotationPeriodSeconds,
          nextKeyLeadSeconds,
        });
        await this.env.CONFIG.put(kvKeys.snapshot(snapshot.server.id), JSON.stringify(snapshot));
      }
      await this.ensureOrgKeys();
      for (const { record } of clients) {
        await this.env.CONFIG.put(kvKeys.client(record.client_id), JSON.stringify(record));
      }
      return {
        ok: true,
        value: {
          servers: servers.map((s) => ({ id: s.server.id, version: s.version })),
          clients: clients.map(({ record, created }) => ({ client_id: record.client_id, created })),
          inlineHooks: hooks.records.map(({ record, created }) => ({ id: record.id, created })),
          generatedSecrets,
        },
      };
    });
  }

  /** A client as stored (secrets hashed), for admin reads and Token Preview. */
  async getClientRecord(clientId: string): Promise<Client | undefined> {
    return this.getClient(clientId);
  }

  async getServerConfig(id: string): Promise<(ServerConfig & { version: number }) | undefined> {
    const row = this.getServerRow(id);
    return row ? { ...(JSON.parse(row.config) as ServerConfig), version: row.version } : undefined;
  }

  async listServerIds(): Promise<string[]> {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM servers ORDER BY id")
      .toArray()
      .map((r) => r.id);
  }

  /** The server's keys and Okta's `credentials.signing` times, or undefined for an unknown server. */
  async signingStatus(serverId: string): Promise<VaultStatus | undefined> {
    if (!this.getServerRow(serverId)) return undefined;
    return this.vault(serverId).status();
  }

  /** Okta's `credentials/lifecycle/keyRotate`. */
  async rotateKeys(serverId: string): Promise<VaultStatus | undefined> {
    if (!this.getServerRow(serverId)) return undefined;
    const result = await this.vault(serverId).rotate();
    return result.ok ? result.status : undefined;
  }

  /** Emergency revocation of one key; undefined when the server or the key does not exist. */
  async revokeKey(serverId: string, kid: string): Promise<VaultStatus | undefined> {
    if (!this.getServerRow(serverId)) return undefined;
    const result = await this.vault(serverId).revoke(kid);
    return result.ok ? result.status : undefined;
  }

  /** Inline hooks for the management API: never with their auth secret. */
  async listInlineHooks(): Promise<InlineHookRecord[]> {
    return this.hooks.list().map(withoutSecret);
  }

  async getInlineHook(id: string): Promise<InlineHookRecord | undefined> {
    const hook = this.hooks.get(id);
    return hook ? withoutSecret(hook) : undefined;
  }

  async createInlineHook(input: unknown): Promise<HookWriteResult> {
    return this.ctx.blockConcurrencyWhile(async () => hookView(await this.hooks.create(input)));
  }

  async replaceInlineHook(id: string, input: unknown): Promise<HookWriteResult> {
    return this.ctx.blockConcurrencyWhile(async () => hookView(await this.hooks.replace(id, input)));
  }

  async setInlineHookStatus(id: string, status: "ACTIVE" | "INACTIVE"): Promise<HookWriteResult> {
    return this.ctx.blockConcurrencyWhile(async () => hookView(await this.hooks.setStatus(id, status)));
  }

  /** Refused while the hook is ACTIVE (Okta) or any rule names it (referential integrity). */
  async deleteInlineHook(id: string): Promise<HookWriteResult> {
    return this.ctx.blockConcurrencyWhile(async () =>
      hookView(await this.hooks.delete(id, this.rulesUsingHook(id))),
    );
  }

  /** Every rule, on any server, that names the hook, described for an admin. */
  private rulesUsingHook(hookId: string): string[] {
    return this.sql
      .exec<{ config: string }>("SELECT config FROM servers ORDER BY id")
      .toArray()
      .flatMap(({ config }) => {
        const { server, policies } = JSON.parse(config) as ServerConfig;
        return policies.flatMap((policy) =>
          policy.rules
            .filter((rule) => rule.actions.token.inlineHook?.id === hookId)
            .map(
              (rule) => `rule '${rule.id}' of policy '${policy.id}' on authorization server '${server.id}'`,
            ),
        );
      });
  }

  /**
   * The org authorization server exists with the first configuration: its key vault is set up (and
   * publishes its keyset) before any client that could ask it for a token is visible. Idempotent.
   */
  private async ensureOrgKeys(): Promise<void> {
    if (this.orgKeysReady) return;
    await this.vault(ORG_KEYS_ID).configure(ORG_KEYS_ID, ORG_SIGNING);
    this.orgKeysReady = true;
  }

  /** Policies may only name clients, and rules inline hooks, that exist (after this write). */
  private referenceIssues(doc: z.infer<typeof ImportDocument>): ValidationIssue[] {
    const known = new Set([
      ...this.sql
        .exec<{ client_id: string }>("SELECT client_id FROM clients")
        .toArray()
        .map((r) => r.client_id),
      ...doc.clients.map((c) => c.client_id),
    ]);
    const hookIds = new Set([...this.hooks.list().map((h) => h.id), ...doc.inlineHooks.map((h) => h.id)]);
    const issues: ValidationIssue[] = [];
    doc.authorizationServers.forEach((config, s) => {
      config.policies.forEach((policy, p) => {
        policy.conditions.clients.include.forEach((id, i) => {
          if (id !== "ALL_CLIENTS" && !known.has(id)) {
            issues.push({
              path: `authorizationServers.${s}.policies.${p}.conditions.clients.include.${i}`,
              message: `client '${id}' does not exist`,
            });
          }
        });
        policy.rules.forEach((rule, r) => {
          const hookId = rule.actions.token.inlineHook?.id;
          if (hookId !== undefined && !hookIds.has(hookId)) {
            issues.push({
              path: `authorizationServers.${s}.policies.${p}.rules.${r}.actions.token.inlineHook.id`,
              message: `inline hook '${hookId}' does not exist`,
            });
          }
        });
      });
    });
    return issues;
  }

  private getServerRow(id: string): ServerRow | undefined {
    return this.sql.exec<ServerRow>("SELECT * FROM servers WHERE id = ?", id).toArray()[0];
  }

  private getClient(clientId: string): Client | undefined {
    const row = this.sql
      .exec<{ record: string }>("SELECT record FROM clients WHERE client_id = ?", clientId)
      .toArray()[0];
    return row ? (JSON.parse(row.record) as Client) : undefined;
  }

  private vault(serverId: string) {
    return this.env.KEY_VAULT.get(this.env.KEY_VAULT.idFromName(serverId));
  }
}

function hookView(result: HookWriteResult): HookWriteResult {
  return result.ok ? { ok: true, value: withoutSecret(result.value) } : result;
}

function usesSecret(method: Client["token_endpoint_auth_method"]): boolean {
  return method === "client_secret_basic" || method === "client_secret_post";
}

async function newSecret(secret: string): Promise<ClientSecret> {
  return {
    id: `ocs${randomToken(12)}`,
    secretHash: await hashSecret(secret),
    status: "ACTIVE",
    created: new Date().toISOString(),
  };
}

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}
