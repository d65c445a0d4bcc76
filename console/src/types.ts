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
