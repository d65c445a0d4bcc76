import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiFailure } from "../api";

/**
 * What the server said last: the value, or why not. `reload` asks again (after every write); `set`
 * takes a write's own answer (a PUT returns the object as stored) in place of asking again.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const reload = useCallback(async () => {
    try {
      setValue(await load());
      setFailure(undefined);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setFailure(error);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, failure, reload, set: setValue };
}
