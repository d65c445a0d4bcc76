/**
 * The access-policy form (create and edit): name, description, and the clients it covers — all
 * clients (Okta's ALL_CLIENTS) or the apps chosen. Submitting sends Okta's body; a refusal keeps the
 * form as typed with each cause beside its field.
 */

import { useState } from "preact/hooks";
import type { PolicyDraft } from "../policy-model";
import { Field, FormError } from "../ui";
import { FormActions } from "./form-actions";
import { Picker } from "./picker";
import type { Finders } from "./policy-api";
import { nested } from "./policy-api";
import { useWrite } from "./use-write";

const FIELDS = ["name", "description", "conditions.clients.include"];

interface Props {
  idPrefix: string;
  /** The form's accessible name, e.g. "Add policy". */
  title: string;
  initial: PolicyDraft;
  submitLabel: string;
  canWrite: boolean;
  finders: Finders;
  submit: (draft: PolicyDraft) => Promise<void>;
  cancel: () => void;
}

export function PolicyForm({
  idPrefix,
  title,
  initial,
  submitLabel,
  canWrite,
  finders,
  submit,
  cancel,
}: Props) {
  const [draft, setDraft] = useState(initial);
  const { busy, failure: refusal, run } = useWrite();
  const failure = refusal && nested(refusal);
  const set = <K extends keyof PolicyDraft>(key: K, value: PolicyDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  const clientErrors = failure?.forField("conditions.clients.include") ?? [];
  return (
    <form class="policy-form" aria-label={title} noValidate onSubmit={(e) => void onSubmit(e)}>
      <FormError failure={failure} fields={FIELDS} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">{title}</legend>
        <Field id={`${idPrefix}-name`} label="Policy name" field="name" failure={failure}>
          {(p) => <input {...p} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />}
        </Field>
        <Field
          id={`${idPrefix}-description`}
          label="Policy description"
          field="description"
          failure={failure}
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={draft.description}
              onInput={(e) => set("description", e.currentTarget.value)}
            />
          )}
        </Field>
        <fieldset class="choice">
          <legend>Assigned to clients</legend>
          <label>
            <input
              type="radio"
              name={`${idPrefix}-clients`}
              checked={draft.allClients}
              onChange={() => set("allClients", true)}
            />
            All clients
          </label>
          <label>
            <input
              type="radio"
              name={`${idPrefix}-clients`}
              checked={!draft.allClients}
              onChange={() => set("allClients", false)}
            />
            These clients
          </label>
        </fieldset>
        {draft.allClients ? (
          clientErrors.length ? (
            <ul class="field-errors">
              {clientErrors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          ) : null
        ) : (
          <Picker
            id={`${idPrefix}-clients`}
            kind="app"
            legend="Clients"
            noun="applications"
            searchLabel="Search applications"
            finder={finders.apps}
            selected={draft.clients}
            onChange={(ids) => set("clients", ids)}
            disabled={!canWrite || busy}
            errors={clientErrors}
          />
        )}
        <FormActions submitLabel={submitLabel} cancel={cancel} />
      </fieldset>
    </form>
  );
}
