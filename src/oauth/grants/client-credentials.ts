/**
 * The client_credentials grant (RFC 6749 §4.4): a confidential client obtains a token on its own
 * behalf. Its only parameter is `scope`; the authenticated client is the whole grant.
 */
import { parseScopeParam } from "../scope-param";
import type { Grant } from "./grant";

export const clientCredentials: Grant = {
  type: "client_credentials",
  resolve: ({ client, params }) => ({
    grantType: "client_credentials",
    client,
    requestedScopes: parseScopeParam(params.get("scope")),
  }),
};
