/** Placeholder until this screen's engineer lands it (issue 14). */
import type { Session } from "../auth";

export function UsersList(_props: { session: Session; canWrite: boolean }) {
  return <h2>UsersList</h2>;
}

export function UserDetail(_props: { session: Session; id: string; canWrite: boolean }) {
  return <h2>UserDetail</h2>;
}
