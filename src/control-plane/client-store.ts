/**
 * OAuth clients (Okta "apps") inside the control plane: the `clients` SQLite table is the
 * authoritative copy (secrets as SHA-256 hashes only, DESIGN §8) and `client/{id}` in KV is what
 * the edges read. The control plane serialises every call and decides what may reference a client;
 * nothing here is reentrant.
 */
import type * as z from "zod";
import { CLIENT_SECRET_BYTES, CLIENT_SECRET_ID_BYTES, MAX_CLIENT_SECRETS } from "../config/defaults";
import { toIssues } from "../config/issues";
import { kvKeys } from "../config/kv-keys";
import { lacking, type Rights } from "../config/rights";
import { Client, type ClientInput, type ClientSecret } from "../config/schemas";
import { newObjectId } from "../crypto/object-id";
import { hashSecret, randomToken } from "../crypto/secrets";
import type { Env } from "../env";
import { isRecord } from "../http/json-value";
import { type ClientPower, clientWriteNeeds } from "./client-rights";
import type { RecordPublisher } from "./record-publisher";
import { RecordTable } from "./record-table";
import { forbidden, invalid, missing, type WriteResult } from "./write-result";

/** What a client write may find missing: the client, or one of its secrets. */
export type ClientMissing = "client" | "secret";

export interface ClientPage {
  clients: Client[];
  /** The cursor of the following page, if there is one. */
  next?: string;
}

/** Only the `client_secret_*` methods authenticate with a shared secret. */
export function usesSecret(method: Client["token_endpoint_auth_method"]): boolean {
  return method === "client_secret_basic" || method === "client_secret_post";
}

export class ClientStore {
  /**
   * @param beforePublish runs before any client record reaches KV: the org authorization server's
   *   keys must exist before a client that could ask it for a token is visible.
   */
  readonly #table: RecordTable<Client>;

  constructor(
    sql: SqlStorage,
    private readonly env: Pick<Env, "CONFIG">,
    private readonly records: RecordPublisher,
    private readonly beforePublish: () => Promise<void>,
  ) {
    this.#table = new RecordTable(sql, "clients", "client_id");
  }

  get(clientId: string): Client | undefined {
    return this.#table.get(clientId);
  }

  ids(): string[] {
    return this.#table.ids();
  }

  all(): Client[] {
    return this.#table.all();
  }

  /**
   * One page (Okta's `GET /api/v1/apps`), ordered by client_id: those after the `after` cursor
   * whose label (`client_name`) starts with `q`, case-insensitively.
   */
  page(options: { q?: string; after?: string; limit: number }): ClientPage {
    const prefix = `${(options.q ?? "").toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = this.#table.select(
      `WHERE client_id > ?
         AND lower(json_extract(record, '$.client_name')) LIKE ? ESCAPE '\\'
       ORDER BY client_id LIMIT ?`,
      options.after ?? "",
      prefix,
      options.limit + 1,
    );
    const clients = rows.slice(0, options.limit);
    return rows.length > options.limit ? { clients, next: clients.at(-1)?.client_id } : { clients };
  }

  /**
   * Okta's `POST /api/v1/apps`: the client is stored and published; a client_secret_* client gets a
   * generated secret, returned here once and stored only as its hash. `rights`: the caller's, which
   * must cover any okta.* scope the new client is granted.
   */
  async create(
    input: unknown,
    rights: Rights,
  ): Promise<WriteResult<{ client: Client; secret?: string }, ClientMissing>> {
    const fields = isRecord(input) ? input : {};
    // An id the admin gives is validated like any field; none means Okta-style generation.
    const clientId = fields.client_id === undefined ? newObjectId("0oa") : fields.client_id;
    const parsed = Client.safeParse({ ...fields, client_id: clientId, secrets: [] });
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    if (this.get(parsed.data.client_id)) {
      return invalid("client_id", `a client '${parsed.data.client_id}' already exists`);
    }
    const refused = refusal(rights, undefined, parsed.data);
    if (refused) return refused;
    let secret: string | undefined;
    if (usesSecret(parsed.data.token_endpoint_auth_method)) {
      secret = randomToken(CLIENT_SECRET_BYTES);
      parsed.data.secrets = [await newSecret(secret)];
    }
    await this.save(parsed.data);
    return {
      ok: true,
      value: secret === undefined ? { client: parsed.data } : { client: parsed.data, secret },
    };
  }

  /**
   * Okta's `PUT /api/v1/apps/{id}`: everything but the id, status, secrets and scope grants is
   * replaced. New credentials for a client holding grants need the caller to hold them all.
   */
  async replace(
    clientId: string,
    input: unknown,
    rights: Rights,
  ): Promise<WriteResult<Client, ClientMissing>> {
    const existing = this.get(clientId);
    if (!existing) return missing("client");
    const fields = isRecord(input) ? input : {};
    const parsed = Client.safeParse({
      ...fields,
      client_id: clientId,
      status: existing.status,
      secrets: existing.secrets,
      grants: fields.grants ?? existing.grants,
    });
    if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
    const refused = refusal(rights, existing, parsed.data);
    if (refused) return refused;
    await this.save(parsed.data);
    return { ok: true, value: parsed.data };
  }

  /**
   * `lifecycle/activate|deactivate`: the KV record is republished, so an INACTIVE client gets no
   * tokens. Re-activating a client that holds grants needs the caller to hold them.
   */
  setStatus(
    clientId: string,
    status: Client["status"],
    rights: Rights,
  ): Promise<WriteResult<Client, ClientMissing>> {
    return this.update(clientId, (client) => {
      const next = { ...client, status };
      return refusal(rights, client, next) ?? { ok: true, value: next };
    });
  }

  /** Refused while ACTIVE (Okta) or while anything named in `referencedBy` still uses the client. */
  async delete(clientId: string, referencedBy: string[]): Promise<WriteResult<null, ClientMissing>> {
    const existing = this.get(clientId);
    if (!existing) return missing("client");
    if (existing.status === "ACTIVE") {
      return invalid("status", "an ACTIVE app must be deactivated before it is deleted");
    }
    if (referencedBy.length > 0) {
      return {
        ok: false,
        issues: referencedBy.map((where) => ({ path: "id", message: `the app is still named by ${where}` })),
      };
    }
    await this.remove(clientId);
    return { ok: true, value: null };
  }

  /** Deletes the client's record and its KV copy, whatever its status (import with prune). */
  async remove(clientId: string): Promise<void> {
    this.#table.delete(clientId);
    await this.env.CONFIG.delete(kvKeys.client(clientId));
  }

  /** Okta's `POST /api/v1/apps/{id}/credentials/secrets`: a new ACTIVE secret, its value returned once. */
  async createSecret(
    clientId: string,
    rights: Rights,
  ): Promise<WriteResult<{ secret: ClientSecret; value: string }, ClientMissing>> {
    const value = randomToken(CLIENT_SECRET_BYTES);
    const secret = await newSecret(value);
    const result = await this.update(clientId, (client) => {
      const refused = refusal(rights, client, client, true);
      if (refused) return refused;
      if (!usesSecret(client.token_endpoint_auth_method)) {
        return invalid(
          "token_endpoint_auth_method",
          `an app using ${client.token_endpoint_auth_method} has no client secrets`,
        );
      }
      if (client.secrets.length >= MAX_CLIENT_SECRETS) {
        return invalid(
          "secrets",
          `an app has at most ${MAX_CLIENT_SECRETS} client secrets; delete an INACTIVE one first`,
        );
      }
      return { ok: true, value: { ...client, secrets: [...client.secrets, secret] } };
    });
    return result.ok ? { ok: true, value: { secret, value } } : result;
  }

  /** `…/secrets/{secretId}/lifecycle/activate|deactivate`; the last ACTIVE secret cannot be deactivated. */
  async setSecretStatus(
    clientId: string,
    secretId: string,
    status: ClientSecret["status"],
    rights: Rights,
  ): Promise<WriteResult<ClientSecret, ClientMissing>> {
    const result = await this.update(clientId, (client) => {
      const target = client.secrets.find((s) => s.id === secretId);
      if (!target) return missing("secret");
      const refused = refusal(rights, client, client, true);
      if (refused) return refused;
      const othersActive = client.secrets.some((s) => s.id !== secretId && s.status === "ACTIVE");
      if (status === "INACTIVE" && target.status === "ACTIVE" && !othersActive) {
        return invalid("status", "the app's last ACTIVE client secret cannot be deactivated");
      }
      return {
        ok: true,
        value: { ...client, secrets: client.secrets.map((s) => (s.id === secretId ? { ...s, status } : s)) },
      };
    });
    if (!result.ok) return result;
    const secret = result.value.secrets.find((s) => s.id === secretId);
    return secret ? { ok: true, value: secret } : missing("secret");
  }

  /** `DELETE …/secrets/{secretId}`: only an INACTIVE secret, so the last ACTIVE one is never deleted. */
  async deleteSecret(
    clientId: string,
    secretId: string,
    rights: Rights,
  ): Promise<WriteResult<null, ClientMissing>> {
    const result = await this.update(clientId, (client) => {
      const target = client.secrets.find((s) => s.id === secretId);
      if (!target) return missing("secret");
      const refused = refusal(rights, client, client, true);
      if (refused) return refused;
      if (target.status === "ACTIVE") {
        return invalid("status", "an ACTIVE client secret must be deactivated before it is deleted");
      }
      return { ok: true, value: { ...client, secrets: client.secrets.filter((s) => s.id !== secretId) } };
    });
    return result.ok ? { ok: true, value: null } : result;
  }

  /**
   * Import: the records `inputs` describe, not yet stored. An existing client keeps its secrets
   * unless the input names new ones; a new secret-using client without any gets a generated one.
   */
  async prepare(
    inputs: z.output<typeof ClientInput>[],
  ): Promise<{ records: { record: Client; created: boolean }[]; generatedSecrets: Record<string, string> }> {
    const generatedSecrets: Record<string, string> = {};
    const records: { record: Client; created: boolean }[] = [];
    for (const input of inputs) {
      const existing = this.get(input.client_id);
      const { client_secrets, ...fields } = input;
      let secrets: ClientSecret[] = existing?.secrets ?? [];
      if (client_secrets.length > 0) {
        secrets = await Promise.all(client_secrets.map((s) => newSecret(s)));
      } else if (!existing && usesSecret(fields.token_endpoint_auth_method)) {
        const secret = randomToken(CLIENT_SECRET_BYTES);
        generatedSecrets[input.client_id] = secret;
        secrets = [await newSecret(secret)];
      }
      records.push({ record: { ...fields, secrets }, created: !existing });
    }
    return { records, generatedSecrets };
  }

  /** The SQLite half of a save, for use inside a storage transaction; `publish` follows it. */
  store(record: Client): void {
    this.#table.put(record.client_id, record);
  }

  async publish(record: Client): Promise<void> {
    await this.beforePublish();
    await this.records.publish("client", record.client_id, record);
  }

  private async save(record: Client): Promise<void> {
    this.store(record);
    await this.publish(record);
  }

  /** A read-modify-write of one client, stored and republished when `change` succeeds. */
  private async update(
    clientId: string,
    change: (client: Client) => WriteResult<Client, ClientMissing>,
  ): Promise<WriteResult<Client, ClientMissing>> {
    const existing = this.get(clientId);
    if (!existing) return missing("client");
    const result = change(existing);
    if (result.ok) await this.save(result.value);
    return result;
  }
}

/** The 403 for a caller whose rights do not cover the write (src/control-plane/client-rights.ts), if any. */
export function refusal(
  rights: Rights,
  before: ClientPower | undefined,
  after: ClientPower,
  secretsChange = false,
): ReturnType<typeof forbidden> | undefined {
  const lacks = lacking(rights, clientWriteNeeds(before, after, secretsChange));
  return lacks.length > 0 ? forbidden(lacks) : undefined;
}

async function newSecret(secret: string): Promise<ClientSecret> {
  return {
    id: `ocs${randomToken(CLIENT_SECRET_ID_BYTES)}`,
    secretHash: await hashSecret(secret),
    status: "ACTIVE",
    created: new Date().toISOString(),
  };
}
