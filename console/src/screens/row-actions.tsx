/**
 * A row's Edit, Activate / Deactivate (for what has a lifecycle) and Delete, each named for the row
 * ("Edit scope reports:read"), so a screen reader's list of buttons says which row each one acts on.
 * Delete carries the id `delete-<noun>-<id>` its confirmation gives the focus back to (Confirm).
 */
export function RowActions({
  noun,
  row,
  disabled,
  edit,
  lifecycle,
  ask,
}: {
  /** The row's kind as the names say it: "scope", "claim", "policy", "rule". */
  noun: string;
  row: { id: string; name: string; status?: string };
  disabled: boolean;
  edit: () => void;
  /** Activates or deactivates the row, by its status; no such button without it. */
  lifecycle?: () => void;
  /** Opens the delete confirmation. */
  ask: () => void;
}) {
  const verb = row.status === "ACTIVE" ? "Deactivate" : "Activate";
  return (
    <div class="actions">
      <button type="button" disabled={disabled} aria-label={`Edit ${noun} ${row.name}`} onClick={edit}>
        Edit
      </button>
      {lifecycle ? (
        <button
          type="button"
          disabled={disabled}
          aria-label={`${verb} ${noun} ${row.name}`}
          onClick={lifecycle}
        >
          {verb}
        </button>
      ) : null}
      <button
        type="button"
        disabled={disabled}
        id={`delete-${noun}-${row.id}`}
        aria-label={`Delete ${noun} ${row.name}`}
        onClick={ask}
      >
        Delete
      </button>
    </div>
  );
}
