/**
 * Applications (`#/apps`): the org's OIDC apps from Okta's Apps API (`GET /api/v1/apps`, `q` a
 * prefix of the label), and creating one, kind first as Okta's "Create App Integration". A
 * confidential app's client secret is in the creation's answer only (Okta; Warden keeps its hash):
 * it is shown once, right there, with a copy button. One app's screen is app-detail.tsx.
 */
import { useState } from "preact/hooks";
import { api } from "../api";
import { createBody, grantLabel, KINDS, kindOf, newDraft, type OidcApp } from "../app-kinds";
import type { Session } from "../auth";
import { hashOf } from "../parse";
import { FormError, Notice } from "../ui";
import { AppForm } from "./app-form";
import { SecretOnce } from "./app-secrets";
import { useLoad } from "./use-load";

export { AppDetail } from "./app-detail";

/** The app just created: its id and name, and its secret while the admin has not hidden it. */
interface Created {
  id: string;
  label: string;
  secret: string | undefined;
}

export function AppsList({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const {
    value: apps,
    failure,
    reload,
  } = useLoad(
    () => api<OidcApp[]>(session, "GET", `/apps?limit=200${q ? `&q=${encodeURIComponent(q)}` : ""}`),
    [session, q],
  );
  const [created, setCreated] = useState<Created | undefined>(undefined);
  const [forms, setForms] = useState(0);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Applications
      </h1>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(typed.trim());
        }}
      >
        <label for="apps-q">Search apps by name</label>
        <input id="apps-q" type="search" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      <FormError failure={failure} fields={[]} />
      {apps === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {apps?.length === 0 ? (
        <Notice>{q ? `No app's name starts with “${q}”.` : "No apps yet."}</Notice>
      ) : null}
      {apps?.length ? (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Client ID</th>
              <th scope="col">Kind</th>
              <th scope="col">Grant types</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {apps.map((app) => (
              <tr key={app.id}>
                <td data-label="Name" class="break">
                  <a href={hashOf({ screen: "app", id: app.id })}>{app.label}</a>
                </td>
                <td data-label="Client ID" class="break">
                  <code>{app.id}</code>
                </td>
                <td data-label="Kind">{KINDS[kindOf(app.settings.oauthClient.application_type)].label}</td>
                <td data-label="Grant types">
                  {app.settings.oauthClient.grant_types.map(grantLabel).join(", ")}
                </td>
                <td data-label="Status">
                  <span class={`status ${app.status.toLowerCase()}`}>{app.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <section aria-labelledby="create-app-title" class="panel create-app">
        <h2 id="create-app-title">Create an app</h2>
        {created ? (
          <div class="created">
            <p role="status" class="saved">
              App {created.label} created, client ID <code class="break">{created.id}</code>.{" "}
              <a href={hashOf({ screen: "app", id: created.id })}>Open {created.label}</a>
            </p>
            {created.secret ? (
              <SecretOnce
                value={created.secret}
                onHide={() => setCreated({ ...created, secret: undefined })}
              />
            ) : null}
          </div>
        ) : null}
        <AppForm
          key={`new-${forms}`}
          idPrefix="new-app"
          mode="create"
          initial={newDraft("service")}
          submitLabel="Create app"
          canWrite={canWrite}
          submit={async (draft) => {
            setCreated(undefined);
            const app = await api<OidcApp>(session, "POST", "/apps", createBody(draft));
            setCreated({ id: app.id, label: app.label, secret: app.credentials.oauthClient.client_secret });
            setForms((n) => n + 1);
            await reload();
          }}
        />
      </section>
    </section>
  );
}
