/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";

export function GroupsList(_props: { session: Session; canWrite: boolean }) {
  return <h2>GroupsList</h2>;
}

export function GroupDetail(_props: { session: Session; id: string; canWrite: boolean }) {
  return <h2>GroupDetail</h2>;
}
