/**
 * The app form: create (the kind first, as Okta's "Create App Integration") and edit (the kind is
 * fixed once created, as in Okta). Grant types offered are the kind's; redirect and post-logout
 * URIs one a line. The server's causes are shown beside the field they name (appFailure).
 */

import { useState } from "preact/hooks";
import { ApiFailure } from "../api";
import {
  APP_FORM_FIELDS,
  APP_KINDS,
  type AppDraft,
  type AppKind,
  appCause,
  grantLabel,
  KINDS,
  withKind,
} from "../app-kinds";
import { Field, FormError } from "../ui";
import { FormActions } from "./form-actions";
import { useWrite } from "./use-write";

/** The failure with its causes named by the app form's fields (`redirect_uris`, not `settings`). */
export function appFailure(failure: ApiFailure): ApiFailure {
  if (failure.summaries.length === 0) return failure;
  const causes = failure.summaries.map(appCause).filter((c) => c.message);
  return new ApiFailure(failure.status, failure.errorCode, failure.errorSummary, causes, failure.summaries);
}

/** A group of controls (radios, checkboxes) with its server errors, tied to it for screen readers. */
export function GroupErrors({
  id,
  failure,
  field,
}: {
  id: string;
  failure: ApiFailure | undefined;
  field: string;
}) {
  const messages = failure?.forField(field) ?? [];
  if (messages.length === 0) return null;
  return (
    <ul class="field-errors" id={id}>
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

interface Props {
  idPrefix: string;
  initial: AppDraft;
  /** Create: the kind can be chosen; edit: it is shown, fixed. */
  mode: "create" | "edit";
  submitLabel: string;
  canWrite: boolean;
  /** Sends the draft; throws the server's ApiFailure when refused. */
  submit: (draft: AppDraft) => Promise<void>;
}

export function AppForm({ idPrefix, initial, mode, submitLabel, canWrite, submit }: Props) {
  const [draft, setDraft] = useState(initial);
  const { busy, failure: refusal, run } = useWrite();
  const failure = refusal && appFailure(refusal);
  const set = <K extends keyof AppDraft>(key: K, value: AppDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const kind = KINDS[draft.kind];

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  const toggleGrant = (grant: string, on: boolean) =>
    set(
      "grantTypes",
      // Kept in the kind's order, so the body is the same whatever order they were ticked in.
      kind.grants.filter((g) => (g === grant ? on : draft.grantTypes.includes(g))),
    );

  const grantsErrors = `${idPrefix}-grants-errors`;
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate class="app-form">
      <FormError failure={failure} fields={APP_FORM_FIELDS} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">{submitLabel}</legend>
        {mode === "create" ? (
          <fieldset
            class="kinds"
            aria-describedby={
              failure?.forField("application_type").length ? `${idPrefix}-kind-errors` : undefined
            }
          >
            <legend>Kind of app</legend>
            {APP_KINDS.map((k: AppKind) => (
              <label key={k} class="kind">
                <input
                  type="radio"
                  name={`${idPrefix}-kind`}
                  value={k}
                  checked={draft.kind === k}
                  onChange={() => setDraft((d) => withKind(d, k))}
                />
                <span>
                  <strong>{KINDS[k].label}</strong>
                  <span class="hint">{KINDS[k].description}</span>
                </span>
              </label>
            ))}
            <GroupErrors id={`${idPrefix}-kind-errors`} failure={failure} field="application_type" />
            <GroupErrors
              id={`${idPrefix}-auth-errors`}
              failure={failure}
              field="token_endpoint_auth_method"
            />
          </fieldset>
        ) : null}
        <Field id={`${idPrefix}-label`} label="App name" field="label" failure={failure}>
          {(p) => <input {...p} value={draft.label} onInput={(e) => set("label", e.currentTarget.value)} />}
        </Field>
        <fieldset
          class={failure?.forField("grant_types").length ? "checks invalid" : "checks"}
          aria-describedby={failure?.forField("grant_types").length ? grantsErrors : undefined}
        >
          <legend>Grant types</legend>
          {kind.grants.map((grant) => (
            <label key={grant} class="check">
              <input
                type="checkbox"
                checked={draft.grantTypes.includes(grant)}
                onChange={(e) => toggleGrant(grant, e.currentTarget.checked)}
              />
              {grantLabel(grant)}
            </label>
          ))}
          <GroupErrors id={grantsErrors} failure={failure} field="grant_types" />
        </fieldset>
        {kind.signsUsersIn ? (
          <>
            <Field
              id={`${idPrefix}-redirects`}
              label="Sign-in redirect URIs"
              field="redirect_uris"
              failure={failure}
              hint="One a line; matched exactly (RFC 6749 §3.1.2)."
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={3}
                  value={draft.redirectUris}
                  onInput={(e) => set("redirectUris", e.currentTarget.value)}
                />
              )}
            </Field>
            <Field
              id={`${idPrefix}-logout`}
              label="Sign-out redirect URIs"
              field="post_logout_redirect_uris"
              failure={failure}
              hint="One a line: where /v1/logout may send the browser back to."
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={2}
                  value={draft.postLogoutRedirectUris}
                  onInput={(e) => set("postLogoutRedirectUris", e.currentTarget.value)}
                />
              )}
            </Field>
            <Field id={`${idPrefix}-consent`} label="User consent" field="consent_method" failure={failure}>
              {(p) => (
                <select
                  {...p}
                  value={draft.consentMethod}
                  onChange={(e) => set("consentMethod", e.currentTarget.value as AppDraft["consentMethod"])}
                >
                  <option value="TRUSTED">Trusted: no consent page</option>
                  <option value="REQUIRED">Required: ask for scopes that need consent</option>
                </select>
              )}
            </Field>
          </>
        ) : null}
        <FormActions submitLabel={submitLabel} />
      </fieldset>
    </form>
  );
}
