/**
 * Inline hooks (Okta's `/api/v1/inlineHooks`, README "Custom claims and token inline hooks"): the
 * list with "New inline hook", and one hook's screen — its settings (name, channel URL, the
 * authentication header; the secret write-only, never shown back), activate / deactivate, and
 * delete (Okta deletes only an INACTIVE hook; Warden refuses while a rule names it, and the
 * server's words say which). Every write is followed by reading again: no optimistic UI.
 */

import { useEffect, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";
import {
  draftOf,
  EMPTY_HOOK,
  HOOK_FIELDS,
  type HookDraft,
  hookBody,
  hookFormCauses,
  type InlineHook,
  TOKEN_HOOK_TYPE,
} from "../hook-form";
import { formatInstant } from "../key-timeline";
import { hashOf } from "../parse";
import { Field, FormError, Notice } from "../ui";
import { Confirm } from "./confirm";
import { FormActions } from "./form-actions";
import { ListState } from "./list-state";
import { useLoad } from "./use-load";
import { useWrite } from "./use-write";

interface FormProps {
  idPrefix: string;
  initial: HookDraft;
  /** Whether a secret is stored (an edit): an empty secret then keeps it. */
  editing: boolean;
  submitLabel: string;
  canWrite: boolean;
  submit: (draft: HookDraft) => Promise<void>;
  cancel?: () => void;
}

function HookForm({ idPrefix, initial, editing, submitLabel, canWrite, submit, cancel }: FormProps) {
  const [draft, setDraft] = useState(initial);
  const { busy, failure: refusal, run } = useWrite();
  // Causes named by their full path (`channel.config.uri`), each beside its own field.
  const failure = refusal?.summaries.length
    ? new ApiFailure(
        refusal.status,
        refusal.errorCode,
        refusal.errorSummary,
        hookFormCauses(refusal.summaries),
      )
    : refusal;
  const set = (key: keyof HookDraft, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  // A form opened on demand (a new hook) takes the focus: keyboard users start typing in it.
  useEffect(() => {
    if (cancel) document.getElementById(`${idPrefix}-name`)?.focus();
  }, []);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate>
      <FormError failure={failure} fields={HOOK_FIELDS} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">{submitLabel}</legend>
        <Field id={`${idPrefix}-name`} label="Name" field="name" failure={failure}>
          {(p) => <input {...p} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />}
        </Field>
        <Field id={`${idPrefix}-type`} label="Type" field="type" failure={failure}>
          {(p) => (
            <select {...p} value={TOKEN_HOOK_TYPE}>
              <option value={TOKEN_HOOK_TYPE}>Token inline hook ({TOKEN_HOOK_TYPE})</option>
            </select>
          )}
        </Field>
        <Field
          id={`${idPrefix}-uri`}
          label="Channel URL"
          field="uri"
          failure={failure}
          hint="Warden POSTs Okta's token inline hook request here: https, or http to localhost in local development."
        >
          {(p) => (
            <input {...p} type="url" value={draft.uri} onInput={(e) => set("uri", e.currentTarget.value)} />
          )}
        </Field>
        <Field
          id={`${idPrefix}-auth-key`}
          label="Authentication header name"
          field="authKey"
          failure={failure}
          hint="The header that carries the secret; empty: no authentication header."
        >
          {(p) => (
            <input
              {...p}
              autoComplete="off"
              value={draft.authKey}
              onInput={(e) => set("authKey", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id={`${idPrefix}-auth-value`}
          label="Authentication secret"
          field="authValue"
          failure={failure}
          hint={
            editing
              ? "Write-only: the stored secret is never shown. Leave empty to keep it (same header name)."
              : "Write-only: stored sealed, never shown again."
          }
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={draft.authValue}
              onInput={(e) => set("authValue", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id={`${idPrefix}-headers`}
          label="Custom headers"
          field="headers"
          failure={failure}
          hint="Sent on every call, one a line: Name: value. Not secret: shown here and in the API."
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={draft.headers}
              onInput={(e) => set("headers", e.currentTarget.value)}
            />
          )}
        </Field>
        <FormActions submitLabel={submitLabel} cancel={cancel} />
      </fieldset>
    </form>
  );
}

export function HooksList({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const { value: hooks, failure } = useLoad(
    () => api<InlineHook[]>(session, "GET", "/inlineHooks"),
    [session],
  );
  const [creating, setCreating] = useState(false);

  // Lands on the new hook's own screen, as the server answered it.
  const create = async (draft: HookDraft) => {
    const created = await api<InlineHook>(session, "POST", "/inlineHooks", hookBody(draft));
    location.hash = hashOf({ screen: "hook", id: created.id });
  };

  return (
    <section aria-labelledby="page-title">
      <div class="title-row">
        <h1 id="page-title" tabIndex={-1}>
          Inline hooks
        </h1>
        {creating ? null : (
          <button type="button" class="primary" disabled={!canWrite} onClick={() => setCreating(true)}>
            New inline hook
          </button>
        )}
      </div>
      {creating && canWrite ? (
        <section class="panel new-object" aria-labelledby="new-hook-title">
          <h2 id="new-hook-title">New inline hook</h2>
          <HookForm
            idPrefix="new-hook"
            initial={EMPTY_HOOK}
            editing={false}
            submitLabel="Create inline hook"
            canWrite={canWrite}
            submit={create}
            cancel={() => setCreating(false)}
          />
        </section>
      ) : null}
      <ListState items={hooks} failure={failure} empty="No inline hooks yet." />
      {hooks?.length ? (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Channel URL</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <tr key={h.id}>
                <td data-label="Name" class="break">
                  <a href={hashOf({ screen: "hook", id: h.id })}>{h.name}</a>
                </td>
                <td data-label="Type" class="break">
                  {h.type}
                </td>
                <td data-label="Channel URL" class="break">
                  {h.channel.config.uri}
                </td>
                <td data-label="Status">
                  <span class={`status ${h.status.toLowerCase()}`}>{h.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function HookDetail({ session, id, canWrite }: { session: Session; id: string; canWrite: boolean }) {
  const path = `/inlineHooks/${encodeURIComponent(id)}`;
  const {
    value: hook,
    failure,
    reload,
  } = useLoad(() => api<InlineHook>(session, "GET", path), [session, path]);
  const [status, setStatus] = useState("");
  const [writeFailure, setWriteFailure] = useState<ApiFailure | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (draft: HookDraft) => {
    setStatus("");
    await api<InlineHook>(session, "PUT", path, hookBody(draft));
    setStatus(`Inline hook ${draft.name.trim()} saved.`);
    await reload();
  };

  async function write(action: () => Promise<void>) {
    setBusy(true);
    setStatus("");
    try {
      await action();
      setWriteFailure(undefined);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setWriteFailure(error);
      setConfirming(false);
      await reload();
    } finally {
      setBusy(false);
    }
  }

  const lifecycle = (action: "activate" | "deactivate") =>
    write(async () => {
      const answer = await api<InlineHook>(session, "POST", `${path}/lifecycle/${action}`);
      setStatus(`Inline hook ${answer.name} is ${answer.status}.`);
      await reload();
    });

  const remove = () =>
    write(async () => {
      await api(session, "DELETE", path);
      location.hash = hashOf({ screen: "hooks" });
    });

  const active = hook?.status === "ACTIVE";
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs">
        <a href={hashOf({ screen: "hooks" })}>Inline hooks</a>
      </p>
      <h1 id="page-title" tabIndex={-1} class="break">
        {hook?.name ?? id}
      </h1>
      <FormError failure={failure} fields={[]} />
      {hook === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {hook ? (
        <div class="columns">
          <section class="panel" aria-labelledby="hook-status-title">
            <h2 id="hook-status-title">Status</h2>
            <p class="saved break" role="status">
              {status}
            </p>
            <FormError failure={writeFailure} fields={[]} />
            <div class="status-row">
              <span>
                Status: <span class={`status ${hook.status.toLowerCase()}`}>{hook.status}</span>
              </span>
              <button
                type="button"
                disabled={!canWrite || busy}
                onClick={() => void lifecycle(active ? "deactivate" : "activate")}
              >
                {active ? "Deactivate" : "Activate"}
              </button>
            </div>
            <p class="hint">An inactive hook is not called: rules that name it issue tokens without it.</p>
            <dl class="facts">
              <dt>Id</dt>
              <dd class="break">
                <code>{hook.id}</code>
              </dd>
              <dt>Type</dt>
              <dd class="break">{hook.type}</dd>
              <dt>Created</dt>
              <dd>{formatInstant(hook.created ? new Date(hook.created) : undefined)}</dd>
              <dt>Last updated</dt>
              <dd>{formatInstant(hook.lastUpdated ? new Date(hook.lastUpdated) : undefined)}</dd>
            </dl>
            <h3>Delete this hook</h3>
            {confirming ? (
              <Confirm
                confirmLabel={`Delete ${hook.name}`}
                disabled={!canWrite || busy}
                confirm={() => void remove()}
                keep={() => setConfirming(false)}
                returnFocusTo="delete-hook"
              >
                Delete the inline hook {hook.name}? This cannot be undone. The server refuses while an access
                policy rule still names it.
              </Confirm>
            ) : (
              <>
                <p class="hint" id="delete-hook-hint">
                  {active
                    ? "Only an inactive hook can be deleted (as in Okta): deactivate it first."
                    : "A hook that a rule still names cannot be deleted: remove it from the rule first."}
                </p>
                <button
                  type="button"
                  id="delete-hook"
                  disabled={!canWrite || busy || active}
                  aria-describedby="delete-hook-hint"
                  onClick={() => {
                    setWriteFailure(undefined);
                    setConfirming(true);
                  }}
                >
                  Delete inline hook
                </button>
              </>
            )}
          </section>
          <section class="panel" aria-labelledby="hook-settings-title">
            <h2 id="hook-settings-title">Settings</h2>
            {/* A new version from the server (lastUpdated) is a new form: its answer, the secret never put back. */}
            <HookForm
              key={hook.lastUpdated ?? hook.id}
              idPrefix="hook"
              initial={draftOf(hook)}
              editing={hook.channel.config.authScheme !== null}
              submitLabel="Save inline hook"
              canWrite={canWrite}
              submit={save}
            />
          </section>
        </div>
      ) : null}
    </section>
  );
}
