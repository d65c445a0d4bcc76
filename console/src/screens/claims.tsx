/**
 * A server's claims (`#/servers/<id>/claims`): the list, a form to create one, the same form to edit
 * one, delete with a confirmation; the list is asked for again after every write (no optimistic UI).
 *
 * The value is checked while it is typed, in the browser, by the compiler the server runs when it
 * stores the claim (src/claims/expression, through console/src/claim-check.ts): the error and where
 * the compiler stopped show under the field, debounced, with no server round trip. On save the
 * server's own `errorCauses` show beside their fields as on every form. The checker is a chunk of
 * its own, loaded when this screen opens (it weighs more than the rest of the console).
 */

import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import type { ValueCheck } from "../claim-check";
import {
  type ClaimDraft,
  claimBodyOf,
  claimDraftOf,
  EMPTY_CLAIM,
  faultOf,
  GROUP_FILTER_LABEL,
  type GroupFilterType,
  TOKEN_TYPE_LABEL,
} from "../claim-draft";
import { scopeChoices } from "../scope-choices";
import type { AuthorizationServer, Claim, Scope } from "../types";
import { Field, FormError } from "../ui";
import { Confirm } from "./confirm";
import { FormActions } from "./form-actions";
import { ListState } from "./list-state";
import { RowActions } from "./row-actions";
import { ScopeChecks, toggled } from "./scope-checks";
import { useLoad } from "./use-load";
import { useRows } from "./use-rows";
import { useWrite } from "./use-write";

const FIELDS = [
  "name",
  "claimType",
  "valueType",
  "value",
  "group_filter_type",
  "alwaysIncludeInToken",
  "status",
  "conditions",
];

/** How long typing pauses before the value is checked: a check per pause, not per key. */
const CHECK_DELAY_MS = 250;

type Checker = (claim: Pick<ClaimDraft, "valueType" | "value" | "group_filter_type">) => ValueCheck;

/** The checker chunk, loaded once per page (every form of the screen shares it). */
let checkerChunk: Promise<Checker> | undefined;
function loadChecker(): Promise<Checker> {
  checkerChunk ??= import("../claim-check").then((m) => m.checkClaimValue);
  return checkerChunk;
}

/** The checker once its chunk has arrived; undefined before (the form works without it). */
function useChecker(): Checker | undefined {
  const [checker, setChecker] = useState<{ run: Checker } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadChecker().then(
      (run) => live && setChecker({ run }),
      // Without the chunk (a deploy replaced it mid-session) the server still checks on save.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return checker?.run;
}

/** The check of the value as typed, after a pause; undefined while typing or before the checker. */
function useValueCheck(checker: Checker | undefined, draft: ClaimDraft): ValueCheck | undefined {
  const [result, setResult] = useState<{ for: string; check: ValueCheck } | undefined>(undefined);
  const key = `${draft.valueType}\u0000${draft.group_filter_type}\u0000${draft.value}`;
  useEffect(() => {
    if (!checker) return;
    const timer = setTimeout(() => setResult({ for: key, check: checker(draft) }), CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [checker, key]);
  // A result for an older value is not shown: the field has changed since.
  return result?.for === key ? result.check : undefined;
}

function ValueCheckView({ id, check, value }: { id: string; check: ValueCheck | undefined; value: string }) {
  // A live region that is always there, so the first message is announced too.
  return (
    <div id={id} class="value-check" aria-live="polite">
      {check === undefined || value === "" ? null : check.ok ? (
        <p class="check-ok">Compiles.</p>
      ) : (
        <>
          <p class="check-error">
            {check.message}
            {check.position ? (
              <span class="visually-hidden">
                {" "}
                (line {check.position.line}, column {check.position.column})
              </span>
            ) : null}
          </p>
          {check.position ? <Fault value={value} offset={check.position.offset} /> : null}
        </>
      )}
    </div>
  );
}

/** The line at fault, the character where the compiler stopped highlighted. */
function Fault({ value, offset }: { value: string; offset: number }) {
  const { before, at, after } = faultOf(value, offset);
  return (
    <p class="fault code" aria-hidden="true">
      {before}
      <mark>{at || "\u00a0"}</mark>
      {after}
    </p>
  );
}

interface FormProps {
  idPrefix: string;
  initial: ClaimDraft;
  submitLabel: string;
  canWrite: boolean;
  scopes: readonly Scope[];
  checker: Checker | undefined;
  submit: (draft: ClaimDraft) => Promise<void>;
  cancel?: () => void;
}

function ClaimForm({ idPrefix, initial, submitLabel, canWrite, scopes, checker, submit, cancel }: FormProps) {
  const [draft, setDraft] = useState(initial);
  const { busy, failure, run } = useWrite();
  const check = useValueCheck(checker, draft);
  // An edit form opens below the list: the keyboard goes to it, not left on the Edit button.
  useEffect(() => {
    if (cancel) document.getElementById(`${idPrefix}-name`)?.focus();
  }, []);
  const set = <K extends keyof ClaimDraft>(key: K, value: ClaimDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const toggleScope = (name: string, on: boolean) =>
    setDraft((d) => ({ ...d, scopes: toggled(d.scopes, name, on) }));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  const checkId = `${idPrefix}-value-check`;
  const groups = draft.valueType === "GROUPS";
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate class="claim-form">
      <FormError failure={failure} fields={FIELDS} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">{submitLabel}</legend>
        <Field id={`${idPrefix}-name`} label="Claim name" field="name" failure={failure}>
          {(p) => <input {...p} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />}
        </Field>
        <Field id={`${idPrefix}-type`} label="Include in token type" field="claimType" failure={failure}>
          {(p) => (
            <select
              {...p}
              value={draft.claimType}
              onChange={(e) => set("claimType", e.currentTarget.value as ClaimDraft["claimType"])}
            >
              <option value="RESOURCE">Access token</option>
              <option value="IDENTITY">ID token</option>
            </select>
          )}
        </Field>
        {draft.claimType === "IDENTITY" ? (
          <Field
            id={`${idPrefix}-always`}
            label="Always include in the ID token"
            field="alwaysIncludeInToken"
            failure={failure}
            hint="Unchecked: only in an ID token issued on its own; otherwise at /userinfo."
          >
            {(p) => (
              <input
                {...p}
                type="checkbox"
                checked={draft.alwaysIncludeInToken}
                onChange={(e) => set("alwaysIncludeInToken", e.currentTarget.checked)}
              />
            )}
          </Field>
        ) : null}
        <Field id={`${idPrefix}-value-type`} label="Value type" field="valueType" failure={failure}>
          {(p) => (
            <select
              {...p}
              value={draft.valueType}
              onChange={(e) => set("valueType", e.currentTarget.value as ClaimDraft["valueType"])}
            >
              <option value="EXPRESSION">Expression</option>
              <option value="GROUPS">Groups</option>
            </select>
          )}
        </Field>
        {groups ? (
          <Field id={`${idPrefix}-filter`} label="Group filter" field="group_filter_type" failure={failure}>
            {(p) => (
              <select
                {...p}
                value={draft.group_filter_type}
                onChange={(e) => set("group_filter_type", e.currentTarget.value as GroupFilterType)}
              >
                {(Object.keys(GROUP_FILTER_LABEL) as GroupFilterType[]).map((t) => (
                  <option key={t} value={t}>
                    {GROUP_FILTER_LABEL[t]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <Field
          id={`${idPrefix}-value`}
          label={groups ? "Group filter value" : "Value expression"}
          field="value"
          failure={failure}
          hint={
            groups
              ? "Names compared case-sensitively; a regex must match the whole name (.* for every group)."
              : "Okta Expression Language, e.g. user.email or app.profile.tier"
          }
        >
          {(p) => (
            <textarea
              {...p}
              aria-describedby={[p["aria-describedby"], checkId].filter(Boolean).join(" ")}
              rows={groups ? 1 : 3}
              spellcheck={false}
              autocomplete="off"
              class="code"
              value={draft.value}
              onInput={(e) => set("value", e.currentTarget.value)}
            />
          )}
        </Field>
        <ValueCheckView id={checkId} check={check} value={draft.value} />
        <fieldset class="scope-choice">
          <legend>Include in scopes</legend>
          <p class="hint">
            None checked: any scope. Otherwise the claim goes into tokens granted one of them.
          </p>
          <ScopeChecks names={scopeChoices(scopes)} chosen={draft.scopes} toggle={toggleScope} />
          {failure?.forField("conditions").length ? (
            <ul class="field-errors">
              {failure.forField("conditions").map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          ) : null}
        </fieldset>
        <Field id={`${idPrefix}-status`} label="Status" field="status" failure={failure}>
          {(p) => (
            <select
              {...p}
              value={draft.status}
              onChange={(e) => set("status", e.currentTarget.value as ClaimDraft["status"])}
            >
              <option value="ACTIVE">Active</option>
              <option value="INACTIVE">Inactive</option>
            </select>
          )}
        </Field>
        <FormActions submitLabel={submitLabel} cancel={cancel} />
      </fieldset>
    </form>
  );
}

/** One row of the list: what Okta's console shows of a claim. */
function ClaimRow({
  claim,
  canWrite,
  confirming,
  edit,
  confirm,
  keep,
  remove,
}: {
  claim: Claim;
  canWrite: boolean;
  confirming: boolean;
  edit: () => void;
  confirm: () => void;
  keep: () => void;
  remove: () => void;
}) {
  const locked = !canWrite || claim.system;
  return (
    <tr>
      <td data-label="Name" class="break">
        <strong>{claim.name}</strong>
        {claim.system ? <span class="tag">system</span> : null}
      </td>
      <td data-label="Token">{TOKEN_TYPE_LABEL[claim.claimType]}</td>
      <td data-label="Value type">
        {claim.valueType === "GROUPS" && claim.group_filter_type
          ? `Groups (${GROUP_FILTER_LABEL[claim.group_filter_type].toLowerCase()})`
          : claim.valueType === "GROUPS"
            ? "Groups"
            : claim.valueType === "SYSTEM"
              ? "System"
              : "Expression"}
      </td>
      <td data-label="Value" class="break code">
        {claim.value}
      </td>
      <td data-label="Scopes" class="break">
        {claim.conditions.scopes.length ? claim.conditions.scopes.join(", ") : "Any scope"}
      </td>
      <td data-label="Always include">
        {claim.claimType === "RESOURCE" || claim.alwaysIncludeInToken ? "Yes" : "No"}
      </td>
      <td data-label="Status">
        <span class={`status ${claim.status.toLowerCase()}`}>
          {claim.status === "ACTIVE" ? "Active" : "Inactive"}
        </span>
      </td>
      <td data-label="Actions">
        {confirming ? (
          <Confirm
            confirmLabel={`Delete ${claim.name}`}
            disabled={!canWrite}
            confirm={remove}
            keep={keep}
            returnFocusTo={`delete-claim-${claim.id}`}
          >
            Delete {claim.name}? Tokens already issued keep it until they expire.
          </Confirm>
        ) : (
          <RowActions noun="claim" row={claim} disabled={locked} edit={edit} ask={confirm} />
        )}
      </td>
    </tr>
  );
}

export function Claims({
  session,
  server,
  canWrite,
}: {
  session: Session;
  server: AuthorizationServer;
  canWrite: boolean;
}) {
  const base = `/authorizationServers/${encodeURIComponent(server.id)}`;
  const path = `${base}/claims`;
  const {
    value: claims,
    failure,
    reload,
  } = useLoad(() => api<Claim[]>(session, "GET", path), [session, path]);
  const { value: scopes } = useLoad(() => api<Scope[]>(session, "GET", `${base}/scopes`), [session, base]);
  const checker = useChecker();
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
  } = useRows<ClaimDraft, Claim>({ session, path, noun: "Claim", bodyOf: claimBodyOf, reload });

  const edited = claims?.find((c) => c.id === editing);
  return (
    <section aria-labelledby="claims-title" class="panel">
      <h2 id="claims-title">Claims</h2>
      <p class="saved" role="status">
        {status}
      </p>
      <ListState items={claims} failure={failure} writeFailure={writeFailure} empty="No claims yet." />
      {claims?.length ? (
        <table class="list claims">
          <caption class="visually-hidden">Claims of {server.name}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Value type</th>
              <th scope="col">Value</th>
              <th scope="col">Scopes</th>
              <th scope="col">Always include</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {claims.map((claim) => (
              <ClaimRow
                key={claim.id}
                claim={claim}
                canWrite={canWrite}
                confirming={confirming === claim.id}
                edit={() => setEditing(claim.id)}
                confirm={() => ask(claim)}
                keep={() => setConfirming(undefined)}
                remove={() => void remove(claim)}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {edited ? (
        <>
          <h3>Edit claim {edited.name}</h3>
          <ClaimForm
            key={`edit-${edited.id}`}
            idPrefix={`edit-${edited.id}`}
            initial={claimDraftOf(edited)}
            submitLabel={`Save claim ${edited.name}`}
            canWrite={canWrite}
            scopes={scopes ?? []}
            checker={checker}
            submit={update(edited)}
            cancel={() => setEditing(undefined)}
          />
        </>
      ) : (
        <>
          <h3>Add a claim</h3>
          <ClaimForm
            key={`new-${created}`}
            idPrefix="new-claim"
            initial={EMPTY_CLAIM}
            submitLabel="Create claim"
            canWrite={canWrite}
            scopes={scopes ?? []}
            checker={checker}
            submit={create}
          />
        </>
      )}
    </section>
  );
}
