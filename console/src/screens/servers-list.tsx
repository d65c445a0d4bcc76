/** Authorization servers: every server of the org, each a link to its settings and scopes. */
import { api } from "../api";
import type { Session } from "../auth";
import type { AuthorizationServer } from "../types";
import { FormError, Notice } from "../ui";
import { useLoad } from "./use-load";

export function ServersList({ session }: { session: Session; canWrite: boolean }) {
  const { value: servers, failure } = useLoad(
    () => api<AuthorizationServer[]>(session, "GET", "/authorizationServers?limit=200"),
    [session],
  );
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Authorization servers
      </h1>
      <FormError failure={failure} fields={[]} />
      {servers === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {servers?.length === 0 ? <Notice>No authorization servers yet.</Notice> : null}
      {servers?.length ? (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Audience</th>
              <th scope="col">Issuer</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.id}>
                <td data-label="Name">
                  <a href={`#/servers/${encodeURIComponent(s.id)}`}>{s.name}</a>
                </td>
                <td data-label="Audience">{s.audiences.join(", ")}</td>
                <td data-label="Issuer" class="break">
                  {s.issuer}
                </td>
                <td data-label="Status">
                  <span class={`status ${s.status.toLowerCase()}`}>{s.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
