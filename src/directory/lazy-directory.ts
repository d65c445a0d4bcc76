/**
 * The `Directory` port (directory.ts) whose D1 adapter loads on first use (issue 13 item 5). The
 * adapter and what it pulls in (users, profiles, the user query language, assignments, password
 * hashing, lockout: about 50 KB built) serve user grants, sign-in and Token Preview only; the
 * client_credentials path never calls the directory (DESIGN §1), so a new isolate that only mints
 * client_credentials tokens never parses them. The first user grant on an isolate imports the
 * adapter once; the port's shape and answers are d1-directory.ts's own.
 */
import { importOnce } from "../http/lazy-handler";
import type { Directory } from "./directory";

/** One import per isolate; a failed import is not kept, so the next call tries again. */
const loadAdapter = importOnce(() => import("./d1-directory"));

export function lazyD1Directory(db: D1Database): Directory {
  let adapter: Directory | undefined;
  const directory = async (): Promise<Directory> => {
    adapter ??= (await loadAdapter()).d1Directory(db);
    return adapter;
  };
  return {
    checkPassword: async (login, password, nowMs) =>
      (await directory()).checkPassword(login, password, nowMs),
    subject: async (userId, clientId) => (await directory()).subject(userId, clientId),
  };
}
