/**
 * A server's scopes: the list, a form to create one, the same form to edit one, delete with a
 * confirmation. After every write the list is asked for again, so it shows what the server holds.
 * System scopes (openid, profile, … as Okta creates them) are read-only here as in Okta.
 */

import { useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import type { Scope } from "../types";
import { Field, FormError } from "../ui";
import { Confirm } from "./confirm";
import { FormActions } from "./form-actions";
import { ListState } from "./list-state";
import { RowActions } from "./row-actions";
import { useLoad } from "./use-load";
import { useRows } from "./use-rows";
import { useWrite } from "./use-write";

const FIELDS = ["name", "displayName", "description", "consent", "default", "metadataPublish"];

type Draft = Pick<Scope, "name" | "description" | "consent" | "default" | "metadataPublish"> & {
  displayName: string;
};

const EMPTY: Draft = {
  name: "",
  displayName: "",
  description: "",
  consent: "IMPLICIT",
  default: false,
  metadataPublish: "NO_CLIENTS",
};

const draftOf = (s: Scope): Draft => ({
  name: s.name,
  displayName: s.displayName ?? "",
  description: s.description,
  consent: s.consent,
  default: s.default,
  metadataPublish: s.metadataPublish,
});

/** The body sent: an empty display name is no display name. */
function bodyOf(draft: Draft): Record<string, unknown> {
  const { displayName, ...rest } = draft;
  return displayName ? { ...rest, displayName } : rest;
}

interface FormProps {
  idPrefix: string;
  initial: Draft;
  submitLabel: string;
  canWrite: boolean;
  submit: (draft: Draft) => Promise<void>;
  cancel?: () => void;
}

function ScopeForm({ idPrefix, initial, submitLabel, canWrite, submit, cancel }: FormProps) {
  const [draft, setDraft] = useState(initial);
  const { busy, failure, run } = useWrite();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate class="scope-form">
      <FormError failure={failure} fields={FIELDS} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">{submitLabel}</legend>
        <Field id={`${idPrefix}-name`} label="Scope name" field="name" failure={failure}>
          {(p) => <input {...p} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />}
        </Field>
        <Field id={`${idPrefix}-display`} label="Display name" field="displayName" failure={failure}>
          {(p) => (
            <input
              {...p}
              value={draft.displayName}
              onInput={(e) => set("displayName", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id={`${idPrefix}-description`} label="Description" field="description" failure={failure}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={draft.description}
              onInput={(e) => set("description", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id={`${idPrefix}-consent`} label="User consent" field="consent" failure={failure}>
          {(p) => (
            <select
              {...p}
              value={draft.consent}
              onChange={(e) => set("consent", e.currentTarget.value as Draft["consent"])}
            >
              <option value="IMPLICIT">Implicit (no consent page)</option>
              <option value="REQUIRED">Required</option>
              <option value="FLEXIBLE">Flexible</option>
            </select>
          )}
        </Field>
        <Field id={`${idPrefix}-metadata`} label="Metadata" field="metadataPublish" failure={failure}>
          {(p) => (
            <select
              {...p}
              value={draft.metadataPublish}
              onChange={(e) => set("metadataPublish", e.currentTarget.value as Draft["metadataPublish"])}
            >
              <option value="NO_CLIENTS">Not in the discovery document</option>
              <option value="ALL_CLIENTS">In the discovery document</option>
            </select>
          )}
        </Field>
        <Field id={`${idPrefix}-default`} label="Default scope" field="default" failure={failure}>
          {(p) => (
            <input
              {...p}
              type="checkbox"
              checked={draft.default}
              onChange={(e) => set("default", e.currentTarget.checked)}
            />
          )}
        </Field>
        <FormActions submitLabel={submitLabel} cancel={cancel} />
      </fieldset>
    </form>
  );
}

interface Props {
  session: Session;
  serverId: string;
  canWrite: boolean;
}

export function Scopes({ session, serverId, canWrite }: Props) {
  const path = `/authorizationServers/${encodeURIComponent(serverId)}/scopes`;
  const {
    value: scopes,
    failure,
    reload,
  } = useLoad(() => api<Scope[]>(session, "GET", path), [session, path]);
  const {
    editing,
    setEditing,
    confirming,
    setConfirming,
    writeFailure,
    created,
    status,
    create,
    update,
    ask,
    remove,
  } = useRows<Draft, Scope>({ session, path, noun: "Scope", bodyOf, reload });

  return (
    <section aria-labelledby="scopes-title" class="panel">
      <h2 id="scopes-title">Scopes</h2>
      <p class="saved" role="status">
        {status}
      </p>
      <ListState items={scopes} failure={failure} writeFailure={writeFailure} empty="No scopes yet." />
      {scopes?.length ? (
        <ul class="scopes">
          {scopes.map((scope) => (
            <li key={scope.id} class="scope">
              {editing === scope.id ? (
                <ScopeForm
                  idPrefix={`edit-${scope.id}`}
                  initial={draftOf(scope)}
                  submitLabel={`Save scope ${scope.name}`}
                  canWrite={canWrite}
                  submit={update(scope)}
                  cancel={() => setEditing(undefined)}
                />
              ) : (
                <>
                  <div class="scope-head">
                    <strong class="break">{scope.name}</strong>
                    {scope.system ? <span class="tag">system</span> : null}
                    {scope.default ? <span class="tag">default</span> : null}
                    <span class="tag">consent {scope.consent.toLowerCase()}</span>
                  </div>
                  {/* Okta stores the name as the display name when none is given: shown once. */}
                  {(scope.displayName && scope.displayName !== scope.name) || scope.description ? (
                    <p class="scope-text">
                      {[scope.displayName !== scope.name ? scope.displayName : "", scope.description]
                        .filter(Boolean)
                        .join(" — ")}
                    </p>
                  ) : null}
                  {confirming === scope.id ? (
                    <Confirm
                      confirmLabel={`Delete ${scope.name}`}
                      disabled={!canWrite}
                      confirm={() => void remove(scope)}
                      keep={() => setConfirming(undefined)}
                      returnFocusTo={`delete-scope-${scope.id}`}
                    >
                      Delete {scope.name}? Tokens already issued keep it until they expire.
                    </Confirm>
                  ) : (
                    <RowActions
                      noun="scope"
                      row={scope}
                      disabled={!canWrite || scope.system}
                      edit={() => setEditing(scope.id)}
                      ask={() => ask(scope)}
                    />
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <h3>Add a scope</h3>
      <ScopeForm
        key={`new-${created}`}
        idPrefix="new-scope"
        initial={EMPTY}
        submitLabel="Create scope"
        canWrite={canWrite}
        submit={create}
      />
    </section>
  );
}
