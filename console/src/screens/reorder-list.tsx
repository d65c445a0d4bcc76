/**
 * An ordered list of access policies or rules that an admin reorders by dragging a row's handle
 * (pointer events: mouse, pen, touch; Escape cancels a drag) or from the keyboard: the focused handle takes Arrow Up /
 * Arrow Down / Home / End, and each row has "Move … up" / "Move … down" buttons for whoever does
 * not find the handle. A move is one write of the moved item's `priority` (console/src/reorder.ts);
 * the list is redrawn from the server's answer only — read again after every move, accepted or not,
 * so a refusal shows the server's order — and a live region says where the item now is.
 * A read-only admin gets the list without any of it.
 */
import type { JSX, TargetedKeyboardEvent, TargetedPointerEvent } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure } from "../api";
import { dropIndex, inPriorityOrder, isMoveKey, keyTarget, movedMessage, priorityForMove } from "../reorder";
import { FormError } from "../ui";

interface Item {
  id: string;
  name: string;
  priority: number;
}

type Control = "handle" | "up" | "down";

interface Props<T extends Item> {
  kind: "Policy" | "Rule";
  /** Prefix of the element ids (unique on the page). */
  idPrefix: string;
  /** The list's accessible name. */
  label: string;
  items: readonly T[];
  canWrite: boolean;
  /** Writes `priority` for `item`; answers the priority the server stored. */
  move: (item: T, priority: number) => Promise<number>;
  /** Reads the list again. */
  reload: () => Promise<void>;
  row: (item: T) => JSX.Element;
  rowClass?: (item: T) => string;
}

export function ReorderList<T extends Item>(props: Props<T>) {
  const { kind, idPrefix, label, items, canWrite, move, reload, row, rowClass } = props;
  const ordered = inPriorityOrder(items);
  const noun = kind.toLowerCase();
  const listRef = useRef<HTMLOListElement>(null);
  const dragRef = useRef<{ id: string; from: number } | undefined>(undefined);
  const [dropAt, setDropAt] = useState<{ from: number; to: number } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const [message, setMessage] = useState("");
  const [focusAfter, setFocusAfter] = useState<{ id: string; control: Control } | undefined>(undefined);
  const hintId = `${idPrefix}-reorder-hint`;
  const controlId = (id: string, control: Control) => `${idPrefix}-${id}-${control}`;

  // After a move the row is redrawn where the server put it: focus goes back to the control used
  // (its handle when that button no longer applies, e.g. "up" at the top).
  useEffect(() => {
    if (!focusAfter || busy) return;
    const wanted = document.getElementById(
      controlId(focusAfter.id, focusAfter.control),
    ) as HTMLButtonElement | null;
    const target =
      wanted && !wanted.disabled ? wanted : document.getElementById(controlId(focusAfter.id, "handle"));
    target?.focus();
    setFocusAfter(undefined);
  }, [focusAfter, busy]);

  async function moveTo(item: T, from: number, to: number, control: Control) {
    const priority = priorityForMove(ordered.length, from, to);
    if (priority === undefined || busy) return;
    setBusy(true);
    setMessage("");
    try {
      const stored = await move(item, priority);
      setFailure(undefined);
      setMessage(movedMessage(kind, item.name, stored, ordered.length));
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setFailure(error);
    } finally {
      await reload();
      setBusy(false);
      setFocusAfter({ id: item.id, control });
    }
  }

  const middles = (): number[] =>
    Array.from(listRef.current?.children ?? []).map((li) => {
      const box = li.getBoundingClientRect();
      return box.top + box.height / 2;
    });

  const handleEvents = (item: T, index: number) => ({
    onPointerDown: (e: TargetedPointerEvent<HTMLButtonElement>) => {
      if (busy || e.button !== 0) return;
      e.currentTarget.setPointerCapture(e.pointerId);
      dragRef.current = { id: item.id, from: index };
      setDropAt({ from: index, to: index });
    },
    onPointerMove: (e: TargetedPointerEvent<HTMLButtonElement>) => {
      const drag = dragRef.current;
      if (drag?.id !== item.id) return;
      setDropAt({ from: drag.from, to: dropIndex(middles(), drag.from, e.clientY) });
    },
    onPointerUp: (e: TargetedPointerEvent<HTMLButtonElement>) => {
      const drag = dragRef.current;
      if (drag?.id !== item.id) return;
      dragRef.current = undefined;
      setDropAt(undefined);
      void moveTo(item, drag.from, dropIndex(middles(), drag.from, e.clientY), "handle");
    },
    onPointerCancel: () => {
      dragRef.current = undefined;
      setDropAt(undefined);
    },
    onKeyDown: (e: TargetedKeyboardEvent<HTMLButtonElement>) => {
      // Escape drops a drag where it started: letting go then writes nothing.
      if (e.key === "Escape" && dragRef.current) {
        e.preventDefault();
        dragRef.current = undefined;
        setDropAt(undefined);
        return;
      }
      if (!isMoveKey(e.key)) return;
      e.preventDefault();
      const to = keyTarget(e.key, index, ordered.length);
      if (to !== undefined) void moveTo(item, index, to, "handle");
    },
  });

  const classOf = (item: T, index: number): string => {
    const classes = ["reorder-row"];
    if (rowClass) classes.push(rowClass(item));
    if (dropAt && dropAt.from === index) classes.push("dragging");
    if (dropAt && dropAt.to !== dropAt.from && dropAt.to === index) {
      classes.push(dropAt.to < dropAt.from ? "drop-before" : "drop-after");
    }
    return classes.join(" ");
  };

  return (
    <div class="reorder">
      <p class="saved" role="status">
        {message}
      </p>
      <FormError failure={failure} fields={[]} />
      {canWrite ? (
        <p class="visually-hidden" id={hintId}>
          Drag to change the order, or press Arrow Up, Arrow Down, Home or End.
        </p>
      ) : null}
      <ol class="reorder-list" ref={listRef} aria-label={label} aria-busy={busy}>
        {ordered.map((item, index) => (
          <li key={item.id} class={classOf(item, index)}>
            <div class="reorder-controls">
              <span class="position">{index + 1}</span>
              {canWrite ? (
                <>
                  <button
                    type="button"
                    class="handle"
                    id={controlId(item.id, "handle")}
                    disabled={busy}
                    aria-label={`Reorder ${noun} ${item.name}`}
                    aria-describedby={hintId}
                    {...handleEvents(item, index)}
                  >
                    <span aria-hidden="true">⠿</span>
                  </button>
                  <button
                    type="button"
                    class="move"
                    id={controlId(item.id, "up")}
                    disabled={busy || index === 0}
                    aria-label={`Move ${noun} ${item.name} up`}
                    onClick={() => void moveTo(item, index, index - 1, "up")}
                  >
                    <span aria-hidden="true">↑</span>
                  </button>
                  <button
                    type="button"
                    class="move"
                    id={controlId(item.id, "down")}
                    disabled={busy || index === ordered.length - 1}
                    aria-label={`Move ${noun} ${item.name} down`}
                    onClick={() => void moveTo(item, index, index + 1, "down")}
                  >
                    <span aria-hidden="true">↓</span>
                  </button>
                </>
              ) : null}
            </div>
            <div class="reorder-body">{row(item)}</div>
          </li>
        ))}
      </ol>
    </div>
  );
}
