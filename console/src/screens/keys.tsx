/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";
import type { AuthorizationServer } from "../types";

export function Keys(_props: {
  session: Session;
  server: AuthorizationServer;
  canWrite: boolean;
  reload: () => void;
}) {
  return <h2>Keys</h2>;
}
