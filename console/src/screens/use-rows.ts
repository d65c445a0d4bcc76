import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";

/**
 * The writes of a list whose rows are created below it and edited, activated and deleted in place
 * (a server's scopes, claims, policies and rules): each write is followed by a reload, and a
 * role=status line says what the server last accepted (each attempt clears it first). Create and
 * update throw the server's refusal to their form (useWrite shows it beside the field); a row
 * action's refusal (delete, lifecycle) is kept for the list's FormError, the confirmation left open.
 */
export function useRows<Draft extends { name: string }, Row extends { id: string; name: string }>(options: {
  session: Session;
  /** The collection's path (`/authorizationServers/<id>/scopes`). */
  path: string;
  /** The status line's word for a row ("Scope", "Claim"). */
  noun: string;
  bodyOf: (draft: Draft) => unknown;
  reload: () => Promise<void>;
  /** What else follows a creation, with the server's answer (close the form, select the new row). */
  onCreated?: (answer: Row) => void;
}) {
  const { session, path, noun, bodyOf, reload, onCreated } = options;
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [writeFailure, setWriteFailure] = useState<ApiFailure | undefined>(undefined);
  // A new create form after each creation: the key `new-<created>` resets its fields.
  const [created, setCreated] = useState(0);
  const [status, setStatus] = useState("");
  const at = (row: Row) => `${path}/${encodeURIComponent(row.id)}`;

  const create = async (draft: Draft) => {
    setStatus("");
    const answer = await api<Row>(session, "POST", path, bodyOf(draft));
    setCreated((n) => n + 1);
    onCreated?.(answer);
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
  /** Opens a row's delete confirmation; an older row action's refusal no longer speaks. */
  const ask = (row: Row) => {
    setWriteFailure(undefined);
    setConfirming(row.id);
  };
  /** A row action (lifecycle, delete): `done` on the status line, or the refusal; read again either way. */
  const write = async (done: string, action: () => Promise<unknown>) => {
    setStatus("");
    try {
      await action();
      setWriteFailure(undefined);
      setConfirming(undefined);
      setStatus(done);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setWriteFailure(error);
    }
    await reload();
  };
  const remove = (row: Row) =>
    write(`${noun} ${row.name} deleted.`, async () => {
      await api(session, "DELETE", at(row));
      if (editing === row.id) setEditing(undefined);
    });

  return {
    editing,
    setEditing,
    confirming,
    setConfirming,
    writeFailure,
    created,
    status,
    at,
    create,
    update,
    ask,
    write,
    remove,
  };
}
