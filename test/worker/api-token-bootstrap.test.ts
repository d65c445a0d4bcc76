/**
 * An API token minted with the bootstrap token (`ADMIN_API_TOKEN`) is that secret's: rotating the
 * secret — what an admin does when it may have leaked — ends every token minted with it, and every
 * token minted from those (Okta: a token acts with its creator's permissions and ends with them).
 * Otherwise whoever held the old secret for a moment keeps full power through a token of their own.
 * The control plane records which bootstrap token minted one (a check value, never shown) and
 * compares it with the secret it runs with; a new deployment with a rotated secret is a new object
 * over the same storage, which the tests build over the control plane's own storage.
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ControlPlane } from "../../src/control-plane/control-plane";
import { hashSecret } from "../../src/crypto/secrets";
import type { Env } from "../../src/env";
import { adminRequest, controlPlane, freshApp, ORIGIN, uniqueId } from "./helpers";

const TOKENS = `${ORIGIN}/api/v1/api-tokens`;
const bindings = env as Env;
const ROTATED = "rotated-bootstrap-secret-0123456789abcdefghij";

async function mint(auth?: string): Promise<{ id: string; token: string; owner: unknown }> {
  const res = await freshApp()(adminRequest("POST", TOKENS, { name: uniqueId("tok") }, auth));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; token: string; owner: unknown };
}

/** What the control plane deployed with `secret` as ADMIN_API_TOKEN says of `token`. */
function verifyWith(secret: string | undefined, token: string) {
  return runInDurableObject(controlPlane(), async (_instance, state) => {
    const plane = new ControlPlane(state, { ...bindings, ADMIN_API_TOKEN: secret } as Env);
    // What its constructor started before answering (an object's first event waits for it; this
    // runs inside the running one).
    await state.blockConcurrencyWhile(async () => {});
    return plane.verifyApiToken(token);
  });
}

describe("API tokens minted with the bootstrap token", () => {
  it("end when the bootstrap token is rotated, and so do tokens minted from them", async () => {
    const minted = await mint();
    const child = await mint(`SSWS ${minted.token}`);
    for (const t of [minted, child]) {
      expect(await verifyWith(bindings.ADMIN_API_TOKEN, t.token)).toMatchObject({ id: t.id });
      expect(await verifyWith(ROTATED, t.token)).toBeUndefined();
      // No bootstrap token at all: nothing minted with one stays.
      expect(await verifyWith(undefined, t.token)).toBeUndefined();
    }
  });

  it("show their owner's type, never which bootstrap token it was", async () => {
    const minted = await mint();
    expect(minted.owner).toEqual({ type: "BOOTSTRAP" });
    const got = await freshApp()(adminRequest("GET", `${TOKENS}/${minted.id}`));
    expect(((await got.json()) as { owner: unknown }).owner).toEqual({ type: "BOOTSTRAP" });
  });

  it("a token minted before owners recorded it is stamped with the current one, then ends on rotation", async () => {
    const value = `00${"legacy".padEnd(43, "x")}`;
    const id = `00T${uniqueId("legacy").replace(/[^A-Za-z0-9]/g, "")}`;
    const created = new Date().toISOString();
    const record = {
      id,
      name: "minted before owners recorded the bootstrap token",
      clientName: "Warden Management API",
      created,
      lastUpdated: created,
      scopes: ["okta.apps.read"],
      owner: { type: "BOOTSTRAP" },
    };
    const hash = await hashSecret(value);
    await runInDurableObject(controlPlane(), (_instance, state) => {
      state.storage.sql.exec(
        "INSERT INTO api_tokens (id, token_hash, record) VALUES (?, ?, ?)",
        id,
        hash,
        JSON.stringify(record),
      );
    });
    // The next deployment's object (same secret) stamps it before answering anything…
    expect(await verifyWith(bindings.ADMIN_API_TOKEN, value)).toMatchObject({
      id,
      rights: ["okta.apps.read"],
    });
    const stored = await runInDurableObject(controlPlane(), (_instance, state) =>
      state.storage.sql.exec<{ record: string }>("SELECT record FROM api_tokens WHERE id = ?", id).one(),
    );
    expect(JSON.parse(stored.record).owner).toEqual({ type: "BOOTSTRAP", check: expect.any(String) });
    // …so a rotation ends it like any other.
    expect(await verifyWith(ROTATED, value)).toBeUndefined();
  });
});
