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
