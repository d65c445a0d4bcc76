/**
 * The apps a user or a group is assigned to, read-only (assignments are made on the app's screen):
 * Okta's `GET /api/v1/apps?filter=user.id eq "…"` / `group.id eq "…"`, paged with `Link`. Needs
 * okta.apps.read (or .manage); without it the console does not ask.
 */
import type { Session } from "../auth";
import { hashOf } from "../parse";
import { PAGE_SIZE, scimString } from "../people";
import { FormError, Notice } from "../ui";
import { usePages } from "./use-pages";

interface AssignedApp {
  id: string;
  label: string;
  status: string;
}

export function AssignedApps({
  session,
  to,
}: {
  session: Session;
  to: { kind: "user" | "group"; id: string };
}) {
  const readable = session.scopes.has("okta.apps.read") || session.scopes.has("okta.apps.manage");
  const filter = `${to.kind}.id eq ${scimString(to.id)}`;
  const path = `/apps?${new URLSearchParams({ filter, limit: String(PAGE_SIZE) })}`;
  return (
    <section aria-labelledby={`${to.kind}-apps-title`} class="panel">
      <h2 id={`${to.kind}-apps-title`}>Applications</h2>
      {readable ? (
        <AppsPages session={session} path={path} kind={to.kind} />
      ) : (
        <Notice>Applications are not shown: they need okta.apps.read.</Notice>
      )}
    </section>
  );
}

function AppsPages({ session, path, kind }: { session: Session; path: string; kind: "user" | "group" }) {
  const { items: apps, next, failure, busy, more } = usePages<AssignedApp>(session, path);
  return (
    <>
      <FormError failure={failure} fields={[]} />
      {apps === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {apps?.length === 0 ? (
        <Notice>
          {kind === "user" ? "Assigned to no application." : "No application is assigned to this group."}
        </Notice>
      ) : null}
      {apps?.length ? (
        <ul class="rows" aria-label="Assigned applications">
          {apps.map((app) => (
            <li key={app.id}>
              <a href={hashOf({ screen: "app", id: app.id })} class="break">
                {app.label}
              </a>
              <span class={`status ${app.status.toLowerCase()}`}>{app.status}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {next ? (
        <button type="button" class="more" disabled={busy} onClick={() => void more()}>
          More applications
        </button>
      ) : null}
    </>
  );
}
