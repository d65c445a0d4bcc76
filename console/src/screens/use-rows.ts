import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";

/**
 * The writes of a list whose rows are created below it and edited and deleted in place (a server's
 * scopes and claims): each write is followed by a reload, and a role=status line says what the
 * server last accepted (each attempt clears it first). Create and update throw the server's refusal
 * to their form (useWrite shows it beside the field); a delete's refusal is kept for the list's
 * FormError, and the confirmation stays open.
 */
export function useRows<Draft extends { name: string }, Row extends { id: string; name: string }>(options: {
  session: Session;
  /** The collection's path (`/authorizationServers/<id>/scopes`). */
  path: string;
  /** The status line's word for a row ("Scope", "Claim"). */
  noun: string;
  bodyOf: (draft: Draft) => unknown;
  reload: () => Promise<void>;
}) {
  const { session, path, noun, bodyOf, reload } = options;
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [deleteFailure, setDeleteFailure] = useState<ApiFailure | undefined>(undefined);
  // A new create form after each creation: the key `new-<created>` resets its fields.
  const [created, setCreated] = useState(0);
  const [status, setStatus] = useState("");
  const at = (row: Row) => `${path}/${encodeURIComponent(row.id)}`;

  const create = async (draft: Draft) => {
    setStatus("");
    await api(session, "POST", path, bodyOf(draft));
    setCreated((n) => n + 1);
    setStatus(`${noun} ${draft.name} created.`);
    await reload();
  };
  const update = (row: Row) => async (draft: Draft) => {
    setStatus("");
    await api(session, "PUT", at(row), bodyOf(draft));
    setEditing(undefined);
    setStatus(`${noun} ${draft.name} saved.`);
    await reload();
  };
  /** Opens a row's delete confirmation; an older delete's refusal no longer speaks. */
  const ask = (row: Row) => {
    setDeleteFailure(undefined);
    setConfirming(row.id);
  };
  const remove = async (row: Row) => {
    setStatus("");
    try {
      await api(session, "DELETE", at(row));
      setDeleteFailure(undefined);
      setConfirming(undefined);
      if (editing === row.id) setEditing(undefined);
      setStatus(`${noun} ${row.name} deleted.`);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setDeleteFailure(error);
    }
    await reload();
  };

  return {
    editing,
    setEditing,
    confirming,
    setConfirming,
    deleteFailure,
    created,
    status,
    create,
    update,
    ask,
    remove,
  };
}
