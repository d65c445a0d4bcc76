/**
 * A group's name and description, for a new group and for an edit (Okta's PUT replaces the
 * profile). A refusal keeps the form as typed, each cause beside its field.
 */

import { useState } from "preact/hooks";
import { ApiFailure } from "../api";
import { Field, FormError } from "../ui";
import { FormActions } from "./form-actions";
import { useWrite } from "./use-write";

export interface GroupDraft {
  name: string;
  description: string;
}

const FIELDS = ["name", "description"];

/**
 * The Groups API names a refused profile attribute `profile.name` (zod's path), and a taken name
 * `name`; console/src/parse.ts keeps a cause's first segment only, so `profile` causes are shown at
 * the name, the one attribute of the form the server can refuse beyond its length limits.
 */
function atFields(failure: ApiFailure | undefined): ApiFailure | undefined {
  if (!failure) return undefined;
  const causes = failure.causes.map((c) => (c.field === "profile" ? { ...c, field: "name" } : c));
  return new ApiFailure(failure.status, failure.errorCode, failure.errorSummary, causes);
}

interface Props {
  idPrefix: string;
  initial: GroupDraft;
  submitLabel: string;
  canWrite: boolean;
  /** Throws the server's refusal (ApiFailure). */
  submit: (draft: GroupDraft) => Promise<void>;
}

export function GroupForm({ idPrefix, initial, submitLabel, canWrite, submit }: Props) {
  const [draft, setDraft] = useState(initial);
  const { busy, failure, run } = useWrite();
  const shown = atFields(failure);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate>
      <FormError failure={shown} fields={FIELDS} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">{submitLabel}</legend>
        <Field id={`${idPrefix}-name`} label="Group name" field="name" failure={shown}>
          {(p) => (
            <input
              {...p}
              value={draft.name}
              onInput={(e) => setDraft((d) => ({ ...d, name: e.currentTarget.value }))}
            />
          )}
        </Field>
        <Field id={`${idPrefix}-description`} label="Group description" field="description" failure={shown}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={draft.description}
              onInput={(e) => setDraft((d) => ({ ...d, description: e.currentTarget.value }))}
            />
          )}
        </Field>
        <FormActions submitLabel={submitLabel} />
      </fieldset>
    </form>
  );
}
