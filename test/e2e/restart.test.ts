/// <reference types="node" />
/**
 * Restart persistence, on an instance of its own: stop `npm start` (its whole process tree), start
 * it again on the same port and state directory, and everything a client or verifier depends on is
 * still there — keys, configuration, client credentials, local.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  type LocalJson,
  makeStateDir,
  removeStateDir,
  startWarden,
  type WardenProcess,
} from "./warden";

const AUDIENCE = "api://default";

let stateDir: string;
let port: number;
let warden: WardenProcess | undefined;

async function getToken(local: LocalJson): Promise<string> {
  const config = await oidc.discovery(
    new URL(local.issuer),
    local.clientId,
    local.clientSecret,
    oidc.ClientSecretBasic(local.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
  return (await oidc.clientCredentialsGrant(config, { scope: "orders:read" })).access_token;
}

async function kids(issuer: string): Promise<string[]> {
  const res = await fetch(`${issuer}/v1/keys`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
}

async function adminKeys(local: LocalJson): Promise<{ kid: string; status: string }[]> {
  const res = await fetch(`${local.baseUrl}/api/v1/authorizationServers/default/credentials/keys`, {
    headers: { Authorization: `SSWS ${local.adminToken}` },
  });
  expect(res.status).toBe(200);
  const keys = (await res.json()) as { kid: string; status: string }[];
  return keys.map(({ kid, status }) => ({ kid, status })).sort((a, b) => a.kid.localeCompare(b.kid));
}

beforeAll(async () => {
  stateDir = makeStateDir();
  port = await freePort();
  warden = await startWarden({ stateDir, port });
});

afterAll(async () => {
  await warden?.stop();
  removeStateDir(stateDir);
});

describe("restart on the same state directory", () => {
  it("keeps keys, configuration and credentials", async () => {
    const first = warden as WardenProcess;
    const localBefore = readFileSync(join(stateDir, "local.json"), "utf8");
    const kidsBefore = await kids(first.local.issuer);
    const adminKeysBefore = await adminKeys(first.local);
    const tokenBefore = await getToken(first.local);
    expect(kidsBefore.length).toBeGreaterThanOrEqual(2); // ACTIVE and NEXT
    expect(kidsBefore).toContain(decodeProtectedHeader(tokenBefore).kid);

    await first.stop();
    // Nothing answers on the port any more: the whole tree is gone.
    await expect(fetch(`${first.local.issuer}/v1/keys`)).rejects.toThrow();

    warden = await startWarden({ stateDir, port });
    const local = warden.local;
    expect(readFileSync(join(stateDir, "local.json"), "utf8")).toBe(localBefore);
    // A restart reuses the saved state, so it neither seeds nor answers 404 first.
    expect(warden.firstTokenResponse.status).toBe(200);

    expect(await kids(local.issuer)).toEqual(kidsBefore);
    expect(await adminKeys(local)).toEqual(adminKeysBefore);

    // The earlier token still verifies against a JWKS fetched from the restarted server.
    const jwks = createRemoteJWKSet(new URL(`${local.issuer}/v1/keys`));
    const { payload } = await jwtVerify(tokenBefore, jwks, { issuer: local.issuer, audience: AUDIENCE });
    expect(payload.cid).toBe(local.clientId);

    // The same credentials still work, and the same key signs.
    const tokenAfter = await getToken(local);
    expect(decodeProtectedHeader(tokenAfter).kid).toBe(decodeProtectedHeader(tokenBefore).kid);
    await jwtVerify(tokenAfter, jwks, { issuer: local.issuer, audience: AUDIENCE });
  });
});
