/**
 * Groups (`#/groups`): search by the beginning of a name (Okta's `q`, paged with `Link:
 * rel="next"`) and add a group. One group's screen (`#/groups/<id>`) is group-detail.tsx.
 */

import { useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import { hashOf } from "../parse";
import { groupsPath } from "../people";
import type { Group } from "../types";
import { type GroupDraft, GroupForm } from "./group-form";
import { ListState } from "./list-state";
import { usePages } from "./use-pages";

export { GroupDetail } from "./group-detail";

export function GroupsList({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const { items: groups, next, failure, busy, reload, more } = usePages<Group>(session, groupsPath(search));
  const [created, setCreated] = useState<Group | undefined>(undefined);
  // A new, empty form after each creation.
  const [forms, setForms] = useState(0);

  const create = async (draft: GroupDraft) => {
    setCreated(undefined);
    const group = await api<Group>(session, "POST", "/groups", { profile: draft });
    setCreated(group);
    setForms((n) => n + 1);
    await reload();
  };

  return (
    <section aria-labelledby="page-title" class="people">
      <h1 id="page-title" tabIndex={-1}>
        Groups
      </h1>
      <form
        aria-label="Groups"
        class="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(typed);
        }}
      >
        <div class="field">
          <label for="group-search">Search groups</label>
          <input
            id="group-search"
            type="search"
            value={typed}
            aria-describedby="group-search-hint"
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
          <p class="hint" id="group-search-hint">
            The beginning of a group's name.
          </p>
        </div>
        <div class="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      {created ? (
        <p class="saved" role="status">
          Group <a href={hashOf({ screen: "group", id: created.id })}>{created.profile.name}</a> created.
        </p>
      ) : null}
      <ListState items={groups} failure={failure} empty="No groups match." />
      {groups?.length ? (
        <table class="list">
          <caption class="visually-hidden">Groups</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.id}>
                <td data-label="Name" class="break">
                  <a href={hashOf({ screen: "group", id: g.id })}>{g.profile.name}</a>
                </td>
                <td data-label="Description" class="break">
                  {g.profile.description ?? ""}
                </td>
                <td data-label="Type">{g.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next ? (
        <button type="button" class="more" disabled={busy} onClick={() => void more()}>
          More groups
        </button>
      ) : null}
      <section aria-labelledby="new-group-title" class="panel">
        <h2 id="new-group-title">Add a group</h2>
        <GroupForm
          key={`new-${forms}`}
          idPrefix="new-group"
          initial={{ name: "", description: "" }}
          submitLabel="Create group"
          canWrite={canWrite}
          submit={create}
        />
      </section>
    </section>
  );
}
