/**
 * The resource owner password credentials grant (RFC 6749 §4.3), with Okta's semantics: an
 * authenticated client that registered the `password` grant type sends the user's `username` and
 * `password`; the token is the user's (`sub` = login, `uid` = user id).
 *
 * - Every credential failure is one answer, `invalid_grant` "The credentials provided were invalid."
 *   (Okta's text): unknown user, wrong password, no password, locked, suspended or not active. The
 *   reason goes to the system log only, and the directory does the same hashing work whether or not
 *   the user exists (src/directory/sign-in.ts), so neither answer nor timing enumerates users.
 * - Sign-in attempts are rate limited per client address and per username before the password is
 *   looked at (README "Rate limits").
 * - Only then is the user's assignment checked: Okta issues user tokens only to users assigned to
 *   the app, directly or through a group, and says so (`access_denied`) to whoever proved the
 *   password, never before.
 */
import type { TokenSubject } from "../../directory/directory";
import { OAuthError } from "../../errors";
import { limitSignIn } from "../rate-limit";
import { parseScopeParam } from "../scope-param";
import { recordSignInFailure } from "../sign-in-log";
import type { Grant, GrantRequest, ResolveInput } from "./grant";

/** Okta's `error_description` for every failed password check. */
export const INVALID_CREDENTIALS = "The credentials provided were invalid.";

/** Okta's `error_description` when the user may sign in but is not assigned to the app. */
export const NOT_ASSIGNED = "User is not assigned to the client application.";

export const password: Grant = {
  type: "password",
  async resolve(input: ResolveInput) {
    const { client, params, ports, origin } = input;
    // Parameters first (RFC 6749 §4.3.2): a malformed request costs no lookup and no attempt.
    const username = required(params.get("username"), "username");
    const secret = required(params.get("password"), "password");
    // A malformed `scope` is refused before the attempt is counted (signedIn parses it again).
    parseScopeParam(params.get("scope"));

    await limitSignIn(ports, origin?.address, username);
    const check = await ports.directory.checkPassword(username, secret, ports.clock());
    if (!check.ok) {
      if (origin) {
        recordSignInFailure(
          {
            log: ports.log,
            serverId: input.serverId,
            clientId: client.client_id,
            grantType: "password",
            login: username,
            request: origin.info(),
          },
          check,
        );
      }
      throw new OAuthError("invalid_grant", INVALID_CREDENTIALS);
    }
    const subject = await ports.directory.subject(check.user.id, client.client_id);
    // Deleted between the check and this read: as good as unknown.
    if (!subject) throw new OAuthError("invalid_grant", INVALID_CREDENTIALS);
    return signedIn(subject, input);
  },
};

/**
 * The password grant for a user whose password was already proved (or, in Token Preview, is not
 * asked for): the same request the real grant resolves once the check has passed.
 */
export function passwordGrantFor(subject: TokenSubject): Grant {
  return { type: "password", resolve: (input) => signedIn(subject, input) };
}

function signedIn(subject: TokenSubject, { client, params }: ResolveInput): GrantRequest {
  if (!subject.assigned) throw new OAuthError("access_denied", NOT_ASSIGNED);
  return {
    grantType: "password",
    client,
    requestedScopes: parseScopeParam(params.get("scope")),
    subject,
  };
}

/** RFC 6749 §4.3.2: `username` and `password` are REQUIRED. */
function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") {
    throw new OAuthError("invalid_request", `The '${name}' parameter is missing.`);
  }
  return value;
}
