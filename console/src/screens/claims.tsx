/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";
import type { AuthorizationServer } from "../types";

export function Claims(_props: { session: Session; server: AuthorizationServer; canWrite: boolean }) {
  return <h2>Claims</h2>;
}
