import { useEffect, useRef } from "preact/hooks";

/**
 * The safe answer of a confirmation ("Keep", "Cancel"), focused when the confirmation appears: a
 * keyboard user lands inside it (the button that asked is gone), and Enter keeps rather than deletes.
 */
export function KeepButton({ label, onClick }: { label: string; onClick: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <button type="button" ref={ref} onClick={onClick}>
      {label}
    </button>
  );
}
