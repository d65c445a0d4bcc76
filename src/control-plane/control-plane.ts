/**
 * Control plane: the single write authority for configuration (one Durable Object, `global`).
 * It validates, stores the authoritative copy in SQLite, asks each server's key vault for keys, and
 * publishes immutable versioned snapshots and client records to KV for the edges to read (DESIGN §1).
 *
 * Every write runs inside `blockConcurrencyWhile`: its reads, validation, storage and publication
 * happen with no other call interleaved at its awaits, so concurrent admin writes never lose an
 * update. Results cross the RPC boundary as data: thrown errors would lose their shape on the way.
 *
 * Every record it puts in KV is authenticated as a whole (record-publisher.ts). Records an older
 * Warden published carry no MAC and edges refuse them, so the first time this object runs after an
 * upgrade (or a change of `KEY_ENCRYPTION_KEY`) it publishes every record again, before it answers
 * any call; an edge that meets an unauthenticated record asks for it (`publishedRecord`).
 */
import { DurableObject } from "cloudflare:workers";
import type { ConfigRecordKind } from "../config/config-record";
import {
  DEFAULT_SIGNING_ALG,
  MAX_API_TOKEN_CHAIN,
  NEXT_KEY_LEAD_SECONDS,
  ORG_KEYS_ID,
  ROTATION_PERIOD_SECONDS,
} from "../config/defaults";
import { toIssues } from "../config/issues";
import type { Pulse } from "../config/revocations";
import {
  type AdminOwner,
  type AdminPrincipal,
  ALL_RIGHTS,
  holds,
  intersect,
  ownerOf,
  type Rights,
} from "../config/rights";
import {
  AuthorizationServer,
  type Client,
  type ClientSecret,
  ImportDocument,
  type InlineHook,
  type InlineHookRecord,
  ServerConfig,
  type Snapshot,
  type TrustedOriginFields,
  type TrustedOriginRecord,
  withoutHookSecret,
} from "../config/schemas";
import { TRUSTED_ORIGINS_RECORD_ID } from "../config/trusted-origins";
import { newObjectId } from "../crypto/object-id";
import { secretCheck } from "../crypto/secrets";
import { existingIds } from "../directory/known-ids";
import type { Env } from "../env";
import { isRecord } from "../http/json-value";
import type { SigningSettings, VaultStatus } from "../keys/key-vault";
import { type ApiTokenCreated, type ApiTokenRecord, ApiTokenStore } from "./api-token-store";
import { type ClientMissing, type ClientPage, ClientStore, refusal } from "./client-store";
import { InlineHookStore } from "./hook-store";
import { RecordPublisher } from "./record-publisher";
import {
  type KnownObjects,
  namedPeople,
  policiesNamingClient,
  referenceIssues,
  rulesNamingHook,
  rulesNamingPeople,
  serversTrusting,
} from "./references";
import { clientChanges, serverChanges } from "./revocation-changes";
import { RevocationLog } from "./revocation-log";
import { applyChange, type ChangedObject, normaliseConfig, type ServerChange } from "./server-changes";
import { type ServerPage, ServerStore } from "./server-store";
import { type TrustedOriginPage, type TrustedOriginQuery, TrustedOriginStore } from "./trusted-origin-store";
import { forbidden, invalid, missing, type WriteResult } from "./write-result";

export interface ImportOptions {
  /** Also delete the servers, clients and inline hooks the document does not have. */
  prune?: boolean;
  /** Validate everything the import would, against current state, and write nothing. */
  dryRun?: boolean;
  /** Who imports (the admin's log id): recorded as the trusted origins' `createdBy` / `lastUpdatedBy`. */
  actor?: string;
}

/** The live configuration as an import document would restate it: never a secret. */
export interface ExportDocument {
  authorizationServers: ServerConfig[];
  clients: Omit<Client, "secrets">[];
  inlineHooks: InlineHook[];
  /** Keyed by origin in a document: no ids, no timestamps. */
  trustedOrigins: TrustedOriginFields[];
}

/** A server write's object (null for a delete) and the config version it produced. */
export interface ServerWrite {
  object: ChangedObject;
  version: number;
}

/** A server write; `notFound` is the id of the missing server or object (the route knows its kind). */
export type ServerChangeResult = WriteResult<ServerWrite, string>;

export interface ImportSummary {
  servers: { id: string; version: number }[];
  clients: { client_id: string; created: boolean }[];
  /** Secrets Warden generated in this call; shown once, stored only as hashes. */
  generatedSecrets: Record<string, string>;
  inlineHooks: { id: string; created: boolean }[];
  trustedOrigins: { id: string; origin: string; created: boolean }[];
  /** What `prune` deleted (or, in a dry run, would delete); trusted origins by id. */
  deleted: {
    authorizationServers: string[];
    clients: string[];
    inlineHooks: string[];
    trustedOrigins: string[];
  };
}

/**
 * A live managed API token as the edge's SSWS check sees it: `rights` are those recorded on it,
 * narrowed to what its owner holds now; null for a token created before tokens recorded rights.
 */
export interface VerifiedApiToken {
  id: string;
  /** The earliest expiry of the token and of the tokens it was minted from. */
  expiresAt?: string;
  rights: Rights | null;
  /**
   * What the acceptance depends on: the token's id and those of the tokens it was minted from, and
   * the client at the root of that chain. Revoking or disabling any of them ends it, so an edge
   * caching the acceptance drops it then (src/admin/api-token-check.ts).
   */
  dependsOn: { apiTokens: string[]; client?: string };
}

/** The org authorization server's keys: Okta's algorithm and AUTO schedule, not configurable. */
const ORG_SIGNING: SigningSettings = {
  alg: DEFAULT_SIGNING_ALG,
  rotationMode: "AUTO",
  rotationPeriodSeconds: ROTATION_PERIOD_SECONDS,
  nextKeyLeadSeconds: NEXT_KEY_LEAD_SECONDS,
};

/** `secretCheck`'s label for the bootstrap token an API token was minted with. */
const BOOTSTRAP_CHECK_LABEL = "warden bootstrap api token check/1";

export class ControlPlane extends DurableObject<Env> {
  readonly #servers: ServerStore;
  readonly #clients: ClientStore;
  readonly #hooks: InlineHookStore;
  readonly #origins: TrustedOriginStore;
  readonly #apiTokens: ApiTokenStore;
  /** Recent disables, for the edges' revocation pulse (src/control-plane/revocation-log.ts). */
  readonly #revocations: RevocationLog;
  readonly #records: RecordPublisher;
  #orgKeysReady = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.#records = new RecordPublisher(sql, env);
    this.#servers = new ServerStore(sql, env, this.#records);
    this.#clients = new ClientStore(sql, env, this.#records, () => this.#ensureOrgKeys());
    this.#hooks = new InlineHookStore(sql, env, this.#records);
    this.#origins = new TrustedOriginStore(sql, this.#records);
    this.#apiTokens = new ApiTokenStore(sql);
    this.#revocations = new RevocationLog(sql, env);
    // Before any call is answered: records of an older Warden are replaced on the first call after
    // an upgrade, whoever makes it (an admin, npm start, an edge recovering a record).
    void ctx.blockConcurrencyWhile(() => this.#republishIfStale());
    void ctx.blockConcurrencyWhile(async () => {
      const check = await this.#bootstrapCheck();
      if (check !== undefined) this.#apiTokens.stampBootstrapOwners(check);
    });
  }

  /** Which bootstrap token (`ADMIN_API_TOKEN`) this object runs with; undefined when none is set. */
  async #bootstrapCheck(): Promise<string | undefined> {
    const secret = this.env.ADMIN_API_TOKEN;
    return secret ? secretCheck(BOOTSTRAP_CHECK_LABEL, secret) : undefined;
  }

  // ---- records in KV ----

  /**
   * The authenticated KV record of one snapshot, client or inline hook, for an edge that found the
   * one in KV unauthenticated (src/config/config-store.ts): published before records were
   * authenticated, under another key-encryption key, or not by this control plane. It is put back
   * in KV (at most once a minute per record). Undefined when there is no such object. Serialised
   * with writes, so a record put back is never older than one a write has just published.
   */
  async publishedRecord(kind: ConfigRecordKind, id: string): Promise<string | undefined> {
    if (typeof id !== "string" || !["snapshot", "client", "hook", "trustedOrigins"].includes(kind)) {
      return undefined;
    }
    return this.ctx.blockConcurrencyWhile(async () => {
      await this.#republishIfStale();
      const value = await this.#currentRecord(kind, id);
      if (value === undefined) return undefined;
      const text = await this.#records.encode(kind, id, value);
      await this.#records.putBack(kind, id, text);
      return text;
    });
  }

  async #currentRecord(kind: ConfigRecordKind, id: string): Promise<unknown> {
    switch (kind) {
      case "snapshot":
        return this.#servers.snapshot(id);
      case "client":
        return this.#clients.get(id);
      case "hook":
        return this.#hooks.published(id);
      case "trustedOrigins":
        return id === TRUSTED_ORIGINS_RECORD_ID ? this.#origins.published() : undefined;
    }
  }

  /**
   * Publishes every snapshot, client and inline hook again when the records in KV are not all in the
   * current format under the current key (record-publisher.ts), then records that they are. Never
   * throws: a failure (KV unavailable) is logged and the next call that checks tries again.
   */
  async #republishIfStale(): Promise<void> {
    try {
      if (await this.#records.current()) return;
      const servers = this.#servers.all().map((c) => c.server.id);
      const clients = this.#clients.all();
      const hooks = this.#hooks.ids();
      for (const id of hooks) {
        const published = await this.#hooks.published(id);
        if (published) await this.#records.publish("hook", id, published);
      }
      for (const id of servers) {
        const snapshot = this.#servers.snapshot(id);
        if (snapshot) await this.#records.publish("snapshot", id, snapshot);
      }
      for (const client of clients) await this.#records.publish("client", client.client_id, client);
      await this.#origins.publish();
      await this.#records.markCurrent();
      console.warn(
        JSON.stringify({
          event: "control_plane.records_republished",
          servers: servers.length,
          clients: clients.length,
          inlineHooks: hooks.length,
        }),
      );
    } catch (error) {
      console.error(
        JSON.stringify({
          event: "control_plane.republish_failed",
          error: error instanceof Error ? error.message : "unknown",
        }),
      );
    }
  }

  // ---- bulk: import and export (npm start's seed, config as code) ----

  /**
   * `rights`: the caller's. Every client the document creates or changes is checked as the apps API
   * checks it (src/control-plane/client-rights.ts), so an import grants no okta.* scope the caller
   * lacks and takes over no client holding one.
   */
  async importConfig(
    input: unknown,
    rights: Rights,
    options: ImportOptions = {},
  ): Promise<WriteResult<ImportSummary>> {
    const parsed = ImportDocument.safeParse(input);
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    const doc = {
      ...parsed.data,
      authorizationServers: parsed.data.authorizationServers.map(normaliseConfig),
    };
    // Serialise the whole write: validation against current state, storage and publication.
    return this.ctx.blockConcurrencyWhile(async () => {
      // An import (npm start's seed, `warden apply`) also brings every older record up to date.
      if (!options.dryRun) await this.#republishIfStale();
      const deleted = this.#pruned(doc, options.prune === true);
      const hooks = this.#hooks.prepare(doc.inlineHooks, "inlineHooks");
      const origins = this.#origins.prepare(
        doc.trustedOrigins,
        options.actor ?? "import",
        deleted.trustedOrigins,
      );
      const known = await this.#knownAfter(doc, deleted);
      const issues = [
        ...doc.authorizationServers.flatMap((config, s) =>
          referenceIssues(config, known, `authorizationServers.${s}.`),
        ),
        ...hooks.issues,
        ...origins.issues,
      ];
      if (issues.length > 0) return { ok: false, issues };
      // Trusted origins decide which web pages may read tokens: their own right, as on their API.
      const touchesOrigins = doc.trustedOrigins.length > 0 || deleted.trustedOrigins.length > 0;
      if (touchesOrigins && !holds(rights, "okta.trustedOrigins.manage")) {
        return forbidden(["okta.trustedOrigins.manage"]);
      }
      for (const client of doc.clients) {
        const refused = refusal(
          rights,
          this.#clients.get(client.client_id),
          client,
          client.client_secrets.length > 0,
        );
        if (refused) return refused;
      }
      if (options.dryRun) {
        return {
          ok: true,
          value: {
            servers: doc.authorizationServers.map(({ server }) => ({
              id: server.id,
              version: (this.#servers.get(server.id)?.version ?? 0) + 1,
            })),
            clients: doc.clients.map((c) => ({
              client_id: c.client_id,
              created: !this.#clients.get(c.client_id),
            })),
            inlineHooks: hooks.records.map(({ record, created }) => ({ id: record.id, created })),
            trustedOrigins: originSummary(origins.records),
            generatedSecrets: {},
            deleted,
          },
        };
      }

      const clients = await this.#clients.prepare(doc.clients);
      const snapshots: Snapshot[] = [];
      const clientsBefore = new Map(
        [...doc.clients.map((c) => c.client_id), ...deleted.clients].map((id) => [id, this.#clients.get(id)]),
      );
      const serversBefore = new Map(
        [...doc.authorizationServers.map((c) => c.server.id), ...deleted.authorizationServers].map((id) => [
          id,
          this.#servers.get(id)?.config,
        ]),
      );
      this.ctx.storage.transactionSync(() => {
        this.#hooks.save(hooks.records);
        for (const config of doc.authorizationServers) snapshots.push(this.#servers.store(config));
        for (const { record } of clients.records) this.#clients.store(record);
        for (const id of deleted.authorizationServers) this.#servers.forget(id);
        this.#origins.save(origins, deleted.trustedOrigins);
      });
      // Pruned clients are deleted below, after publication: they are gone as of this write.
      const gone = new Set(deleted.clients);
      this.#revocations.record([
        ...[...clientsBefore].flatMap(([id, before]) =>
          clientChanges(before, gone.has(id) ? undefined : this.#clients.get(id)),
        ),
        ...[...serversBefore].flatMap(([id, before]) => serverChanges(before, this.#servers.get(id)?.config)),
      ]);

      // Hooks before the snapshots whose rules name them; keys before snapshots (ServerStore).
      // Deletions last: nothing published above names what they remove.
      await this.#hooks.publish(hooks.records);
      for (const snapshot of snapshots) await this.#servers.publish(snapshot);
      for (const { record } of clients.records) await this.#clients.publish(record);
      await this.#ensureOrgKeys();
      for (const id of deleted.authorizationServers) await this.#servers.unpublish(id);
      for (const id of deleted.clients) await this.#clients.remove(id);
      for (const id of deleted.inlineHooks) await this.#hooks.remove(id);
      if (touchesOrigins) await this.#origins.publish();
      return {
        ok: true,
        value: {
          servers: snapshots.map((s) => ({ id: s.server.id, version: s.version })),
          clients: clients.records.map(({ record, created }) => ({ client_id: record.client_id, created })),
          inlineHooks: hooks.records.map(({ record, created }) => ({ id: record.id, created })),
          trustedOrigins: originSummary(origins.records),
          generatedSecrets: clients.generatedSecrets,
          deleted,
        },
      };
    });
  }

  /** The live configuration in the import document's shape, without client or hook secrets. */
  async exportConfig(): Promise<ExportDocument> {
    return {
      authorizationServers: this.#servers.all(),
      clients: this.#clients.all().map(({ secrets: _secrets, ...client }) => client),
      inlineHooks: this.#hooks.list().map((hook) => {
        const { created: _created, lastUpdated: _lastUpdated, ...rest } = withoutHookSecret(hook);
        return rest;
      }),
      trustedOrigins: this.#origins
        .all()
        .map(({ name, origin, scopes, status }) => ({ name, origin, scopes, status })),
    };
  }

  /** What a `prune` import deletes: stored objects the document does not have. */
  #pruned(doc: ImportDocument, prune: boolean): ImportSummary["deleted"] {
    if (!prune) return { authorizationServers: [], clients: [], inlineHooks: [], trustedOrigins: [] };
    const servers = new Set(doc.authorizationServers.map((c) => c.server.id));
    const clients = new Set(doc.clients.map((c) => c.client_id));
    const hooks = new Set(doc.inlineHooks.map((h) => h.id));
    const origins = new Set(doc.trustedOrigins.map((o) => o.origin));
    return {
      authorizationServers: this.#servers
        .all()
        .map((c) => c.server.id)
        .filter((id) => !servers.has(id)),
      clients: this.#clients.ids().filter((id) => !clients.has(id)),
      inlineHooks: this.#hooks.ids().filter((id) => !hooks.has(id)),
      trustedOrigins: this.#origins
        .all()
        .filter((o) => !origins.has(o.origin))
        .map((o) => o.id),
    };
  }

  /** The objects that will exist once `doc` is imported and `deleted` removed. */
  #knownAfter(doc: ImportDocument, deleted: ImportSummary["deleted"]): Promise<KnownObjects> {
    const gone = new Set([...deleted.clients, ...deleted.inlineHooks]);
    const goneServers = new Set(deleted.authorizationServers);
    return this.#known(doc.authorizationServers, {
      clients: [...this.#clients.ids().filter((id) => !gone.has(id)), ...doc.clients.map((c) => c.client_id)],
      inlineHooks: [...this.#hooks.ids().filter((id) => !gone.has(id)), ...doc.inlineHooks.map((h) => h.id)],
      servers: [
        ...this.#servers
          .all()
          .map((c) => c.server.id)
          .filter((id) => !goneServers.has(id)),
        ...doc.authorizationServers.map((c) => c.server.id),
      ],
    });
  }

  /**
   * The objects `configs` may name: clients and hooks from this object's storage, and of the users
   * and groups the rules name, those the directory (D1) holds; only the named ids are looked up.
   */
  async #known(
    configs: readonly ServerConfig[],
    ids?: { clients: string[]; inlineHooks: string[]; servers: string[] },
  ): Promise<KnownObjects> {
    const named = namedPeople(configs);
    const [users, groups] = await Promise.all([
      existingIds(this.env.DIRECTORY, "users", named.users),
      existingIds(this.env.DIRECTORY, "groups", named.groups),
    ]);
    return {
      clients: new Set(ids?.clients ?? this.#clients.ids()),
      inlineHooks: new Set(ids?.inlineHooks ?? this.#hooks.ids()),
      groups,
      users,
      servers: new Set(ids?.servers ?? this.#servers.all().map((c) => c.server.id)),
    };
  }

  /**
   * Every rule, on any server, whose people condition names one of these users or groups,
   * described for an admin: the Users and Groups APIs refuse to delete what a rule still names.
   */
  async rulesNamingPeople(named: { users?: string[]; groups?: string[] }): Promise<string[]> {
    const strings = (value: unknown) =>
      Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    const input = isRecord(named) ? named : {};
    return rulesNamingPeople(this.#servers.all(), {
      users: strings(input.users),
      groups: strings(input.groups),
    });
  }

  // ---- authorization servers ----

  async listServers(options: { q?: string; after?: string; limit: number }): Promise<ServerPage> {
    return this.#servers.page(options);
  }

  async getServerConfig(id: string): Promise<(ServerConfig & { version: number }) | undefined> {
    const stored = this.#servers.get(id);
    return stored ? { ...stored.config, version: stored.version } : undefined;
  }

  /**
   * Okta's `POST /api/v1/authorizationServers`: a new ACTIVE server with no policies; its key vault
   * creates ACTIVE and NEXT keys before the snapshot is published. Warden lets the admin choose the
   * id (it is the `/oauth2/{id}` path); Okta generates one (`aus…`), as Warden does without one.
   */
  async createServer(input: unknown): Promise<ServerChangeResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const fields = isRecord(input) ? input : {};
      const id = fields.id === undefined ? newObjectId("aus") : fields.id;
      const parsed = AuthorizationServer.safeParse({ ...fields, id, status: "ACTIVE" });
      if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
      if (this.#servers.get(parsed.data.id)) {
        return invalid("id", `an authorization server '${parsed.data.id}' already exists`);
      }
      const config = ServerConfig.parse({ server: parsed.data });
      const snapshot = this.#servers.store(config);
      this.#revocations.record(serverChanges(undefined, config));
      await this.#servers.publish(snapshot);
      return { ok: true, value: { object: snapshot.server, version: snapshot.version } };
    });
  }

  /**
   * One management-API change to one server (`server-changes.ts`): a serialised read-modify-write,
   * re-validated, checked for references, stored with the next version and published.
   */
  async changeServer(serverId: string, change: ServerChange): Promise<ServerChangeResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const stored = this.#servers.get(serverId);
      if (!stored) return missing(serverId);
      const applied = applyChange(stored.config, change);
      if (!applied.ok) return applied;
      const issues = referenceIssues(applied.config, await this.#known([applied.config]));
      if (issues.length > 0) return { ok: false, issues };
      const snapshot = this.#servers.store(applied.config);
      this.#revocations.record(serverChanges(stored.config, applied.config));
      await this.#servers.publish(snapshot);
      return { ok: true, value: { object: applied.result, version: snapshot.version } };
    });
  }

  /**
   * Okta's `DELETE /api/v1/authorizationServers/{id}`: only an INACTIVE server (Okta asks for the
   * deactivation first). Its snapshot leaves KV, so every edge stops serving it within the
   * propagation bound, and its key vault drops its keys.
   */
  async deleteServer(serverId: string): Promise<ServerChangeResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const stored = this.#servers.get(serverId);
      if (!stored) return missing(serverId);
      if (stored.config.server.status === "ACTIVE") {
        return invalid("status", "an ACTIVE authorization server must be deactivated before it is deleted");
      }
      // Token exchange: a server another one trusts stays until that trust is removed, so a new
      // server created later under the same id never inherits a trust meant for this one.
      const trusting = serversTrusting(this.#servers.all(), serverId);
      if (trusting.length > 0) {
        return invalid("id", `authorization server '${serverId}' is trusted by ${trusting.join(", ")}`);
      }
      this.#servers.forget(serverId);
      this.#revocations.record(serverChanges(stored.config, undefined));
      await this.#servers.unpublish(serverId);
      return { ok: true, value: { object: null, version: stored.version } };
    });
  }

  /** The server's keys and Okta's `credentials.signing` times, or undefined for an unknown server. */
  async signingStatus(serverId: string): Promise<VaultStatus | undefined> {
    if (!this.#servers.get(serverId)) return undefined;
    return this.#servers.vault(serverId).status();
  }

  /** Okta's `credentials/lifecycle/keyRotate`; a vault with no keys yet counts as a missing server. */
  async rotateKeys(serverId: string): Promise<WriteResult<VaultStatus, "server">> {
    if (!this.#servers.get(serverId)) return missing("server");
    const result = await this.#servers.vault(serverId).rotate();
    return result.ok ? { ok: true, value: result.status } : missing("server");
  }

  /** Emergency revocation of one key; a vault with no keys yet has no such key either. */
  async revokeKey(serverId: string, kid: string): Promise<WriteResult<VaultStatus, "server" | "key">> {
    if (!this.#servers.get(serverId)) return missing("server");
    const result = await this.#servers.vault(serverId).revoke(kid);
    return result.ok ? { ok: true, value: result.status } : missing("key");
  }

  // ---- clients (Okta apps) ----

  /** A client as stored (secrets hashed), for admin reads and Token Preview. */
  async getClientRecord(clientId: string): Promise<Client | undefined> {
    return this.#clients.get(clientId);
  }

  async listClients(options: { q?: string; after?: string; limit: number }): Promise<ClientPage> {
    return this.#clients.page(options);
  }

  // Each client write takes the caller's `rights` and checks them inside the serialised write, so
  // no other write can change the client between the check and the change.

  async createClient(
    input: unknown,
    rights: Rights,
  ): Promise<WriteResult<{ client: Client; secret?: string }, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const result = await this.#clients.create(input, rights);
      // A client deleted and created again under its id within the window must not stay refused.
      if (result.ok) this.#revocations.record(clientChanges(undefined, result.value.client));
      return result;
    });
  }

  async replaceClient(
    clientId: string,
    input: unknown,
    rights: Rights,
  ): Promise<WriteResult<Client, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(() => this.#clients.replace(clientId, input, rights));
  }

  async setClientStatus(
    clientId: string,
    status: Client["status"],
    rights: Rights,
  ): Promise<WriteResult<Client, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(() =>
      this.#recordingClient(clientId, () => this.#clients.setStatus(clientId, status, rights)),
    );
  }

  /** Refused while ACTIVE (Okta) or while a policy on any authorization server names the client. */
  async deleteClient(clientId: string): Promise<WriteResult<null, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(() =>
      this.#recordingClient(clientId, () =>
        this.#clients.delete(clientId, policiesNamingClient(this.#servers.all(), clientId)),
      ),
    );
  }

  async createClientSecret(
    clientId: string,
    rights: Rights,
  ): Promise<WriteResult<{ secret: ClientSecret; value: string }, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(() => this.#clients.createSecret(clientId, rights));
  }

  async setClientSecretStatus(
    clientId: string,
    secretId: string,
    status: ClientSecret["status"],
    rights: Rights,
  ): Promise<WriteResult<ClientSecret, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(() =>
      this.#recordingClient(clientId, () =>
        this.#clients.setSecretStatus(clientId, secretId, status, rights),
      ),
    );
  }

  async deleteClientSecret(
    clientId: string,
    secretId: string,
    rights: Rights,
  ): Promise<WriteResult<null, ClientMissing>> {
    return this.ctx.blockConcurrencyWhile(() =>
      this.#recordingClient(clientId, () => this.#clients.deleteSecret(clientId, secretId, rights)),
    );
  }

  /**
   * Runs a write of one client and records what it disabled or enabled for the revocation pulse —
   * in `finally`, so a write stored but not published (KV failed) is recorded all the same: SQLite
   * is the truth the pulse reports.
   */
  async #recordingClient<T>(clientId: string, write: () => Promise<T>): Promise<T> {
    const before = this.#clients.get(clientId);
    try {
      return await write();
    } finally {
      this.#revocations.record(clientChanges(before, this.#clients.get(clientId)));
    }
  }

  // ---- the revocation pulse ----

  /**
   * What every edge location reads every few seconds, in the background (src/config/revocation-pulse.ts):
   * the version and the changes of the window. A read, cheap, never one per token request.
   */
  async revocationPulse(): Promise<Pulse> {
    return this.#revocations.pulse();
  }

  // ---- admin API tokens (Okta's `/api/v1/api-tokens`): metadata only, never a value or hash ----

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.#apiTokens.list();
  }

  async getApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    return this.#apiTokens.get(id);
  }

  /**
   * The token's value is in this result only; the control plane keeps its SHA-256. `creator`: the
   * caller, recorded as the token's owner; the token gets at most its rights.
   */
  async createApiToken(input: unknown, creator: AdminPrincipal): Promise<WriteResult<ApiTokenCreated>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (creator.type === "API_TOKEN" && this.#chainLength(creator.id) >= MAX_API_TOKEN_CHAIN) {
        return invalid(
          "Authorization",
          `a token minted from tokens at most ${MAX_API_TOKEN_CHAIN} deep: create this one with a token nearer the bootstrap token or an org access token`,
        );
      }
      // Minted with the bootstrap token: which one, so that rotating the secret ends the token too.
      const check = creator.type === "BOOTSTRAP" ? await this.#bootstrapCheck() : undefined;
      const owner = check !== undefined ? { type: "BOOTSTRAP" as const, check } : ownerOf(creator);
      return this.#apiTokens.create(input, creator, new Date(), owner);
    });
  }

  /** How many API tokens lead from this one to a principal that is not a token (1: itself). */
  #chainLength(id: string): number {
    let length = 0;
    let owner: AdminOwner | undefined = { type: "API_TOKEN", id };
    while (owner?.type === "API_TOKEN" && length <= MAX_API_TOKEN_CHAIN) {
      length += 1;
      owner = this.#apiTokens.get(owner.id)?.owner;
    }
    return length;
  }

  /**
   * Recorded in the revocation pulse too: an edge that cached this token's acceptance, or that of a
   * token minted from it, drops it within the pulse's bound (src/admin/api-token-check.ts).
   */
  async revokeApiToken(id: string): Promise<WriteResult<null, "apiToken">> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const result = this.#apiTokens.revoke(id);
      if (result.ok) this.#revocations.record([{ kind: "apiToken", id, revoked: true }]);
      return result;
    });
  }

  /**
   * The live token with this value and its rights now, for the edge's SSWS check. A token whose
   * owner is gone (a revoked or expired token, a deleted or INACTIVE client) is no longer live.
   */
  async verifyApiToken(token: string): Promise<VerifiedApiToken | undefined> {
    const now = new Date();
    const record = await this.#apiTokens.verify(token, now);
    if (!record) return undefined;
    const rights = this.#tokenRights(record, now, 0, await this.#bootstrapCheck());
    if (rights === undefined) return undefined;
    const { tokens, root } = this.#apiTokens.lineage(record, MAX_API_TOKEN_CHAIN + 1);
    const expiries = tokens.flatMap((t) => (t.expiresAt ? [Date.parse(t.expiresAt)] : []));
    return {
      id: record.id,
      ...(expiries.length > 0 ? { expiresAt: new Date(Math.min(...expiries)).toISOString() } : {}),
      rights,
      dependsOn: {
        apiTokens: tokens.map((t) => t.id),
        ...(root?.type === "CLIENT" ? { client: root.id } : {}),
      },
    };
  }

  /**
   * A token's rights narrowed by its owner's (recursively); undefined once the owner is gone.
   * `bootstrap`: the check of the bootstrap token now set; one minted with another (rotated) is gone.
   */
  #tokenRights(
    record: ApiTokenRecord,
    now: Date,
    depth: number,
    bootstrap: string | undefined,
  ): Rights | null | undefined {
    if (!record.scopes || !record.owner) return null;
    const owner = this.#ownerRights(record.owner, now, depth, bootstrap);
    return owner ? intersect(record.scopes, owner) : undefined;
  }

  #ownerRights(
    owner: AdminOwner,
    now: Date,
    depth: number,
    bootstrap: string | undefined,
  ): Rights | undefined {
    switch (owner.type) {
      case "BOOTSTRAP":
        return bootstrap !== undefined && owner.check === bootstrap ? ALL_RIGHTS : undefined;
      case "CLIENT": {
        const client = this.#clients.get(owner.id);
        return client?.status === "ACTIVE" ? (client.grants ?? []).map((g) => g.scopeId) : undefined;
      }
      case "API_TOKEN": {
        // Each token was created by a live one, so a chain is as long as tokens were minted from tokens.
        if (depth >= MAX_API_TOKEN_CHAIN) return undefined;
        const parent = this.#apiTokens.get(owner.id);
        if (!parent || (parent.expiresAt && Date.parse(parent.expiresAt) <= now.getTime())) return undefined;
        return this.#tokenRights(parent, now, depth + 1, bootstrap) ?? undefined;
      }
    }
  }

  // ---- trusted origins (Okta's `/api/v1/trustedOrigins`); `actor`: the admin's log id ----

  async listTrustedOrigins(query: TrustedOriginQuery): Promise<TrustedOriginPage> {
    return this.#origins.page(query);
  }

  async getTrustedOrigin(id: string): Promise<TrustedOriginRecord | undefined> {
    return this.#origins.get(id);
  }

  async createTrustedOrigin(
    input: unknown,
    actor: string,
  ): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    return this.ctx.blockConcurrencyWhile(() => this.#origins.create(input, actor));
  }

  async replaceTrustedOrigin(
    id: string,
    input: unknown,
    actor: string,
  ): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    return this.ctx.blockConcurrencyWhile(() => this.#origins.replace(id, input, actor));
  }

  async setTrustedOriginStatus(
    id: string,
    status: "ACTIVE" | "INACTIVE",
    actor: string,
  ): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    return this.ctx.blockConcurrencyWhile(() => this.#origins.setStatus(id, status, actor));
  }

  async deleteTrustedOrigin(id: string): Promise<WriteResult<TrustedOriginRecord, "trustedOrigin">> {
    return this.ctx.blockConcurrencyWhile(() => this.#origins.delete(id));
  }

  // ---- token inline hooks: never with their auth secret ----

  async listInlineHooks(): Promise<InlineHookRecord[]> {
    return this.#hooks.list().map(withoutHookSecret);
  }

  async getInlineHook(id: string): Promise<InlineHookRecord | undefined> {
    const hook = this.#hooks.get(id);
    return hook ? withoutHookSecret(hook) : undefined;
  }

  async createInlineHook(input: unknown): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    return this.ctx.blockConcurrencyWhile(async () => hookView(await this.#hooks.create(input)));
  }

  async replaceInlineHook(id: string, input: unknown): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    return this.ctx.blockConcurrencyWhile(async () => hookView(await this.#hooks.replace(id, input)));
  }

  async setInlineHookStatus(
    id: string,
    status: "ACTIVE" | "INACTIVE",
  ): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    return this.ctx.blockConcurrencyWhile(async () => hookView(await this.#hooks.setStatus(id, status)));
  }

  /** Refused while the hook is ACTIVE (Okta) or any rule names it (referential integrity). */
  async deleteInlineHook(id: string): Promise<WriteResult<InlineHookRecord, "inlineHook">> {
    return this.ctx.blockConcurrencyWhile(async () =>
      hookView(await this.#hooks.delete(id, rulesNamingHook(this.#servers.all(), id))),
    );
  }

  /**
   * The org authorization server exists with the first configuration: its key vault is set up (and
   * publishes its keyset) before any client that could ask it for a token is visible. Idempotent.
   */
  async #ensureOrgKeys(): Promise<void> {
    if (this.#orgKeysReady) return;
    await this.#servers.vault(ORG_KEYS_ID).configure(ORG_KEYS_ID, ORG_SIGNING);
    this.#orgKeysReady = true;
  }
}

function hookView(
  result: WriteResult<InlineHookRecord, "inlineHook">,
): WriteResult<InlineHookRecord, "inlineHook"> {
  return result.ok ? { ok: true, value: withoutHookSecret(result.value) } : result;
}

function originSummary(
  records: readonly { record: TrustedOriginRecord; created: boolean }[],
): ImportSummary["trustedOrigins"] {
  return records.map(({ record, created }) => ({ id: record.id, origin: record.origin, created }));
}
