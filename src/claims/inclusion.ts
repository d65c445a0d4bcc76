/**
 * Where a custom claim goes, by Okta's rules for `claimType` and `alwaysIncludeInToken`:
 * - RESOURCE claims go into access tokens, always (Okta: "always TRUE for access token claims";
 *   the schema stores true whatever an admin sends).
 * - IDENTITY claims go into the userinfo response, and into an ID token when `alwaysIncludeInToken`
 *   is true, or when the ID token is issued on its own. An ID token issued with an access token or
 *   for an authorization code leaves a claim with `alwaysIncludeInToken: false` to userinfo, which
 *   the client calls with that access token (Okta: "Userinfo / id_token request").
 * Warden issues no ID token yet (DESIGN §9, roadmap 5): this is the rule the ID-token and userinfo
 * endpoints will apply, fixed here so that stored claims already mean what they will mean.
 */
import type { Claim } from "../config/schemas";

export type ClaimDestination = "access_token" | "id_token" | "userinfo";

export interface IssuedTokens {
  /** The response carries an access token too, or the ID token is redeemed for an authorization code. */
  idTokenWithAccessTokenOrCode: boolean;
}

export function claimGoesTo(
  claim: Pick<Claim, "claimType" | "alwaysIncludeInToken">,
  destination: ClaimDestination,
  issued: IssuedTokens = { idTokenWithAccessTokenOrCode: true },
): boolean {
  switch (claim.claimType) {
    case "RESOURCE":
      return destination === "access_token";
    case "IDENTITY":
      switch (destination) {
        case "access_token":
          return false;
        case "userinfo":
          return true;
        case "id_token":
          return claim.alwaysIncludeInToken || !issued.idTokenWithAccessTokenOrCode;
      }
  }
}
