/**
 * The CLI's only contact with Warden: `GET /api/v1/warden/export` and `POST /api/v1/warden/import`
 * with an SSWS admin token. Every way a call can fail becomes an {@link ApiFailure} whose message
 * says what to do about it; Okta's `errorCauses` are kept so the caller can name the file's lines.
 */
import * as z from "zod";
import type { ImportDocumentInput } from "./file-schema";

export interface Connection {
  /** Warden's origin, e.g. `https://warden.example.com`, without a trailing slash (connection.ts). */
  url: string;
  token: string;
}

export type ApiFailureKind = "unreachable" | "unauthorized" | "invalid" | "unexpected";

export class ApiFailure extends Error {
  constructor(
    readonly kind: ApiFailureKind,
    message: string,
    /** Okta's `errorCauses[].errorSummary`: `"<path>: <message>"`. */
    readonly causes: readonly string[] = [],
  ) {
    super(message);
  }
}

const OktaError = z.object({
  errorCode: z.string().optional(),
  errorSummary: z.string().optional(),
  errorCauses: z.array(z.object({ errorSummary: z.string() })).default([]),
});

export const ImportSummary = z.object({
  servers: z.array(z.object({ id: z.string(), version: z.number() })).default([]),
  clients: z.array(z.object({ client_id: z.string(), created: z.boolean() })).default([]),
  inlineHooks: z.array(z.object({ id: z.string(), created: z.boolean() })).default([]),
  trustedOrigins: z.array(z.object({ origin: z.string(), created: z.boolean() })).default([]),
  generatedSecrets: z.record(z.string(), z.string()).default({}),
  deleted: z
    .object({
      authorizationServers: z.array(z.string()).default([]),
      clients: z.array(z.string()).default([]),
      inlineHooks: z.array(z.string()).default([]),
      trustedOrigins: z.array(z.string()).default([]),
    })
    .prefault({}),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

/** An admin request should answer in well under this; a hung connection must not hang CI. */
const REQUEST_TIMEOUT_MS = 60_000;

export class WardenApi {
  constructor(
    private readonly connection: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The live configuration: servers with everything they own, clients and hooks, without secrets. */
  async exportConfig(): Promise<unknown> {
    return this.call("GET", "/api/v1/warden/export");
  }

  /** One all-or-nothing write; with `dryRun` Warden validates everything and writes nothing. */
  async importConfig(
    document: ImportDocumentInput,
    options: { prune: boolean; dryRun: boolean },
  ): Promise<ImportSummary> {
    const query = new URLSearchParams();
    if (options.prune) query.set("prune", "true");
    if (options.dryRun) query.set("dryRun", "true");
    const path = `/api/v1/warden/import${query.size > 0 ? `?${query}` : ""}`;
    const body = await this.call("POST", path, document);
    const summary = ImportSummary.safeParse(body);
    if (!summary.success)
      throw new ApiFailure("unexpected", `Warden answered the import with an unexpected body`);
    return summary.data;
  }

  /**
   * One management-API request whose answer the caller judges itself (`warden users import` reads
   * each row's outcome): only an unreachable Warden throws. `path` is under the origin.
   */
  async send(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; retryAfterSeconds?: number }> {
    const response = await this.fetchOrFail(method, path, body);
    const answer = parseJson(await response.text());
    const retryAfter = Number(response.headers.get("Retry-After"));
    return {
      status: response.status,
      body: answer,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    };
  }

  private async fetchOrFail(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    const url = `${this.connection.url}${path}`;
    try {
      return await this.fetchImpl(url, {
        method,
        headers: {
          Authorization: `SSWS ${this.connection.token}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ApiFailure(
        "unreachable",
        `cannot reach Warden at ${this.connection.url} (${reason}); check --url or WARDEN_URL`,
      );
    }
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const url = `${this.connection.url}${path}`;
    const response = await this.fetchOrFail(method, path, body);
    const text = await response.text();
    const json = parseJson(text);
    if (response.ok) {
      if (json === undefined)
        throw new ApiFailure("unexpected", `${method} ${path} answered ${response.status} without JSON`);
      return json;
    }
    const error = OktaError.safeParse(json);
    const summary = error.success
      ? [error.data.errorCode, error.data.errorSummary].filter(Boolean).join(" ")
      : text.slice(0, 200);
    const causes = error.success ? error.data.errorCauses.map((c) => c.errorSummary) : [];
    if (response.status === 401 || response.status === 403) {
      throw new ApiFailure(
        "unauthorized",
        `Warden refused the admin token (${response.status} ${summary}); check --token or WARDEN_TOKEN`,
      );
    }
    if (response.status === 400)
      throw new ApiFailure("invalid", `Warden refused the configuration (${summary})`, causes);
    if (response.status === 404 && method === "GET") {
      throw new ApiFailure(
        "unexpected",
        `${url} answered 404: is this a Warden, and does it have the export endpoint?`,
      );
    }
    throw new ApiFailure("unexpected", `${method} ${path} answered ${response.status} ${summary}`.trim());
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
