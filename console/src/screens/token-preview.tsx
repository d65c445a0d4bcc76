/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";
import type { AuthorizationServer } from "../types";

export function TokenPreview(_props: { session: Session; server: AuthorizationServer }) {
  return <h2>TokenPreview</h2>;
}
