/**
 * One group (`#/groups/<id>`): its name and description (Okta's PUT replaces the profile: custom
 * attributes are sent back as read), delete with a confirmation, and its members: listed a page at a
 * time, added by searching the directory (Okta's `q`, a people picker), removed with a confirmation.
 * The BUILT_IN Everyone is read-only, as Okta's API answers every write to it (E0000060).
 */

import { useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import { hashOf } from "../parse";
import { PAGE_SIZE, personName } from "../people";
import type { Group, User } from "../types";
import { FormError, Notice } from "../ui";
import { AssignedApps } from "./assigned-apps";
import { Confirm, KeepButton } from "./confirm";
import { type GroupDraft, GroupForm } from "./group-form";
import { ListState } from "./list-state";
import { useLoad } from "./use-load";
import { usePages } from "./use-pages";
import { useWrite } from "./use-write";

function Members({ session, group, canWrite }: { session: Session; group: Group; canWrite: boolean }) {
  const base = `/groups/${encodeURIComponent(group.id)}/users`;
  const {
    items: members,
    next,
    failure,
    busy,
    reload,
    more,
  } = usePages<User>(session, `${base}?limit=${PAGE_SIZE}`);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [typed, setTyped] = useState("");
  const [found, setFound] = useState<User[] | undefined>(undefined);
  const write = useWrite();
  const finder = useWrite();
  const builtIn = group.type === "BUILT_IN";
  const locked = !canWrite || builtIn;
  const name = group.profile.name;

  const find = async (event: Event) => {
    event.preventDefault();
    setFound(undefined);
    const q = typed.trim();
    if (!q) return;
    await finder.run(async () => {
      setFound(await api<User[]>(session, "GET", `/users?${new URLSearchParams({ q, limit: "10" })}`));
    }, "");
  };
  const add = async (user: User) => {
    await write.run(
      () => api(session, "PUT", `${base}/${encodeURIComponent(user.id)}`),
      `${user.profile.login} added to ${name}.`,
    );
    await reload();
  };
  const remove = async (user: User) => {
    setConfirming(undefined);
    await write.run(
      () => api(session, "DELETE", `${base}/${encodeURIComponent(user.id)}`),
      `${user.profile.login} removed from ${name}.`,
    );
    await reload();
  };
  const memberIds = new Set((members ?? []).map((m) => m.id));

  return (
    <section aria-labelledby="members-title" class="panel">
      <h2 id="members-title">Members</h2>
      {builtIn ? <Notice>Every user is a member of {name}; its members cannot be changed.</Notice> : null}
      <p class="saved" role="status">
        {write.status}
      </p>
      <ListState items={members} failure={failure} writeFailure={write.failure} empty="No members yet." />
      {members?.length ? (
        <ul class="rows">
          {members.map((m) => (
            <li key={m.id}>
              <a href={hashOf({ screen: "user", id: m.id })}>{personName(m.profile)}</a>
              <span class="break muted">{m.profile.login}</span>
              {builtIn ? null : confirming === m.id ? (
                <span class="confirm">
                  <button
                    type="button"
                    class="danger"
                    disabled={locked || write.busy}
                    onClick={() => void remove(m)}
                  >
                    Remove {m.profile.login}
                  </button>
                  <KeepButton label="Keep" onClick={() => setConfirming(undefined)} />
                </span>
              ) : (
                <button
                  type="button"
                  disabled={locked || write.busy}
                  aria-label={`Remove ${m.profile.login} from ${name}`}
                  onClick={() => setConfirming(m.id)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {next ? (
        <button type="button" class="more" disabled={busy} onClick={() => void more()}>
          More members
        </button>
      ) : null}
      {builtIn ? null : (
        <>
          <h3>Add members</h3>
          <form aria-label="Find users to add" class="search-form" onSubmit={(e) => void find(e)}>
            <fieldset disabled={locked || finder.busy}>
              <legend class="visually-hidden">Find users to add</legend>
              <div class="field">
                <label for="member-search">Find a user</label>
                <input
                  id="member-search"
                  type="search"
                  value={typed}
                  aria-describedby="member-search-hint"
                  onInput={(e) => setTyped(e.currentTarget.value)}
                />
                <p class="hint" id="member-search-hint">
                  The beginning of a first or last name or an email.
                </p>
              </div>
              <div class="actions">
                <button type="submit">Find users</button>
              </div>
            </fieldset>
          </form>
          <FormError failure={finder.failure} fields={[]} />
          {found?.length === 0 ? <Notice>No user matches.</Notice> : null}
          {found?.length ? (
            <ul class="rows" aria-label="Users found">
              {found.map((u) => (
                <li key={u.id}>
                  <span>{personName(u.profile)}</span>
                  <span class="break muted">{u.profile.login}</span>
                  <button
                    type="button"
                    disabled={locked || write.busy || memberIds.has(u.id)}
                    aria-label={`Add ${u.profile.login} to ${name}`}
                    onClick={() => void add(u)}
                  >
                    {memberIds.has(u.id) ? "Member" : "Add"}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  );
}

export function GroupDetail({ session, id, canWrite }: { session: Session; id: string; canWrite: boolean }) {
  const path = `/groups/${encodeURIComponent(id)}`;
  const { value: group, failure, set } = useLoad(() => api<Group>(session, "GET", path), [session, path]);
  const [saved, setSaved] = useState("");
  const [confirming, setConfirming] = useState(false);
  const remover = useWrite();
  const builtIn = group?.type === "BUILT_IN";

  const save = async (draft: GroupDraft) => {
    setSaved("");
    if (!group) return;
    const profile = { ...group.profile, name: draft.name, description: draft.description };
    set(await api<Group>(session, "PUT", path, { profile }));
    setSaved("Group saved.");
  };
  const remove = async () => {
    setConfirming(false);
    if (await remover.run(() => api(session, "DELETE", path), ""))
      location.hash = hashOf({ screen: "groups" });
  };

  return (
    <section aria-labelledby="page-title" class="people">
      <p class="crumbs">
        <a href={hashOf({ screen: "groups" })}>Groups</a>
      </p>
      <h1 id="page-title" tabIndex={-1} class="break">
        {group?.profile.name ?? "Group"}
      </h1>
      <FormError failure={failure} fields={[]} />
      {group === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {group ? (
        <div class="columns">
          <section aria-labelledby="group-settings-title" class="panel">
            <h2 id="group-settings-title">Settings</h2>
            {builtIn ? (
              <p class="hint">{group.profile.name} is built in: it cannot be changed or deleted.</p>
            ) : null}
            <GroupForm
              key={group.lastUpdated}
              idPrefix="group"
              initial={{ name: group.profile.name, description: group.profile.description ?? "" }}
              submitLabel="Save group"
              canWrite={canWrite && !builtIn}
              submit={save}
            />
            <p class="saved" role="status">
              {saved}
            </p>
            <h3>Delete</h3>
            <FormError failure={remover.failure} fields={[]} />
            {confirming ? (
              <Confirm
                confirmLabel={`Delete ${group.profile.name}`}
                disabled={!canWrite || builtIn || remover.busy}
                confirm={() => void remove()}
                keep={() => setConfirming(false)}
              >
                Delete {group.profile.name}? Its members lose what it gave them.
              </Confirm>
            ) : (
              <button
                type="button"
                disabled={!canWrite || builtIn || remover.busy}
                onClick={() => {
                  remover.clear();
                  setConfirming(true);
                }}
              >
                Delete group
              </button>
            )}
          </section>
          <div class="stack">
            <Members session={session} group={group} canWrite={canWrite} />
            <AssignedApps session={session} to={{ kind: "group", id: group.id }} />
          </div>
        </div>
      ) : null}
    </section>
  );
}
