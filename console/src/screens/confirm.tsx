/**
 * A destructive action's confirmation, in place of the button that asked for it: a group named by
 * its question (what breaks), the action, and "Keep it". It takes the focus on "Keep it" (the safe
 * choice, so Enter never destroys by accident) and gives it back to the asking button when kept.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  /** The question, saying what breaks: the group's accessible name. */
  children: ComponentChildren;
  confirmLabel: string;
  disabled: boolean;
  confirm: () => void;
  keep: () => void;
  /** The id of the button that opened it, focused again when the admin keeps the object. */
  returnFocusTo: string;
}

export function Confirm({ children, confirmLabel, disabled, confirm, keep, returnFocusTo }: Props) {
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => keepButton.current?.focus(), []);
  return (
    <fieldset class="confirm">
      <legend>{children}</legend>
      <button type="button" class="danger" disabled={disabled} onClick={confirm}>
        {confirmLabel}
      </button>
      <button
        type="button"
        ref={keepButton}
        onClick={() => {
          keep();
          requestAnimationFrame(() => document.getElementById(returnFocusTo)?.focus());
        }}
      >
        Keep it
      </button>
    </fieldset>
  );
}
