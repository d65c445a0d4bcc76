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
  let handler: Promise<(c: C) => R | Promise<R>> | undefined;
  return async (c) => {
    handler ??= load().catch((error: unknown) => {
      handler = undefined;
      throw error;
    });
    return (await handler)(c);
  };
}
