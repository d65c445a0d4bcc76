/**
 * A destructive action's confirmation, in place of the button that asked for it: a group named by
 * its question (what breaks), the action, and the safe answer ("Keep it"). The safe answer takes the
 * focus (the button pressed is gone, and a keyboard user should land on the question, with Enter
 * meaning "keep"); when kept, the focus goes back to the asking button if its id is given.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  /** The question, saying what breaks: the group's accessible name. */
  children: ComponentChildren;
  confirmLabel: string;
  /** The safe answer's words ("Keep it" unless the screen says otherwise, e.g. "Keep them", "Cancel"). */
  keepLabel?: string;
  disabled: boolean;
  confirm: () => void;
  keep: () => void;
  /** The id of the button that opened it, focused again when the admin keeps the object. */
  returnFocusTo?: string;
  /** An id for the safe answer (a screen's own focus handling may name it). */
  keepId?: string;
}

export function Confirm({
  children,
  confirmLabel,
  keepLabel = "Keep it",
  disabled,
  confirm,
  keep,
  returnFocusTo,
  keepId,
}: Props) {
  return (
    <fieldset class="confirm">
      <legend>{children}</legend>
      <button type="button" class="danger" disabled={disabled} onClick={confirm}>
        {confirmLabel}
      </button>
      <KeepButton
        id={keepId}
        label={keepLabel}
        onClick={() => {
          keep();
          if (returnFocusTo) requestAnimationFrame(() => document.getElementById(returnFocusTo)?.focus());
        }}
      />
    </fieldset>
  );
}

/**
 * The safe answer of a confirmation, focused when it appears; on its own for a row's compact
 * confirmation (`<span class="confirm">`), where the row itself says what the action touches.
 */
export function KeepButton({ label, onClick, id }: { label: string; onClick: () => void; id?: string }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <button type="button" id={id} ref={ref} onClick={onClick}>
      {label}
    </button>
  );
}
