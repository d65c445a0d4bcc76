/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";

export function AppsList(_props: { session: Session; canWrite: boolean }) {
  return <h2>AppsList</h2>;
}

export function AppDetail(_props: { session: Session; id: string; canWrite: boolean }) {
  return <h2>AppDetail</h2>;
}
