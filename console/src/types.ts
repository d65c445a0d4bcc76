/** The management API's objects, as far as the console reads them (Okta's shapes). */
export interface AuthorizationServer {
  id: string;
  name: string;
  description: string;
  audiences: string[];
  issuer: string;
  status: "ACTIVE" | "INACTIVE";
  tokenProfile?: string;
  credentials?: { signing?: { alg?: string; rotationMode?: string; kid?: string | null } };
  [other: string]: unknown;
}

export interface Scope {
  id: string;
  name: string;
  displayName?: string;
  description: string;
  consent: "REQUIRED" | "IMPLICIT" | "FLEXIBLE";
  default: boolean;
  metadataPublish: "ALL_CLIENTS" | "NO_CLIENTS";
  system: boolean;
  [other: string]: unknown;
}

// --- Users, groups and the system log (console/src/screens/users.tsx, groups.tsx, system-log.tsx) ---

/** Okta's User (Management API "User"): the profile's base attributes and any custom ones. */
export interface User {
  id: string;
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  profile: { login: string; email: string; firstName: string; lastName: string; [other: string]: unknown };
  _links?: Record<string, unknown>;
  [other: string]: unknown;
}

/** Okta's Group: OKTA_GROUP, or the BUILT_IN Everyone (read-only). */
export interface Group {
  id: string;
  type: "OKTA_GROUP" | "BUILT_IN" | string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated?: string;
  profile: { name: string; description?: string | null; [other: string]: unknown };
  [other: string]: unknown;
}

/** Okta's role assignment of a user (Role Assignment API). */
export interface AdminRole {
  id: string;
  type: string;
  label: string;
  status: string;
  assignmentType?: string;
  [other: string]: unknown;
}

/** Okta's LogEvent (System Log API), as far as the console shows it. */
export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  severity: string;
  displayMessage: string;
  actor: { id: string; type: string; alternateId?: string | null; displayName?: string | null };
  client?: {
    ipAddress?: string | null;
    userAgent?: { rawUserAgent?: string | null } | null;
    [other: string]: unknown;
  };
  outcome: { result: string; reason?: string | null };
  target?: { id: string; type: string; alternateId?: string | null; displayName?: string | null }[];
  transaction?: { type?: string; id?: string | null; detail?: Record<string, unknown> };
  debugContext?: { debugData?: Record<string, unknown> };
  [other: string]: unknown;
}

// ---- claims and Token Preview (console/src/screens/claims.tsx, token-preview.tsx) ----

/** Okta's OAuth2Claim (src/config/schemas.ts `Claim`). */
export interface Claim {
  id: string;
  name: string;
  status: "ACTIVE" | "INACTIVE";
  claimType: "RESOURCE" | "IDENTITY";
  valueType: "EXPRESSION" | "GROUPS" | "SYSTEM";
  value: string;
  group_filter_type?: "STARTS_WITH" | "EQUALS" | "CONTAINS" | "REGEX";
  alwaysIncludeInToken: boolean;
  conditions: { scopes: string[] };
  system: boolean;
  [other: string]: unknown;
}

/** An app of `/api/v1/apps`, as far as Token Preview's client picker reads it. */
export interface AppSummary {
  id: string;
  label: string;
  status: "ACTIVE" | "INACTIVE";
  settings?: { oauthClient?: { grant_types?: string[] } };
  [other: string]: unknown;
}

/** A user of `/api/v1/users`, as far as Token Preview's user search reads it. */
export interface UserSummary {
  id: string;
  status: string;
  profile: { login: string; firstName?: string | null; lastName?: string | null; [other: string]: unknown };
  [other: string]: unknown;
}
