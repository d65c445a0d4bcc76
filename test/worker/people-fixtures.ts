/**
 * People for the worker tier: users, groups, memberships and app assignments written straight into
 * the tier's D1 `DIRECTORY` with SQL (migrations/0002_directory.sql), real password hashes included,
 * so the password grant, people conditions and Token Preview run against the real directory without
 * depending on the Users and Groups APIs. Every id and login is unique within the run.
 */
import { env } from "cloudflare:workers";
import type { ImportDocumentInput as ImportDocument } from "../../src/config/schemas";
import { EVERYONE_GROUP_ID, type UserStatus } from "../../src/directory/directory";
import { hashPassword } from "../../src/directory/password-hash";
import type { Env } from "../../src/env";
import { importConfig, ORIGIN, SECRET, uniqueId } from "./helpers";

export const PASSWORD = "Correct-Horse-9";
const db = () => (env as Env).DIRECTORY;

let hashed: Promise<string> | undefined;
/** One real hash of PASSWORD, shared by every fixture user (hashing is deliberately slow). */
function passwordHash(): Promise<string> {
  hashed ??= hashPassword(PASSWORD);
  return hashed;
}

/** An id in Okta's shape (`00u…`, `00g…`): the prefix and 17 random characters. */
function objectId(prefix: "00u" | "00g"): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 17)}`;
}

export interface UserSpec {
  /** The login's local part; the login is `<name>-<unique>@example.com`. */
  name: string;
  status?: UserStatus;
  /** Whether the user has PASSWORD (default true). */
  password?: boolean;
  profile?: Record<string, unknown>;
}

export interface FixtureUser {
  id: string;
  login: string;
}

export async function insertUser(spec: UserSpec): Promise<FixtureUser> {
  const id = objectId("00u");
  const login = `${spec.name}-${uniqueId("u")}@example.com`;
  const now = Date.now();
  const profile = { login, email: `${spec.name}@mail.test`, firstName: spec.name, ...spec.profile };
  await db()
    .prepare(
      `INSERT INTO users (id, status, profile, password_hash, created, activated, last_updated)
       VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)`,
    )
    .bind(
      id,
      spec.status ?? "ACTIVE",
      JSON.stringify(profile),
      spec.password === false ? null : await passwordHash(),
      now,
    )
    .run();
  return { id, login };
}

export async function insertGroup(name: string): Promise<string> {
  const id = objectId("00g");
  const now = Date.now();
  await db()
    .prepare(
      `INSERT INTO groups (id, type, profile, created, last_updated, last_membership_updated)
       VALUES (?1, 'OKTA_GROUP', ?2, ?3, ?3, ?3)`,
    )
    .bind(id, JSON.stringify({ name: `${name} ${uniqueId("g")}`, description: name }), now)
    .run();
  return id;
}

export async function addMember(groupId: string, userId: string): Promise<void> {
  await db()
    .prepare("INSERT INTO group_members (group_id, user_id, added) VALUES (?1, ?2, ?3)")
    .bind(groupId, userId, Date.now())
    .run();
}

export async function assignUser(appId: string, userId: string, profile: Record<string, unknown> = {}) {
  const now = Date.now();
  await db()
    .prepare(
      "INSERT INTO app_users (app_id, user_id, profile, created, last_updated) VALUES (?1, ?2, ?3, ?4, ?4)",
    )
    .bind(appId, userId, JSON.stringify(profile), now)
    .run();
}

export async function assignGroup(appId: string, groupId: string, priority = 0) {
  const now = Date.now();
  await db()
    .prepare(
      "INSERT INTO app_groups (app_id, group_id, priority, created, last_updated) VALUES (?1, ?2, ?3, ?4, ?4)",
    )
    .bind(appId, groupId, priority, now)
    .run();
}

/** A group's name as stored (the fixture makes names unique). */
export async function groupName(groupId: string): Promise<string> {
  const row = await db()
    .prepare("SELECT name FROM groups WHERE id = ?1")
    .bind(groupId)
    .first<{ name: string }>();
  return row?.name ?? "";
}

export interface PeopleWorld {
  serverId: string;
  issuer: string;
  /** A confidential client registered for password and client_credentials. */
  clientId: string;
  engineers: string;
  contractors: string;
  /** In Engineering, assigned directly with an app profile. */
  alice: FixtureUser;
  /** In Engineering and Contractors, assigned through Engineering. */
  bob: FixtureUser;
  /** In no group, assigned directly: only Everyone. */
  carol: FixtureUser;
  /** Not assigned to the client at all. */
  dave: FixtureUser;
  locked: FixtureUser;
  suspended: FixtureUser;
}

/**
 * One server (profile `tokenProfile`) whose rule `engineers` admits the Engineering group and
 * excludes Contractors for `read`; rule `everyone` grants `public` to anyone; claims read the
 * user's email, the app user's department and the groups (GROUPS, every name).
 */
export async function seedPeople(tokenProfile: "okta" | "rfc9068" = "okta"): Promise<PeopleWorld> {
  const serverId = uniqueId("people");
  const clientId = uniqueId("pw-app");
  const [engineers, contractors] = await Promise.all([
    insertGroup("Engineering"),
    insertGroup("Contractors"),
  ]);
  const [alice, bob, carol, dave, locked, suspended] = await Promise.all([
    insertUser({ name: "alice" }),
    insertUser({ name: "bob" }),
    insertUser({ name: "carol" }),
    insertUser({ name: "dave" }),
    insertUser({ name: "locked", status: "LOCKED_OUT" }),
    insertUser({ name: "suspended", status: "SUSPENDED" }),
  ]);
  await Promise.all([
    addMember(engineers, alice.id),
    addMember(engineers, bob.id),
    addMember(contractors, bob.id),
    addMember(engineers, locked.id),
    addMember(engineers, suspended.id),
  ]);
  await Promise.all([
    assignUser(clientId, alice.id, { department: "R&D" }),
    assignUser(clientId, carol.id),
    assignGroup(clientId, engineers),
  ]);
  const doc: ImportDocument = {
    clients: [
      {
        client_id: clientId,
        client_name: "password app",
        grant_types: ["password", "client_credentials"],
        client_secrets: [SECRET],
      },
    ],
    authorizationServers: [
      {
        server: { id: serverId, name: serverId, audiences: ["api://people"], tokenProfile },
        scopes: [
          { id: "s-read", name: "read", default: true },
          { id: "s-public", name: "public" },
          { id: "s-profile", name: "profile" },
          { id: "s-openid", name: "openid" },
        ],
        claims: [
          {
            id: "c-email",
            name: "email",
            claimType: "RESOURCE",
            valueType: "EXPRESSION",
            value: "user.email",
          },
          {
            id: "c-dept",
            name: "dept",
            claimType: "RESOURCE",
            valueType: "EXPRESSION",
            value: "appuser.department",
          },
          {
            id: "c-groups",
            name: "groups",
            claimType: "RESOURCE",
            valueType: "GROUPS",
            group_filter_type: "REGEX",
            value: ".*",
          },
          {
            id: "c-eng",
            name: "isEngineer",
            claimType: "RESOURCE",
            valueType: "EXPRESSION",
            value: `isMemberOfGroup("${engineers}")`,
          },
        ],
        policies: [
          {
            id: "p",
            name: "people",
            priority: 1,
            conditions: { clients: { include: [clientId] } },
            rules: [
              {
                id: "engineers",
                name: "engineers",
                priority: 1,
                conditions: {
                  people: { groups: { include: [engineers], exclude: [contractors] } },
                  grantTypes: { include: ["password"] },
                  scopes: { include: ["read", "profile", "openid"] },
                },
              },
              {
                id: "everyone",
                name: "everyone",
                priority: 2,
                conditions: {
                  people: { groups: { include: [EVERYONE_GROUP_ID] } },
                  grantTypes: { include: ["password"] },
                  scopes: { include: ["public"] },
                },
              },
              {
                id: "services",
                name: "services",
                priority: 3,
                conditions: {
                  grantTypes: { include: ["client_credentials"] },
                  scopes: { include: ["read"] },
                },
              },
            ],
          },
        ],
      },
    ],
  };
  await importConfig(doc);
  return {
    serverId,
    issuer: `${ORIGIN}/oauth2/${serverId}`,
    clientId,
    engineers,
    contractors,
    alice,
    bob,
    carol,
    dave,
    locked,
    suspended,
  };
}
