/** Names of the records in the CONFIG KV namespace. Only the control plane and key vault write them. */
export const kvKeys = {
  snapshot: (serverId: string) => `snapshot/${serverId}`,
  client: (clientId: string) => `client/${encodeURIComponent(clientId)}`,
  keyset: (serverId: string) => `keyset/${serverId}`,
  /** A token inline hook, its secret sealed under the key-encryption key. */
  hook: (hookId: string) => `hook/${hookId}`,
  /** Every ACTIVE trusted origin, in one record (src/config/trusted-origins.ts); its id is always `all`. */
  trustedOrigins: (id: string) => `trustedOrigins/${id}`,
} as const;
