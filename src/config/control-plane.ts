/**
 * Control plane: the single write authority for configuration (one Durable Object, `global`).
 * It validates, stores the authoritative copy in SQLite, asks each server's key vault for keys, and
 * publishes immutable versioned snapshots and client records to KV for the edges to read (DESIGN §1).
 */
import { DurableObject } from "cloudflare:workers";
import * as z from "zod";
import { hashSecret, randomToken } from "../crypto/secrets";
import type { Env } from "../env";
import { type HookWriteResult, InlineHookStore, withoutSecret } from "../hooks/hook-store";
import type { SigningSettings, VaultStatus } from "../keys/key-vault";
import { type ApiTokenCreateResult, type ApiTokenRecord, ApiTokenStore } from "./api-token-store";
import {
  CLIENT_SECRET_BYTES,
  DEFAULT_SIGNING_ALG,
  MAX_CLIENT_SECRETS,
  NEXT_KEY_LEAD_SECONDS,
  ORG_KEYS_ID,
  ROTATION_PERIOD_SECONDS,
} from "./defaults";
import { kvKeys } from "./kv-keys";
import {
  type Claim,
  Client,
  ClientInput,
  type ClientSecret,
  InlineHook,
  type InlineHookRecord,
  type Scope,
  ServerConfig,
  type Snapshot,
} from "./schemas";
import { applyChange, type ServerChange } from "./server-changes";

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

export type ServerChangeResult =
  | { ok: true; value: Scope | Claim | null; version: number }
  | { ok: false; notFound?: string; issues: ValidationIssue[] };

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
  private readonly apiTokens: ApiTokenStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS servers (id TEXT PRIMARY KEY, config TEXT NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS inline_hooks (id TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    this.hooks = new InlineHookStore(this.sql, env);
    this.apiTokens = new ApiTokenStore(this.sql);
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
        for (const { record } of clients) this.storeClient(record);
      });

      // Hooks before the snapshots whose rules name them; keys before snapshots: an edge that sees a
      // server's snapshot must find its keyset too.
      await this.hooks.publish(hooks.records);
      for (const snapshot of servers) await this.publishServer(snapshot);
      await this.ensureOrgKeys();
      for (const { record } of clients) await this.publishClient(record);
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

  /**
   * One page of clients (Okta's `GET /api/v1/apps`), ordered by client_id: those after the `after`
   * cursor whose label (`client_name`) starts with `q`, case-insensitively. `next` is the cursor of
   * the following page, if there is one.
   */
  async listClients(options: { q?: string; after?: string; limit: number }): Promise<{
    clients: Client[];
    next?: string;
  }> {
    const prefix = `${(options.q ?? "").toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = this.sql
      .exec<{ record: string }>(
        `SELECT record FROM clients WHERE client_id > ?
           AND lower(json_extract(record, '$.client_name')) LIKE ? ESCAPE '\\'
         ORDER BY client_id LIMIT ?`,
        options.after ?? "",
        prefix,
        options.limit + 1,
      )
      .toArray()
      .map((row) => JSON.parse(row.record) as Client);
    const clients = rows.slice(0, options.limit);
    return rows.length > options.limit ? { clients, next: clients.at(-1)?.client_id } : { clients };
  }

  /**
   * Okta's `POST /api/v1/apps`: the client is stored and published; a client_secret_* client gets a
   * generated secret, returned here once and stored only as its hash.
   */
  async createClient(input: unknown): Promise<ClientWriteResult<{ client: Client; secret?: string }>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const fields = isRecord(input) ? input : {};
      // An id the admin gives is validated like any field; none means Okta-style generation.
      const clientId = fields.client_id === undefined ? newClientId() : fields.client_id;
      const parsed = Client.safeParse({ ...fields, client_id: clientId, secrets: [] });
      if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
      if (this.getClient(parsed.data.client_id)) {
        return {
          ok: false,
          issues: [{ path: "client_id", message: `a client '${parsed.data.client_id}' already exists` }],
        };
      }
      let secret: string | undefined;
      if (usesSecret(parsed.data.token_endpoint_auth_method)) {
        secret = randomToken(CLIENT_SECRET_BYTES);
        parsed.data.secrets = [await newSecret(secret)];
      }
      await this.saveClient(parsed.data);
      return {
        ok: true,
        value: secret === undefined ? { client: parsed.data } : { client: parsed.data, secret },
      };
    });
  }

  /** Okta's `PUT /api/v1/apps/{id}`: everything but the id, status, secrets and scope grants is replaced. */
  async replaceClient(clientId: string, input: unknown): Promise<ClientWriteResult<Client>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const existing = this.getClient(clientId);
      if (!existing) return { ok: false, notFound: "client" };
      const fields = isRecord(input) ? input : {};
      const parsed = Client.safeParse({
        ...fields,
        client_id: clientId,
        status: existing.status,
        secrets: existing.secrets,
        grants: fields.grants ?? existing.grants,
      });
      if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
      await this.saveClient(parsed.data);
      return { ok: true, value: parsed.data };
    });
  }

  /** `lifecycle/activate|deactivate`: the KV record is republished, so an INACTIVE client gets no tokens. */
  async setClientStatus(clientId: string, status: Client["status"]): Promise<ClientWriteResult<Client>> {
    return this.updateClient(clientId, (client) => ({ ok: true, value: { ...client, status } }));
  }

  /** Refused while ACTIVE (Okta) or while a policy on any authorization server names the client. */
  async deleteClient(clientId: string): Promise<ClientWriteResult<null>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const existing = this.getClient(clientId);
      if (!existing) return { ok: false, notFound: "client" };
      if (existing.status === "ACTIVE") {
        return {
          ok: false,
          issues: [{ path: "status", message: "an ACTIVE app must be deactivated before it is deleted" }],
        };
      }
      const users = this.policiesUsingClient(clientId);
      if (users.length > 0) {
        return {
          ok: false,
          issues: users.map((where) => ({ path: "id", message: `the app is still named by ${where}` })),
        };
      }
      this.sql.exec("DELETE FROM clients WHERE client_id = ?", clientId);
      await this.env.CONFIG.delete(kvKeys.client(clientId));
      return { ok: true, value: null };
    });
  }

  /** Okta's `POST /api/v1/apps/{id}/credentials/secrets`: a new ACTIVE secret, its value returned once. */
  async createClientSecret(
    clientId: string,
  ): Promise<ClientWriteResult<{ secret: ClientSecret; value: string }>> {
    const value = randomToken(CLIENT_SECRET_BYTES);
    const secret = await newSecret(value);
    return this.updateClient(clientId, (client) => {
      if (!usesSecret(client.token_endpoint_auth_method)) {
        return problem(
          "token_endpoint_auth_method",
          `an app using ${client.token_endpoint_auth_method} has no client secrets`,
        );
      }
      if (client.secrets.length >= MAX_CLIENT_SECRETS) {
        return problem(
          "secrets",
          `an app has at most ${MAX_CLIENT_SECRETS} client secrets; delete an INACTIVE one first`,
        );
      }
      return { ok: true, value: { ...client, secrets: [...client.secrets, secret] } };
    }).then((result) => (result.ok ? { ok: true, value: { secret, value } } : result));
  }

  /** `…/secrets/{secretId}/lifecycle/activate|deactivate`; the last ACTIVE secret cannot be deactivated. */
  async setClientSecretStatus(
    clientId: string,
    secretId: string,
    status: ClientSecret["status"],
  ): Promise<ClientWriteResult<ClientSecret>> {
    return this.updateClient(clientId, (client) => {
      const target = client.secrets.find((s) => s.id === secretId);
      if (!target) return { ok: false, notFound: "secret" };
      const othersActive = client.secrets.some((s) => s.id !== secretId && s.status === "ACTIVE");
      if (status === "INACTIVE" && target.status === "ACTIVE" && !othersActive) {
        return problem("status", "the app's last ACTIVE client secret cannot be deactivated");
      }
      return {
        ok: true,
        value: { ...client, secrets: client.secrets.map((s) => (s.id === secretId ? { ...s, status } : s)) },
      };
    }).then((result) => {
      if (!result.ok) return result;
      const secret = result.value.secrets.find((s) => s.id === secretId);
      return secret ? { ok: true, value: secret } : { ok: false, notFound: "secret" };
    });
  }

  /** `DELETE …/secrets/{secretId}`: only an INACTIVE secret, so the last ACTIVE one is never deleted. */
  async deleteClientSecret(clientId: string, secretId: string): Promise<ClientWriteResult<null>> {
    return this.updateClient(clientId, (client) => {
      const target = client.secrets.find((s) => s.id === secretId);
      if (!target) return { ok: false, notFound: "secret" };
      if (target.status === "ACTIVE") {
        return problem("status", "an ACTIVE client secret must be deactivated before it is deleted");
      }
      return { ok: true, value: { ...client, secrets: client.secrets.filter((s) => s.id !== secretId) } };
    }).then((result) => (result.ok ? { ok: true, value: null } : result));
  }

  /** Admin API tokens (Okta's `/api/v1/api-tokens`): metadata only, never a value or hash. */
  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.apiTokens.list();
  }

  async getApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    return this.apiTokens.get(id);
  }

  /** The token's value is in this result only; the control plane keeps its SHA-256. */
  async createApiToken(input: unknown): Promise<ApiTokenCreateResult> {
    return this.ctx.blockConcurrencyWhile(() => this.apiTokens.create(input, new Date()));
  }

  async revokeApiToken(id: string): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => this.apiTokens.revoke(id));
  }

  /** The live token with this value, for the edge's SSWS check. */
  async verifyApiToken(token: string): Promise<ApiTokenRecord | undefined> {
    return this.apiTokens.verify(token, new Date());
  }

  /** A serialised read-modify-write of one client, stored and republished when `change` succeeds. */
  private async updateClient(
    clientId: string,
    change: (client: Client) => ClientWriteResult<Client>,
  ): Promise<ClientWriteResult<Client>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const existing = this.getClient(clientId);
      if (!existing) return { ok: false, notFound: "client" };
      const result = change(existing);
      if (result.ok) await this.saveClient(result.value);
      return result;
    });
  }

  /** Stores a client and publishes its KV record; the org keys exist before any client is visible. */
  private async saveClient(record: Client): Promise<void> {
    this.storeClient(record);
    await this.ensureOrgKeys();
    await this.publishClient(record);
  }

  private storeClient(record: Client): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO clients (client_id, record) VALUES (?, ?)",
      record.client_id,
      JSON.stringify(record),
    );
  }

  private async publishClient(record: Client): Promise<void> {
    await this.env.CONFIG.put(kvKeys.client(record.client_id), JSON.stringify(record));
  }

  /** Every policy, on any server, that names the client, described for an admin. */
  private policiesUsingClient(clientId: string): string[] {
    return this.sql
      .exec<{ config: string }>("SELECT config FROM servers ORDER BY id")
      .toArray()
      .flatMap(({ config }) => {
        const { server, policies } = JSON.parse(config) as ServerConfig;
        return policies
          .filter((policy) => policy.conditions.clients.include.includes(clientId))
          .map((policy) => `policy '${policy.id}' on authorization server '${server.id}'`);
      });
  }

  /**
   * One management-API change to one server (`server-changes.ts`): a serialised read-modify-write,
   * re-validated, stored with the next version and published like an import.
   */
  async changeServer(serverId: string, change: ServerChange): Promise<ServerChangeResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const row = this.getServerRow(serverId);
      if (!row) return { ok: false, notFound: serverId, issues: [] };
      const applied = applyChange(JSON.parse(row.config) as ServerConfig, change);
      if (!applied.ok) return applied;
      const version = row.version + 1;
      this.sql.exec(
        "UPDATE servers SET config = ?, version = ? WHERE id = ?",
        JSON.stringify(applied.config),
        version,
        serverId,
      );
      await this.publishServer({ ...applied.config, version, publishedAt: new Date().toISOString() });
      return { ok: true, value: applied.result, version };
    });
  }

  /** Keys before the snapshot: an edge that sees a server's snapshot must find its keyset too. */
  private async publishServer(snapshot: Snapshot): Promise<void> {
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

/** A client write's outcome: the value, what was invalid, or which object does not exist. */
export type ClientWriteResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: ValidationIssue[] }
  | { ok: false; notFound: "client" | "secret" };

function problem(path: string, message: string): ClientWriteResult<never> {
  return { ok: false, issues: [{ path, message }] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Okta's app ids: `0oa` and 17 letters or digits (about 100 random bits; rejection-sampled, unbiased). */
function newClientId(): string {
  let id = "0oa";
  while (id.length < 20) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 248 && id.length < 20) id += ID_ALPHABET[byte % 62];
    }
  }
  return id;
}
