/**
 * A real token inline hook service for the worker tests: a Node HTTP server on 127.0.0.1 that
 * answers by the first path segment and records every request it receives, so tests can assert the
 * body Warden sent and the auth header. Tests add a second segment unique to them
 * (`/success/<tag>`) and read back only their own requests from `GET /__requests/<tag>`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body was JSON, otherwise the raw text. */
  body: unknown;
  receivedAt: number;
}

/** How long `/slow/…` waits before answering: well past Warden's 3 s hook timeout. */
export const SLOW_DELAY_MS = 5000;

/** Every behaviour the server has, by first path segment. */
const BEHAVIOURS: Record<string, (res: ServerResponse) => void> = {
  // Adds, replaces and removes claims (nested too) and shortens the token to 10 minutes.
  success: (res) =>
    json(res, 200, {
      commands: [
        {
          type: "com.okta.access.patch",
          value: [
            { op: "add", path: "/claims/external_guid", value: "F0384685-F87D-474B-848D-2058AC5655A7" },
            { op: "add", path: "/claims/profile", value: { dept: "eng", airports: ["sjc", "sfo"] } },
            { op: "add", path: "/claims/profile/level", value: 3 },
            { op: "add", path: "/claims/profile/airports/-", value: "oak" },
            { op: "replace", path: "/claims/team", value: "red" },
            { op: "remove", path: "/claims/legacy" },
            { op: "replace", path: "/token/lifetime/expiration", value: 600 },
          ],
        },
      ],
    }),
  // Answers correctly, but too late.
  slow: (res) => {
    setTimeout(() => {
      if (!res.destroyed) json(res, 200, { commands: [addClaim("late", true)] });
    }, SLOW_DELAY_MS);
  },
  // Okta's error object: the token request fails with server_error and this summary.
  error: (res) => json(res, 200, { error: { errorSummary: "Patient record is locked" } }),
  // A legitimate add next to a reserved claim: the whole patch is refused.
  reserved: (res) =>
    json(res, 200, {
      commands: [
        {
          type: "com.okta.access.patch",
          value: [
            { op: "add", path: "/claims/harmless", value: "x" },
            { op: "replace", path: "/claims/sub", value: "someone-else" },
          ],
        },
      ],
    }),
  // Out of Okta's 300..86400 s bounds: ignored.
  "long-lifetime": (res) =>
    json(res, 200, {
      commands: [
        {
          type: "com.okta.access.patch",
          value: [{ op: "replace", path: "/token/lifetime/expiration", value: 86401 }],
        },
      ],
    }),
  // A non-2xx answer with a body that would otherwise be applied.
  status: (res) => json(res, 503, { commands: [addClaim("from_503", true)] }),
  "bad-json": (res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end('{"commands": [');
  },
  // An empty reply: nothing to apply, the token is issued as it was.
  empty: (res) => json(res, 200, {}),
  // Okta's empty response: 204 No Content, nothing to apply and nothing failed.
  "no-content": (res) => {
    res.writeHead(204);
    res.end();
  },
  // Any other 2xx is a reply like a 200's.
  accepted: (res) => json(res, 202, { commands: [addClaim("accepted", true)] }),
};

function addClaim(name: string, value: unknown) {
  return { type: "com.okta.access.patch", value: [{ op: "add", path: `/claims/${name}`, value }] };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

export interface HookServer {
  port: number;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const recorded = new Map<string, RecordedRequest[]>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [first = "", tag = ""] = url.pathname.split("/").slice(1);
    if (req.method === "GET" && first === "__requests") {
      json(res, 200, recorded.get(tag) ?? []);
      return;
    }
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    const entry = {
      method: req.method ?? "",
      path: url.pathname,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
    };
    recorded.set(tag, [...(recorded.get(tag) ?? []), entry]);
    // A hook that answers elsewhere (issue 13 audit): a 307 to `/success/<tag>-followed` on the same
    // server, which records whatever reaches it, so a test can tell whether Warden followed it.
    if (first === "redirect" && req.method === "POST") {
      res.writeHead(307, { Location: `/success/${tag}-followed` });
      res.end();
      return;
    }
    const behaviour = BEHAVIOURS[first];
    if (!behaviour || req.method !== "POST") json(res, 404, { error: "no such behaviour" });
    else behaviour(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
