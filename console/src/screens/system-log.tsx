/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";

export function SystemLog(_props: { session: Session }) {
  return <h2>SystemLog</h2>;
}
