/**
 * A request handler whose module is imported on its first request, not at start-up (DESIGN §10,
 * issue 13 item 5). The Worker's build (scripts/build.mjs) makes each dynamic `import()` a module of
 * its own, which workerd parses and evaluates only then: a new isolate that serves tokens never pays
 * for the hosted pages.
 *
 * The import is shared by the requests that arrive while it loads (module loading is the isolate's,
 * not a request's I/O); a failed one is not kept, so the next request tries again.
 */
export function lazyHandler<C, R>(load: () => Promise<(c: C) => R | Promise<R>>): (c: C) => Promise<R> {
  const handler = importOnce(load);
  return async (c) => (await handler())(c);
}

/**
 * `load` run once per isolate and its answer shared, by the callers that arrive while it runs too;
 * a failed load is not kept, so the next caller tries again. For modules imported on first use.
 */
export function importOnce<M>(load: () => Promise<M>): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
