/**
 * Token Preview (`#/servers/<id>/preview`): a client, a grant type, a user (for the grants that have
 * one) and scopes → `POST /api/v1/authorizationServers/{id}/tokenPreview` (src/admin/token-preview.ts)
 * → the access token that request would get, decoded (it is never signed), or the error the token
 * endpoint would answer; and in both cases the policy trace drawn rule by rule, with why each
 * policy and rule did not match, and what became of each of the server's access-token claims.
 *
 * The API is a POST under the servers' resource, so it needs `okta.authorizationServers.manage`
 * (src/admin/auth.ts `requiredScopes`), and for a user grant `okta.users.read` too (a user's token
 * shows their profile and groups). It writes nothing, but a read-only admin's token is refused: the
 * button is disabled for them and says why, rather than offering a request that would get a 403.
 */

import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";
import { SERVERS_MANAGE } from "../config";
import {
  type ClaimOutcome,
  claimOutcomes,
  denialText,
  grantNeedsUser,
  instantOf,
  PREVIEW_GRANT_TYPES,
  type PreviewDraft,
  type PreviewGrantType,
  type PreviewResult,
  previewBody,
  TIME_CLAIMS,
  type TracePolicy,
  tracePolicies,
  type Verdict,
} from "../preview-view";
import { scopeChoices } from "../scope-choices";
import type { AppSummary, AuthorizationServer, Claim, Scope, UserSummary } from "../types";
import { Field, FormError, Notice } from "../ui";
import { ScopeChecks, toggled } from "./scope-checks";
import { useLoad } from "./use-load";
import { useWrite } from "./use-write";

const FIELDS = ["clientId", "grantType", "userId", "scopes"];

/** How many users a search shows: enough to pick from, few enough to read. */
const USER_RESULTS = 10;

const userName = (u: UserSummary): string => {
  const full = [u.profile.firstName, u.profile.lastName].filter(Boolean).join(" ");
  return full ? `${full} (${u.profile.login})` : u.profile.login;
};

function UserPicker({
  session,
  chosen,
  choose,
  failure,
  disabled,
}: {
  session: Session;
  chosen: UserSummary | undefined;
  choose: (user: UserSummary) => void;
  failure: ApiFailure | undefined;
  disabled: boolean;
}) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<UserSummary[] | undefined>(undefined);
  const [searchFailure, setSearchFailure] = useState<ApiFailure | undefined>(undefined);
  const search = async () => {
    try {
      const q = encodeURIComponent(query.trim());
      setFound(await api<UserSummary[]>(session, "GET", `/users?q=${q}&limit=${USER_RESULTS}`));
      setSearchFailure(undefined);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setSearchFailure(error);
      setFound(undefined);
    }
  };
  return (
    <fieldset class="user-picker" disabled={disabled}>
      <legend>User</legend>
      <div class="search-row">
        <Field id="preview-user-search" label="Find a user" field="q" failure={searchFailure}>
          {(p) => (
            <input
              {...p}
              type="search"
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Enter searches here; it must not submit the preview with the previous user.
                if (e.key === "Enter") {
                  e.preventDefault();
                  void search();
                }
              }}
            />
          )}
        </Field>
        <button type="button" onClick={() => void search()}>
          Search users
        </button>
      </div>
      <FormError failure={searchFailure} fields={["q"]} />
      {found?.length === 0 ? <p class="hint">No user matches “{query}”.</p> : null}
      {found?.length ? (
        <ul class="checks" aria-label="Users found">
          {found.map((u) => (
            <li key={u.id}>
              <label>
                <input
                  type="radio"
                  name="preview-user"
                  checked={chosen?.id === u.id}
                  onChange={() => choose(u)}
                />{" "}
                <span class="break">
                  {userName(u)}
                  {u.status !== "ACTIVE" ? ` — ${u.status.toLowerCase()}` : ""}
                </span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      <p class="break" id="preview-user-chosen">
        {chosen ? `Previewing for ${userName(chosen)}.` : "No user chosen."}
      </p>
      {failure?.forField("userId").length ? (
        <ul class="field-errors">
          {failure.forField("userId").map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}

const VERDICT_LABEL: Record<Verdict, string> = {
  matched: "Matched",
  skipped: "Did not match",
  not_evaluated: "Not evaluated",
};

function VerdictTag({ verdict }: { verdict: Verdict }) {
  return <span class={`verdict ${verdict}`}>{VERDICT_LABEL[verdict]}</span>;
}

/** Each policy in evaluation order, each rule in priority order, and why not. */
function Trace({ policies }: { policies: readonly TracePolicy[] }) {
  if (policies.length === 0) {
    return <p>No policy was looked at: the request was refused before policy evaluation.</p>;
  }
  return (
    <ol class="trace">
      {policies.map((policy) => (
        <li key={policy.id} class={`trace-policy ${policy.verdict}`}>
          <p class="trace-head">
            <span class="break">
              Policy <strong>{policy.name}</strong>
            </span>{" "}
            <VerdictTag verdict={policy.verdict} />
          </p>
          {policy.because ? <p class="because">{policy.because}</p> : null}
          {policy.rules.length ? (
            <ol class="trace-rules" aria-label={`Rules of ${policy.name}`}>
              {policy.rules.map((rule) => (
                <li key={rule.id} class={`trace-rule ${rule.verdict}`}>
                  <span class="break">
                    Rule <strong>{rule.name}</strong>
                  </span>{" "}
                  <VerdictTag verdict={rule.verdict} />
                  {rule.verdict === "matched" ? <p class="because">This rule granted the token.</p> : null}
                  {rule.because ? <p class="because">{rule.because}</p> : null}
                </li>
              ))}
            </ol>
          ) : (
            <p class="because">No rules.</p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Wrapped, never scrolled: a long `jti` or audience must not push a 360 px page sideways. */
function Json({ id, value }: { id: string; value: unknown }) {
  return (
    <pre class="json" id={id}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

function Times({ payload }: { payload: Record<string, unknown> }) {
  const rows = TIME_CLAIMS.flatMap((name) => {
    const at = instantOf(payload[name]);
    return at ? [{ name, at }] : [];
  });
  if (!rows.length) return null;
  return (
    <dl class="facts">
      {rows.map((r) => (
        <Fragment key={r.name}>
          <dt class="code">{r.name}</dt>
          <dd>{r.at}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function ClaimsOutcome({ outcomes }: { outcomes: readonly ClaimOutcome[] }) {
  if (!outcomes.length) return <p>The server has no access-token claims of its own.</p>;
  return (
    <ul class="claim-outcomes">
      {outcomes.map((o) => (
        <li key={o.name}>
          <strong class="break code">{o.name}</strong>{" "}
          <span class={o.included ? "verdict matched" : "verdict skipped"}>
            {o.included ? "In the token" : "Left out"}
          </span>
          <p class="because break">{o.because}</p>
        </li>
      ))}
    </ul>
  );
}

function HookOutcome({ hook }: { hook: Record<string, unknown> | null | undefined }) {
  if (!hook) return null;
  return (
    <>
      <h4>Token inline hook</h4>
      <Json id="preview-hook" value={hook} />
    </>
  );
}

function Result({ result, claims }: { result: PreviewResult; claims: readonly Claim[] }) {
  const policies = tracePolicies(result.trace);
  if (result.result === "DENY") {
    const { code, text } = denialText(result.error);
    return (
      <section aria-labelledby="preview-result-title" class="preview-result">
        <h3 id="preview-result-title">No token: the token endpoint would answer {result.status}</h3>
        <div class="form-error" role="alert">
          <p>
            <strong>{text}</strong> <span class="code">({code})</span>
          </p>
        </div>
        <HookOutcome hook={result.inlineHook} />
        <h4>Policy evaluation</h4>
        <Trace policies={policies} />
      </section>
    );
  }
  const { header, payload } = result.accessToken;
  return (
    <section aria-labelledby="preview-result-title" class="preview-result">
      <h3 id="preview-result-title">Access token</h3>
      <p role="status" class="saved">
        Granted by rule <strong>{result.rule.name}</strong> of policy <strong>{result.policy.name}</strong>.
      </p>
      <p class="hint">Unsigned: a preview issues no token anyone can use.</p>
      <div class="token-parts">
        <div>
          <h4>Header</h4>
          <Json id="preview-header" value={header} />
        </div>
        <div>
          <h4>Claims</h4>
          <Json id="preview-claims" value={payload} />
          <Times payload={payload} />
        </div>
      </div>
      {result.idToken ? (
        <>
          <h3>ID token</h3>
          <p class="hint">
            Issued beside the access token because openid was granted to a user. Without at_hash, the hash of
            the signed access token.
          </p>
          <div class="token-parts">
            <div>
              <h4>ID token header</h4>
              <Json id="preview-id-header" value={result.idToken.header} />
            </div>
            <div>
              <h4>ID token claims</h4>
              <Json id="preview-id-claims" value={result.idToken.payload} />
              <Times payload={result.idToken.payload} />
            </div>
          </div>
        </>
      ) : (
        <p class="hint">No ID token: one is issued only to a user, with openid granted.</p>
      )}
      <h4>Custom claims</h4>
      <ClaimsOutcome outcomes={claimOutcomes(claims, payload, result.claimFailures)} />
      <HookOutcome hook={result.inlineHook} />
      <h4>Policy evaluation</h4>
      <Trace policies={policies} />
    </section>
  );
}

export function TokenPreview({ session, server }: { session: Session; server: AuthorizationServer }) {
  const base = `/authorizationServers/${encodeURIComponent(server.id)}`;
  const canPreview = session.scopes.has(SERVERS_MANAGE);
  const apps = useLoad(() => api<AppSummary[]>(session, "GET", "/apps?limit=200"), [session]);
  const scopes = useLoad(() => api<Scope[]>(session, "GET", `${base}/scopes`), [session, base]);
  const [draft, setDraft] = useState<PreviewDraft>({
    clientId: "",
    grantType: "client_credentials",
    userId: "",
    scopes: [],
  });
  const [user, setUser] = useState<UserSummary | undefined>(undefined);
  // The answer and the claims as the server held them for it: the claims are read with every
  // preview, so a claim added or changed since the screen opened is judged as the preview ran it.
  const [result, setResult] = useState<{ preview: PreviewResult; claims: Claim[] } | undefined>(undefined);
  const { busy, failure, run } = useWrite();
  const set = <K extends keyof PreviewDraft>(key: K, value: PreviewDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const toggleScope = (name: string, on: boolean) =>
    setDraft((d) => ({ ...d, scopes: toggled(d.scopes, name, on) }));
  const needsUser = grantNeedsUser(draft.grantType);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    // The previous answer goes first: what shows is always this request's answer.
    setResult(undefined);
    await run(async () => {
      const body = previewBody({ ...draft, userId: user?.id ?? "" });
      const [preview, claims] = await Promise.all([
        api<PreviewResult>(session, "POST", `${base}/tokenPreview`, body),
        api<Claim[]>(session, "GET", `${base}/claims`),
      ]);
      setResult({ preview, claims });
    });
  };

  const loadFailure = apps.failure ?? scopes.failure;
  return (
    <section aria-labelledby="preview-title" class="panel">
      <h2 id="preview-title">Token preview</h2>
      <p class="hint">
        What the token endpoint would issue for this request, evaluated on the server's current configuration.
        Nothing is signed or recorded.
      </p>
      {canPreview ? null : (
        <p class="read-only" id="preview-read-only">
          Token Preview needs the right to manage authorization servers (okta.authorizationServers.manage):
          the management API runs it as a POST.
        </p>
      )}
      <FormError failure={loadFailure} fields={[]} />
      <form onSubmit={(e) => void onSubmit(e)} noValidate class="preview-form">
        <FormError failure={failure} fields={FIELDS} />
        <fieldset disabled={!canPreview || busy}>
          <legend class="visually-hidden">Preview request</legend>
          <div class="preview-grid">
            <Field id="preview-client" label="Client" field="clientId" failure={failure}>
              {(p) => (
                <select
                  {...p}
                  value={draft.clientId}
                  onChange={(e) => set("clientId", e.currentTarget.value)}
                >
                  <option value="">Choose a client…</option>
                  {(apps.value ?? []).map((app) => (
                    <option key={app.id} value={app.id}>
                      {app.label} ({app.id}){app.status !== "ACTIVE" ? " — inactive" : ""}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id="preview-grant" label="Grant type" field="grantType" failure={failure}>
              {(p) => (
                <select
                  {...p}
                  value={draft.grantType}
                  onChange={(e) => set("grantType", e.currentTarget.value as PreviewGrantType)}
                >
                  {PREVIEW_GRANT_TYPES.map((g) => (
                    <option key={g.value} value={g.value}>
                      {g.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          {needsUser ? (
            <UserPicker
              session={session}
              chosen={user}
              choose={setUser}
              failure={failure}
              disabled={!canPreview || busy}
            />
          ) : null}
          <fieldset class="scope-choice">
            <legend>Scopes</legend>
            <p class="hint">None checked: the server's default scopes that the rule allows.</p>
            {scopes.value === undefined && !scopes.failure ? <Notice>Loading…</Notice> : null}
            <ScopeChecks
              names={scopes.value ? scopeChoices(scopes.value) : []}
              chosen={draft.scopes}
              toggle={toggleScope}
            />
            {failure?.forField("scopes").length ? (
              <ul class="field-errors">
                {failure.forField("scopes").map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            ) : null}
          </fieldset>
          <div class="actions">
            <button
              type="submit"
              class="primary"
              aria-describedby={canPreview ? undefined : "preview-read-only"}
            >
              Preview token
            </button>
          </div>
        </fieldset>
      </form>
      {busy ? <Notice>Evaluating…</Notice> : null}
      {result ? <Result result={result.preview} claims={result.claims} /> : null}
    </section>
  );
}
