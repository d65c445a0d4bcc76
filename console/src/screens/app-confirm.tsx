/**
 * A destructive action's confirmation, in place of the button that asked for it. The safe answer
 * takes the focus when it appears: the button pressed is gone, and a keyboard user should land on
 * the question, not at the top of the page, with Enter meaning "keep".
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  /** The question, naming what goes and what follows from it. */
  children: ComponentChildren;
  confirmLabel: string;
  keepLabel?: string;
  disabled: boolean;
  onConfirm: () => void;
  onKeep: () => void;
}

export function Confirm({
  children,
  confirmLabel,
  keepLabel = "Keep it",
  disabled,
  onConfirm,
  onKeep,
}: Props) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  return (
    <fieldset class="confirm">
      <legend>{children}</legend>
      <button type="button" class="danger" disabled={disabled} onClick={onConfirm}>
        {confirmLabel}
      </button>
      <button type="button" ref={keep} onClick={onKeep}>
        {keepLabel}
      </button>
    </fieldset>
  );
}
