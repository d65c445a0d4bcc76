/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";

export function HooksList(_props: { session: Session; canWrite: boolean }) {
  return <h2>HooksList</h2>;
}

export function HookDetail(_props: { session: Session; id: string; canWrite: boolean }) {
  return <h2>HookDetail</h2>;
}
