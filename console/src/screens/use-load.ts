import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure } from "../api";

/**
 * What the server said last: the value, or why not. `reload` asks again (after every write); `set`
 * takes a write's own answer (a PUT returns the object as stored) in place of asking again.
 * Only the latest request's answer is taken: an earlier one that arrives after it (a list asked for
 * before a search, a read before the write's reload) would show what the server no longer holds.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const request = ++latest.current;
    try {
      const answer = await load();
      if (request !== latest.current) return;
      setValue(answer);
      setFailure(undefined);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      if (request === latest.current) setFailure(error);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, failure, reload, set: setValue };
}
