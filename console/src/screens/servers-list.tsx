/**
 * Authorization servers: every server of the org, each a link to its settings and scopes, and
 * "New authorization server" (Okta's `POST /api/v1/authorizationServers`: name, audiences,
 * description). A created server is shown only once the server has answered with it: the console
 * then goes to the new server's own screen.
 */

import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import { hashOf, parseAudiences } from "../parse";
import type { AuthorizationServer } from "../types";
import { Field, FormError } from "../ui";
import { FormActions } from "./form-actions";
import { ListState } from "./list-state";
import { useLoad } from "./use-load";
import { useWrite } from "./use-write";

const FIELDS = ["name", "description", "audiences"];

function NewServerForm({ session, cancel }: { session: Session; cancel: () => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [audiences, setAudiences] = useState("");
  const { busy, failure, run } = useWrite();
  // Keyboard users start typing where the form opened.
  useEffect(() => document.getElementById("new-server-name")?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    await run(async () => {
      const created = await api<AuthorizationServer>(session, "POST", "/authorizationServers", {
        name,
        description,
        audiences: parseAudiences(audiences),
      });
      location.hash = hashOf({ screen: "server", id: created.id, tab: "settings" });
    });
  };

  return (
    <form
      class="panel new-object"
      aria-labelledby="new-server-title"
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      <h2 id="new-server-title">New authorization server</h2>
      <FormError failure={failure} fields={FIELDS} />
      <fieldset disabled={busy}>
        <legend class="visually-hidden">New authorization server</legend>
        <Field id="new-server-name" label="Name" field="name" failure={failure}>
          {(p) => <input {...p} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field
          id="new-server-audiences"
          label="Audiences"
          field="audiences"
          failure={failure}
          hint="One a line: the aud of this server's access tokens, e.g. api://orders."
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={audiences}
              onInput={(e) => setAudiences(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="new-server-description" label="Description" field="description" failure={failure}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          )}
        </Field>
        <FormActions submitLabel={"Create authorization server"} cancel={cancel} />
      </fieldset>
    </form>
  );
}

export function ServersList({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const { value: servers, failure } = useLoad(
    () => api<AuthorizationServer[]>(session, "GET", "/authorizationServers?limit=200"),
    [session],
  );
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="page-title">
      <div class="title-row">
        <h1 id="page-title" tabIndex={-1}>
          Authorization servers
        </h1>
        {creating ? null : (
          <button type="button" class="primary" disabled={!canWrite} onClick={() => setCreating(true)}>
            New authorization server
          </button>
        )}
      </div>
      {creating && canWrite ? <NewServerForm session={session} cancel={() => setCreating(false)} /> : null}
      <ListState items={servers} failure={failure} empty="No authorization servers yet." />
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
