import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, apiPage } from "../api";
import type { Session } from "../auth";

/**
 * A paged list as the server holds it: the first page of `firstPath`, and each further page the
 * admin asks for (`more`, following `Link: rel="next"`) appended. `reload` starts again from the
 * first page (after every write: nothing is shown that the server has not answered). An answer to
 * an older request (the search changed meanwhile) is dropped.
 */
export function usePages<T>(session: Session, firstPath: string) {
  const [items, setItems] = useState<T[] | undefined>(undefined);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);

  const load = useCallback(
    async (path: string, append: boolean) => {
      const request = ++latest.current;
      setBusy(true);
      try {
        const page = await apiPage<T>(session, path);
        if (request !== latest.current) return;
        setItems((shown) => (append && shown ? [...shown, ...page.items] : page.items));
        setNext(page.next);
        setFailure(undefined);
      } catch (error) {
        if (!(error instanceof ApiFailure)) throw error;
        if (request !== latest.current) return;
        setFailure(error);
        if (!append) {
          setItems(undefined);
          setNext(undefined);
        }
      } finally {
        if (request === latest.current) setBusy(false);
      }
    },
    [session],
  );

  const reload = useCallback(() => load(firstPath, false), [load, firstPath]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const more = useCallback(async () => {
    if (next) await load(next, true);
  }, [load, next]);

  return { items, next, failure, busy, reload, more };
}
