/** RFC 6749 §5.1 successful response; `Cache-Control: no-store` and `Pragma: no-cache` are required. */
export interface TokenResponseBody {
  token_type: "Bearer";
  expires_in: number;
  access_token: string;
  scope: string;
  /** OIDC Core §3.1.3.3: present when `openid` was granted to a user. */
  id_token?: string;
  /** RFC 6749 §5.1: present when `offline_access` was granted to a client that may refresh. */
  refresh_token?: string;
}

export function tokenResponse(body: TokenResponseBody): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" },
  });
}
