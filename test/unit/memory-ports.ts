/**
 * In-memory ports (src/context.ts) for the protocol endpoints in plain Node: published configuration
 * in maps, one fixed signing key, a replay guard in a set and a fixed clock. The app under test is the
 * real one (`createApp`); only the bindings behind the ports are replaced.
 */

import { importJWK } from "jose";
import { createApp, createDeps } from "../../src/app";
import type { AdminRoleType } from "../../src/config/admin-roles";
import { ORG_KEYS_ID } from "../../src/config/defaults";
import type { RateLimits } from "../../src/config/rate-limits";
import type { RevocableKind } from "../../src/config/revocations";
import {
  Client,
  type ClientInput,
  ServerConfig,
  type ServerConfigInput,
  type Snapshot,
} from "../../src/config/schemas";
import type { Ports } from "../../src/context";
import { hashSecret } from "../../src/crypto/secrets";
import {
  type Directory,
  type DirectoryGroup,
  type DirectoryUser,
  EVERYONE_GROUP_ID,
  type PasswordCheck,
  type UserStatus,
} from "../../src/directory/directory";
import type { UserCodeIndex } from "../../src/grants/user-code-index";
import type { PublishedInlineHook } from "../../src/hooks/published-hook";
import type { SigningKey } from "../../src/keys/key-store";
import type { EventInput } from "../../src/log/event";
import { type CountSpec, writeLine } from "../../src/log/event-log";
import { ClientKeyStore } from "../../src/oauth/client-keys";
import { signInKeyCache } from "../../src/signin/sign-in-key";
import { memoryGrants } from "./memory-grants";
import { MEMORY_KEY_ENCRYPTION_KEY, memorySessions } from "./memory-sessions";

/** 2033-05-18T03:33:20Z: every token in these tests is issued then. */
export const NOW_SECONDS = 2_000_000_000;
export const ORIGIN = "https://warden.test";

/** Fixed test keys (ES256), generated once for these tests and used nowhere else. */
export const SIGNING_JWK = {
  kty: "EC",
  crv: "P-256",
  x: "vu86IU-zOQ1oD7qfJ9zrbiREnCyxeSmss0UM30ocSF4",
  y: "S8zCWHnNIJaI7c_uqWKk-iujpRjP89aYGTErMux7KCU",
  d: "Y91YZ4J0zEOEHMjS_m389Xa7Qi7ZQGtTsVwZP9h09xk",
} as const;
export const CLIENT_JWK = {
  kty: "EC",
  crv: "P-256",
  x: "lTewz4nOkhbT-Ziv-Eo_jFEH7-pk2IcFYMc9x_vSbRE",
  y: "PLUhfWzy2XmIVebl521ILmKer5XlYUjo79EkyjhscTY",
  d: "s2c53Vyyx_TUJ1LZqYrdAfV8zfXsOPk1zJbKZJw-ykE",
} as const;
export const SIGNING_KID = "unit-es256";

/** The client secret the unit tiers' clients are registered with. */
export const SECRET = "unit-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/** RFC 6749 §2.3.1 client_secret_basic: both halves form-encoded. */
export function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

/** The public half of a fixed key. */
export function publicJwk({ kty, crv, x, y }: typeof SIGNING_JWK | typeof CLIENT_JWK) {
  return { kty, crv, x, y };
}

export interface MemoryWorld {
  servers?: ServerConfigInput[];
  clients?: (Omit<ClientInput, "client_secrets"> & { secret?: string })[];
  hooks?: PublishedInlineHook[];
  /** Servers with no signing key yet; every other server (and the org server) signs with SIGNING_JWK. */
  keyless?: string[];
  /** What the revocation pulse names as disabled (src/config/revocations.ts); nothing by default. */
  revoked?: { kind: RevocableKind; id: string }[];
  /** Rate limits; by default every request is allowed (test/unit/rate-limit.test.ts has real ones). */
  rateLimits?: RateLimits;
  /** Users, groups and app assignments; empty by default (only Everyone exists). */
  directory?: MemoryDirectoryWorld;
}

/** A user of the in-memory directory; `password` in plain text (the real hash is the worker tier's). */
export interface MemoryUser {
  id: string;
  status?: UserStatus;
  profile: { login: string } & Record<string, unknown>;
  password?: string;
  /** Admin role assignments (migrations/0007_admin_roles.sql). */
  adminRoles?: AdminRoleType[];
}

export interface MemoryDirectoryWorld {
  users?: MemoryUser[];
  groups?: { id: string; name: string }[];
  /** [groupId, userId] */
  members?: [string, string][];
  appUsers?: { app: string; user: string; profile?: Record<string, unknown> }[];
  appGroups?: { app: string; group: string; priority?: number; profile?: Record<string, unknown> }[];
  /** Consecutive failures that lock a user (the real default is in src/config/defaults.ts). */
  lockoutAfter?: number;
}

export interface MemoryPorts extends Ports {
  /** The `jti`s the replay guard has seen, per client. */
  seenAssertions: Set<string>;
  /** What the endpoints told the system log (`log`): events and counter increments. */
  logged: { events: EventInput[]; counts: CountSpec[] };
  /** Every call the directory port answered, e.g. `checkPassword alice@example.com`, `subject 00u1 app`. */
  directoryCalls: string[];
}

export async function memoryPorts(world: MemoryWorld): Promise<MemoryPorts> {
  const snapshots = new Map<string, Snapshot>(
    (world.servers ?? []).map((input) => {
      const config = ServerConfig.parse(input);
      return [config.server.id, { ...config, version: 1, publishedAt: new Date(0).toISOString() }];
    }),
  );
  const clients = new Map<string, Client>();
  for (const { secret, ...fields } of world.clients ?? []) {
    const secrets = secret
      ? [{ id: "ocs1", secretHash: await hashSecret(secret), status: "ACTIVE" as const, created: "" }]
      : [];
    const client = Client.parse({ ...fields, secrets });
    clients.set(client.client_id, client);
  }
  const hooks = new Map((world.hooks ?? []).map((h) => [h.id, h]));
  const key: SigningKey = {
    kid: SIGNING_KID,
    alg: "ES256",
    activatesAt: null,
    sequence: 1,
    key: (await importJWK(SIGNING_JWK, "ES256")) as CryptoKey,
  };
  const keyless = new Set(world.keyless ?? []);
  const hasKeys = (id: string) => !keyless.has(id) && (id === ORG_KEYS_ID || snapshots.has(id));
  const seenAssertions = new Set<string>();
  const clock = () => NOW_SECONDS * 1000;

  const logged: MemoryPorts["logged"] = { events: [], counts: [] };
  const directoryCalls: string[] = [];
  return {
    seenAssertions,
    logged,
    directoryCalls,
    directory: memoryDirectory(world.directory ?? {}, directoryCalls),
    sessions: memorySessions(),
    signInKey: () => signInKeyCache().get(MEMORY_KEY_ENCRYPTION_KEY),
    grants: memoryGrants(),
    userCodes: memoryUserCodes(),
    consents: memoryConsents(),
    log: {
      record: (input, options) => {
        logged.events.push(input);
        writeLine(options?.line ?? { ...input });
      },
      count: (spec) => void logged.counts.push(spec),
      flush: () => undefined,
      armTimer: () => undefined,
    },
    config: {
      snapshot: async (id) => snapshots.get(id),
      client: async (id) => clients.get(id),
      hook: async (id) => hooks.get(id),
      trustedOrigins: async () => undefined,
    },
    keys: {
      // The token endpoint reads only the signing key; JWKS and discovery are the worker tier's.
      published: async () => undefined,
      signingKey: async (id) => (hasKeys(id) ? key : undefined),
    },
    clientKeys: new ClientKeyStore({
      now: clock,
      fetch: () => Promise.reject(new Error("no network")),
    }).source({ allowLoopback: false }),
    assertionReplay: {
      consume: async (clientId, jti) => {
        const entry = `${clientId} ${jti}`;
        if (seenAssertions.has(entry)) return false;
        seenAssertions.add(entry);
        return true;
      },
    },
    hookSecrets: { open: async () => "hook-secret" },
    clock,
    settings: { orgUrl: ORIGIN, propagation: {}, localDevelopment: false },
    // Nothing revoked unless a test says so (test/unit/revocations.test.ts).
    revocations: {
      isRevoked: (kind, id) => world.revoked?.some((r) => r.kind === kind && r.id === id) ?? false,
      keepFresh: () => undefined,
      publish: async () => {},
    },
    rateLimits: world.rateLimits ?? unlimited(clock),
  };
}

/** Rate limits that allow everything. */
export function unlimited(clock: () => number): RateLimits {
  const verdict = { allowed: true, limit: 1_000_000, remaining: 1_000_000, reset: 0 };
  return {
    token: () => verdict,
    authFailures: { refusal: () => undefined, failed: async () => undefined, status: () => undefined },
    signIn: async () => verdict,
    deviceUserCode: async () => verdict,
    management: async () => verdict,
    now: clock,
  };
}

/** The real app on in-memory ports: `fetch(request)` as the Worker would answer it. */
export function memoryApp(ports: Ports) {
  const app = createApp(createDeps(ports.clock), () => ports);
  return async (request: Request): Promise<Response> => app.request(request);
}

/**
 * The directory port on plain data, with the D1 adapter's semantics (src/directory/d1-directory.ts,
 * src/directory/sign-in.ts): case-insensitive logins, statuses that may not sign in, lockout after
 * `lockoutAfter` consecutive failures, Everyone in every user's groups, and an assignment direct or
 * through a group (the lowest priority number first).
 */
export function memoryDirectory(world: MemoryDirectoryWorld, calls: string[] = []): Directory {
  const users = new Map(
    (world.users ?? []).map((u) => [u.id, { ...u, status: u.status ?? "ACTIVE", failures: 0 }]),
  );
  const groups: DirectoryGroup[] = [
    { id: EVERYONE_GROUP_ID, type: "BUILT_IN", profile: { name: "Everyone" } },
    // Everyone first, then by name, as the D1 adapter reads them.
    ...(world.groups ?? [])
      .map((g) => ({ id: g.id, type: "OKTA_GROUP" as const, profile: { name: g.name } }))
      .sort((a, b) => a.profile.name.toLowerCase().localeCompare(b.profile.name.toLowerCase())),
  ];
  const lockoutAfter = world.lockoutAfter ?? 10;
  const view = (u: MemoryUser & { status: UserStatus }): DirectoryUser => ({
    id: u.id,
    status: u.status,
    profile: u.profile,
  });
  return {
    async checkPassword(login, password): Promise<PasswordCheck> {
      calls.push(`checkPassword ${login}`);
      const user = [...users.values()].find((u) => u.profile.login.toLowerCase() === login.toLowerCase());
      if (!user) return { ok: false, reason: "unknown_user" };
      const userId = user.id;
      if (user.status === "LOCKED_OUT") return { ok: false, reason: "locked_out", userId };
      if (user.status === "SUSPENDED") return { ok: false, reason: "suspended", userId };
      if (user.status !== "ACTIVE" && user.status !== "PASSWORD_EXPIRED") {
        return { ok: false, reason: "not_active", userId };
      }
      if (user.password === undefined) return { ok: false, reason: "no_password", userId };
      if (user.password === password && user.status === "PASSWORD_EXPIRED") {
        return { ok: false, reason: "password_expired", userId };
      }
      if (user.password !== password) {
        user.failures += 1;
        if (user.failures < lockoutAfter) return { ok: false, reason: "wrong_password", userId };
        user.status = "LOCKED_OUT";
        return { ok: false, reason: "wrong_password", userId, lockedNow: true };
      }
      user.failures = 0;
      return { ok: true, user: view(user) };
    },
    async subject(userId, clientId) {
      calls.push(`subject ${userId} ${clientId}`);
      const user = users.get(userId);
      if (!user) return null;
      const memberOf = new Set((world.members ?? []).filter(([, u]) => u === userId).map(([g]) => g));
      const mine = groups.filter((g) => g.id === EVERYONE_GROUP_ID || memberOf.has(g.id));
      const direct = (world.appUsers ?? []).find((a) => a.app === clientId && a.user === userId);
      const viaGroup = (world.appGroups ?? [])
        .filter((a) => a.app === clientId && mine.some((g) => g.id === a.group))
        .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))[0];
      const assignment = direct ?? viaGroup;
      return {
        user: view(user),
        groups: mine,
        assigned: assignment !== undefined,
        appProfile: assignment ? (assignment.profile ?? {}) : null,
        adminRoles: user.adminRoles ?? [],
      };
    },
  };
}

/** Consent grants in memory: the unit tier never shows a consent page, but the port must be whole. */
function memoryConsents(): Ports["consents"] {
  const granted = new Map<string, Set<string>>();
  const key = (userId: string, clientId: string, serverId: string) => `${userId} ${clientId} ${serverId}`;
  return {
    grantedScopeIds: async (userId, clientId, serverId) =>
      new Set(granted.get(key(userId, clientId, serverId)) ?? []),
    grant: async (subject, scopes) => {
      const k = key(subject.userId, subject.clientId, subject.serverId);
      granted.set(k, new Set([...(granted.get(k) ?? []), ...scopes.map((s) => s.id)]));
    },
  };
}

/** The user-code index in memory: canonical code → grant id and expiry (src/grants/user-code-index.ts). */
export function memoryUserCodes(): UserCodeIndex {
  const rows = new Map<string, { grantId: string; expiresAt: number }>();
  return {
    async register(userCode, grantId, expiresAt, nowMs) {
      const held = rows.get(userCode);
      if (held && held.expiresAt > nowMs) return false;
      rows.set(userCode, { grantId, expiresAt });
      return true;
    },
    async find(userCode, nowMs) {
      const row = rows.get(userCode);
      return row && row.expiresAt > nowMs ? row.grantId : undefined;
    },
    async forget(userCode) {
      rows.delete(userCode);
    },
  };
}
