/**
 * How an authorization response (RFC 6749 §4.1.2) or error (§4.1.2.1) reaches the client, in the
 * request's `response_mode`: appended to the redirect URI's query (the default for `code`, keeping
 * any query the URI has: §3.1.2), in its fragment (OAuth 2.0 Multiple Response Type Encoding
 * Practices §2.1), POSTed by an auto-submitting form (OAuth 2.0 Form Post Response Mode), or, for
 * okta-auth-js's hidden iframe, posted to the parent window (Okta's `okta_post_message`).
 * Every response names the issuer (`iss`, RFC 9207 §2), so a client talking to several servers can
 * tell whose answer it got (mix-up attacks).
 */
import { errorDescription } from "../errors";
import type { AuthorizeErrorCode, ReplyTarget } from "./authorize-request";
import { formPostPage, pageResponse, postMessagePage } from "./pages";

export async function authorizeReply(
  target: ReplyTarget,
  issuer: string,
  members: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  const params: Record<string, string> = { ...members };
  if (target.state !== undefined) params.state = target.state;
  if (target.responseMode === "okta_post_message") {
    // Okta's message is `{code|error, error_description, state}`; the event's origin (this server's)
    // tells the client whose answer it is, as `iss` does for a redirect.
    const origin = new URL(target.redirectUri).origin;
    return pageResponse(postMessagePage(origin, params), {
      status: 200,
      script: true,
      frameAncestors: origin,
      headers,
    });
  }
  params.iss = issuer;

  if (target.responseMode === "form_post") {
    return pageResponse(formPostPage(target.redirectUri, params), {
      status: 200,
      formAction: formActionSource(target.redirectUri),
      script: true,
      headers,
    });
  }
  const url = new URL(target.redirectUri);
  if (target.responseMode === "fragment") {
    url.hash = new URLSearchParams(params).toString();
  } else {
    for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  }
  return new Response(null, {
    status: 302,
    headers: {
      ...headers,
      Location: url.toString(),
      "Cache-Control": "no-store",
      Pragma: "no-cache",
      "Referrer-Policy": "no-referrer",
    },
  });
}

/** An error response (§4.1.2.1): `error`, `error_description` in RFC 6749's character set, `state`. */
export function authorizeError(
  target: ReplyTarget,
  issuer: string,
  error: AuthorizeErrorCode,
  description: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  return authorizeReply(target, issuer, { error, error_description: errorDescription(description) }, headers);
}

/**
 * The CSP `form-action` source that admits the client's redirect URI: its origin for http(s), its
 * scheme for a native app's private-use scheme (RFC 8252 §7.1). A registered URI is a parsed URL, so
 * neither can carry `;` or `,` into the policy.
 */
export function formActionSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : url.protocol;
}
