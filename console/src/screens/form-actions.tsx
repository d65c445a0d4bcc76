/**
 * A form's closing row: its submit button, and Cancel when the form was opened on demand (an edit in
 * place, a new object's form): the same two controls, names and order on every screen.
 */
export function FormActions({ submitLabel, cancel }: { submitLabel: string; cancel?: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary">
        {submitLabel}
      </button>
      {cancel ? (
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      ) : null}
    </div>
  );
}
