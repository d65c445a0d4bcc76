/**
 * Who may sign in to an app (Okta issues user tokens only to assigned users): its people and groups
 * through Okta's Application Users and Application Groups APIs (`/api/v1/apps/{id}/users`,
 * `/groups`), found with the Users and Groups APIs' `q`. A user assigned through a group is removed
 * through the group (the server says so too). Removing ends the grants of whoever loses the app.
 */
import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";
import { Field, FormError, Notice } from "../ui";
import { Confirm } from "./confirm";
import { useLoad } from "./use-load";

/** Okta's AppUser, as far as the console reads it. */
interface AppUser {
  id: string;
  scope: "USER" | "GROUP";
  credentials?: { userName?: string };
  _links?: { group?: { name?: string } };
}

/** Okta's ApplicationGroupAssignment. */
interface AppGroup {
  id: string;
  priority: number;
}

interface User {
  id: string;
  status: string;
  profile: { login: string; firstName?: string; lastName?: string };
}

interface Group {
  id: string;
  type?: string;
  profile: { name: string; description?: string | null };
}

const loginOf = (u: AppUser) => u.credentials?.userName ?? u.id;

interface Props {
  session: Session;
  appId: string;
  appLabel: string;
  canWrite: boolean;
}

/** A search box and its results, each with an "Assign …" button. */
function Finder<T>({
  idPrefix,
  label,
  search,
  nameOf,
  assign,
  isAssigned,
  canWrite,
}: {
  idPrefix: string;
  label: string;
  search: (q: string) => Promise<T[]>;
  nameOf: (item: T) => string;
  assign: (item: T) => Promise<void>;
  /** Already assigned directly: shown as such rather than offered again. */
  isAssigned: (item: T) => boolean;
  canWrite: boolean;
}) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<T[] | undefined>(undefined);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const run = async (event: Event) => {
    event.preventDefault();
    try {
      setFound(await search(q.trim()));
      setFailure(undefined);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setFailure(error);
    }
  };
  return (
    <form class="finder" onSubmit={(e) => void run(e)} noValidate>
      <FormError failure={failure} fields={[]} />
      <fieldset disabled={!canWrite}>
        <legend class="visually-hidden">{label}</legend>
        <Field id={`${idPrefix}-q`} label={label} field="q" failure={failure}>
          {(p) => <input {...p} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
        </Field>
        <button type="submit">{`Search ${idPrefix}`}</button>
      </fieldset>
      {found?.length === 0 ? <Notice>Nothing found.</Notice> : null}
      {found?.length ? (
        <ul class="rows">
          {found.map((item) => (
            <li key={nameOf(item)} class="row row-head">
              <span class="break">{nameOf(item)}</span>
              {isAssigned(item) ? (
                <span class="tag">assigned</span>
              ) : (
                <button type="button" disabled={!canWrite} onClick={() => void assign(item)}>
                  {`Assign ${nameOf(item)}`}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

export function AppAssignments({ session, appId, appLabel, canWrite }: Props) {
  const base = `/apps/${encodeURIComponent(appId)}`;
  const users = useLoad(() => api<AppUser[]>(session, "GET", `${base}/users?limit=200`), [session, base]);
  // Group names come from the Groups API (an assignment names the group by id only, as in Okta).
  const groups = useLoad(async () => {
    const assigned = await api<AppGroup[]>(session, "GET", `${base}/groups?limit=200`);
    const named = await Promise.all(
      assigned.map(async (g) => {
        const group = await api<Group>(session, "GET", `/groups/${encodeURIComponent(g.id)}`);
        return { ...g, name: group.profile.name };
      }),
    );
    return named;
  }, [session, base]);
  const [status, setStatus] = useState("");
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [priorities, setPriorities] = useState<Record<string, string>>({});

  async function write(action: () => Promise<string>) {
    setStatus("");
    try {
      const said = await action();
      setFailure(undefined);
      setConfirming(undefined);
      setStatus(said);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setFailure(error);
    } finally {
      await Promise.all([users.reload(), groups.reload()]);
    }
  }

  const assignUser = (user: User) =>
    write(async () => {
      await api(session, "POST", `${base}/users`, { id: user.id, scope: "USER" });
      return `${user.profile.login} assigned to ${appLabel}.`;
    });
  const removeUser = (user: AppUser) =>
    write(async () => {
      await api(session, "DELETE", `${base}/users/${encodeURIComponent(user.id)}`);
      return `${loginOf(user)} removed from ${appLabel}.`;
    });
  const assignGroup = (group: Group) =>
    write(async () => {
      await api(session, "PUT", `${base}/groups/${encodeURIComponent(group.id)}`, {});
      return `Group ${group.profile.name} assigned to ${appLabel}.`;
    });
  const setPriority = (group: AppGroup & { name: string }) =>
    write(async () => {
      const typed = priorities[group.id] ?? String(group.priority);
      // Sent as typed when it is not a number: the server's cause is the answer.
      const priority = /^\d+$/.test(typed.trim()) ? Number(typed) : typed;
      await api(session, "PUT", `${base}/groups/${encodeURIComponent(group.id)}`, { priority });
      setPriorities(({ [group.id]: _done, ...rest }) => rest);
      return `Priority of ${group.name} saved.`;
    });
  const removeGroup = (group: AppGroup & { name: string }) =>
    write(async () => {
      await api(session, "DELETE", `${base}/groups/${encodeURIComponent(group.id)}`);
      return `Group ${group.name} removed from ${appLabel}.`;
    });

  return (
    <section aria-labelledby="assignments-title" class="panel">
      <h2 id="assignments-title">Assignments</h2>
      <p class="hint">Only assigned people, directly or through a group, get tokens for this app.</p>
      <p class="saved" role="status">
        {status}
      </p>
      <FormError failure={users.failure ?? groups.failure ?? failure} fields={[]} />

      <h3>People</h3>
      {users.value === undefined && !users.failure ? <Notice>Loading…</Notice> : null}
      {users.value?.length === 0 ? <Notice>No one is assigned.</Notice> : null}
      {users.value?.length ? (
        <ul class="rows">
          {users.value.map((user) => (
            <li key={user.id} class="row">
              <div class="row-head">
                <span class="break">{loginOf(user)}</span>
                <span class="tag">
                  {user.scope === "GROUP" ? `through ${user._links?.group?.name ?? "a group"}` : "direct"}
                </span>
              </div>
              {confirming === `user:${user.id}` ? (
                <Confirm
                  confirmLabel={`Remove ${loginOf(user)} now`}
                  keepLabel="Keep them"
                  disabled={!canWrite}
                  confirm={() => void removeUser(user)}
                  keep={() => setConfirming(undefined)}
                >
                  Remove {loginOf(user)} from {appLabel}? Their tokens for it are revoked.
                </Confirm>
              ) : user.scope === "USER" ? (
                <div class="actions">
                  <button
                    type="button"
                    disabled={!canWrite}
                    aria-label={`Remove ${loginOf(user)}`}
                    onClick={() => setConfirming(`user:${user.id}`)}
                  >
                    Remove
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {canWrite ? (
        <Finder<User>
          idPrefix="people"
          label="Find people to assign"
          canWrite={canWrite}
          search={(q) => api<User[]>(session, "GET", `/users?q=${encodeURIComponent(q)}&limit=10`)}
          nameOf={(u) => u.profile.login}
          assign={assignUser}
          isAssigned={(u) => users.value?.some((a) => a.id === u.id && a.scope === "USER") ?? false}
        />
      ) : null}

      <h3>Groups</h3>
      {groups.value === undefined && !groups.failure ? <Notice>Loading…</Notice> : null}
      {groups.value?.length === 0 ? <Notice>No group is assigned.</Notice> : null}
      {groups.value?.length ? (
        <ul class="rows">
          {groups.value.map((group) => (
            <li key={group.id} class="row">
              <div class="row-head">
                <span class="break">{group.name}</span>
              </div>
              {confirming === `group:${group.id}` ? (
                <Confirm
                  confirmLabel={`Remove group ${group.name} now`}
                  disabled={!canWrite}
                  confirm={() => void removeGroup(group)}
                  keep={() => setConfirming(undefined)}
                >
                  Remove group {group.name} from {appLabel}? Members with no other assignment lose it.
                </Confirm>
              ) : (
                <div class="actions">
                  <label for={`priority-${group.id}`}>Priority of {group.name}</label>
                  <input
                    id={`priority-${group.id}`}
                    class="priority"
                    inputMode="numeric"
                    disabled={!canWrite}
                    value={priorities[group.id] ?? String(group.priority)}
                    onInput={(e) => {
                      const value = e.currentTarget.value;
                      setPriorities((p) => ({ ...p, [group.id]: value }));
                    }}
                  />
                  <button
                    type="button"
                    disabled={!canWrite}
                    aria-label={`Save priority of ${group.name}`}
                    onClick={() => void setPriority(group)}
                  >
                    Save priority
                  </button>
                  <button
                    type="button"
                    disabled={!canWrite}
                    aria-label={`Remove group ${group.name}`}
                    onClick={() => setConfirming(`group:${group.id}`)}
                  >
                    Remove
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {canWrite ? (
        <Finder<Group>
          idPrefix="groups"
          label="Find groups to assign"
          canWrite={canWrite}
          search={(q) => api<Group[]>(session, "GET", `/groups?q=${encodeURIComponent(q)}&limit=10`)}
          nameOf={(g) => g.profile.name}
          assign={assignGroup}
          isAssigned={(g) => groups.value?.some((a) => a.id === g.id) ?? false}
        />
      ) : null}
    </section>
  );
}
