import type { ApiFailure } from "../api";
import { FormError, Notice } from "../ui";

/**
 * What a loaded list shows above its rows: the server's refusal (of the load, or else of a write on
 * the list), "Loading…" until the first answer, and the list's own words when it is empty.
 */
export function ListState({
  items,
  failure,
  writeFailure,
  empty,
}: {
  items: readonly unknown[] | undefined;
  /** The load's refusal: no "Loading…" once the server has said no. */
  failure: ApiFailure | undefined;
  writeFailure?: ApiFailure | undefined;
  empty: string;
}) {
  return (
    <>
      <FormError failure={failure ?? writeFailure} fields={[]} />
      {items === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {items?.length === 0 ? <Notice>{empty}</Notice> : null}
    </>
  );
}
