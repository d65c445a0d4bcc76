/** Small shared pieces: labelled fields with their server errors, a form's error summary. */
import type { ComponentChildren, JSX } from "preact";
import type { ApiFailure } from "./api";

/** Errors of a field, from the last refused write (ids tie them to the control for screen readers). */
function FieldErrors({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul class="field-errors" id={id}>
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

interface FieldProps {
  id: string;
  label: string;
  /** The API field the server's `errorCauses` name. */
  field: string;
  failure: ApiFailure | undefined;
  hint?: string;
  children: (props: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby": string | undefined;
  }) => JSX.Element;
}

export function Field({ id, label, field, failure, hint, children }: FieldProps) {
  const messages = failure?.forField(field) ?? [];
  const errorId = `${id}-errors`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : "", messages.length ? errorId : ""].filter(Boolean).join(" ");
  return (
    <div class={messages.length ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children({ id, "aria-invalid": messages.length > 0, "aria-describedby": describedBy || undefined })}
      <FieldErrors id={errorId} messages={messages} />
    </div>
  );
}

/**
 * The refused write's `errorSummary`, and the causes no field of the form shows (`fields` are the
 * ones it does). role=alert: announced when it appears.
 */
export function FormError({
  failure,
  fields,
}: {
  failure: ApiFailure | undefined;
  fields: readonly string[];
}) {
  if (!failure) return null;
  const rest = failure.causes.filter((c) => c.field === undefined || !fields.includes(c.field));
  return (
    <div class="form-error" role="alert">
      <p>
        <strong>{failure.errorSummary}</strong> <span class="code">({failure.errorCode})</span>
      </p>
      {rest.length ? (
        <ul>
          {rest.map((c) => (
            <li key={`${c.field}:${c.message}`}>{c.field ? `${c.field}: ${c.message}` : c.message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <p class="notice">{children}</p>;
}

/** The read-only banner: why every write control is disabled. */
export function ReadOnlyBanner({ canWrite }: { canWrite: boolean }) {
  if (canWrite) return null;
  return (
    <p class="read-only" role="note">
      Read-only: your admin role lets you view this configuration, not change it.
    </p>
  );
}
