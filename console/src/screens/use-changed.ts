import { useEffect, useRef } from "preact/hooks";

/**
 * Runs `changed` when `value` changes after the first render, never on it: a form resets to a new
 * answer from the server, but what the admin types right after the form appears (effects run after
 * paint) is not overwritten by the values it was created with.
 */
export function useChanged<T>(value: T, changed: (value: T) => void): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    changed(value);
  }, [value]);
}
