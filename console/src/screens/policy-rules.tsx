/**
 * One access policy's rules, in priority order: create, edit, activate / deactivate, delete (with
 * a confirmation) and reorder (reorder-list.tsx). Every write is followed by reading the rules
 * again: the list shows what the server holds, never what was sent.
 */

import { useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import {
  ANY_SCOPE,
  EVERYONE,
  EVERYONE_GROUP_ID,
  grantTypeLabel,
  NEW_RULE,
  type Policy,
  type PolicyRule,
  peopleSummary,
  type RuleDraft,
  ruleBody,
  ruleDraftOf,
  ruleMoveBody,
} from "../policy-model";
import type { Scope } from "../types";
import { Confirm } from "./confirm";
import { ListState } from "./list-state";
import { labelOf, useLabels } from "./picker";
import type { Finders } from "./policy-api";
import { ReorderList } from "./reorder-list";
import { RowActions } from "./row-actions";
import { type HookOption, RuleForm } from "./rule-form";
import { useLoad } from "./use-load";
import { useRows } from "./use-rows";

interface Props {
  session: Session;
  /** `/authorizationServers/<id>/policies/<pid>`. */
  policyPath: string;
  policy: Policy;
  canWrite: boolean;
  finders: Finders;
  scopes: readonly Scope[];
  hooks: readonly HookOption[];
}

const minutes = (n: number) => (n % 1440 === 0 && n > 0 ? `${n / 1440} d` : `${n} min`);

function RuleSummary({
  rule,
  hooks,
  finders,
}: {
  rule: PolicyRule;
  hooks: readonly HookOption[];
  finders: Finders;
}) {
  const { people, grantTypes, scopes } = rule.conditions;
  useLabels("user", finders.users, [...people.users.include, ...people.users.exclude]);
  // Everyone is Okta's built-in group, named in words: no read of it.
  useLabels(
    "group",
    finders.groups,
    [...people.groups.include, ...people.groups.exclude].filter(
      (g) => g !== EVERYONE && g !== EVERYONE_GROUP_ID,
    ),
  );
  const token = rule.actions.token;
  const hookId = token.inlineHook?.id;
  const nameOf = (id: string) =>
    people.users.include.includes(id) || people.users.exclude.includes(id)
      ? labelOf("user", id)
      : labelOf("group", id);
  return (
    <dl class="facts rule-facts">
      <dt>Grant types</dt>
      <dd>{grantTypes.include.map(grantTypeLabel).join(", ")}</dd>
      <dt>People</dt>
      <dd class="break">{peopleSummary(rule, nameOf)}</dd>
      <dt>Scopes</dt>
      <dd class="break">{scopes.include.includes(ANY_SCOPE) ? "any scope" : scopes.include.join(", ")}</dd>
      <dt>Tokens</dt>
      <dd>
        access {minutes(token.accessTokenLifetimeMinutes)}; refresh{" "}
        {token.refreshTokenLifetimeMinutes === 0 ? "unlimited" : minutes(token.refreshTokenLifetimeMinutes)},
        idle window {minutes(token.refreshTokenWindowMinutes)}
      </dd>
      {hookId ? (
        <>
          <dt>Inline hook</dt>
          <dd class="break">{hooks.find((h) => h.id === hookId)?.name ?? hookId}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function PolicyRules({ session, policyPath, policy, canWrite, finders, scopes, hooks }: Props) {
  const path = `${policyPath}/rules`;
  const {
    value: rules,
    failure,
    reload,
  } = useLoad(() => api<PolicyRule[]>(session, "GET", path), [session, path]);
  const [adding, setAdding] = useState(false);
  // An update (ruleBody) sends no priority: the server keeps the rule's current place, even if
  // someone moved it meanwhile. Lifecycle and delete: the outcome shown is the server's.
  const rows = useRows<RuleDraft, PolicyRule>({
    session,
    path,
    noun: "Rule",
    bodyOf: ruleBody,
    reload,
    onCreated: () => setAdding(false),
  });
  const {
    editing,
    setEditing,
    confirming,
    setConfirming,
    writeFailure,
    status,
    create,
    update,
    ask,
    write,
    remove,
  } = rows;
  const ruleUrl = rows.at;
  const lifecycle = (rule: PolicyRule) => {
    const activate = rule.status !== "ACTIVE";
    return write(`Rule ${rule.name} ${activate ? "activated" : "deactivated"}.`, () =>
      api(session, "POST", `${ruleUrl(rule)}/lifecycle/${activate ? "activate" : "deactivate"}`),
    );
  };
  // Okta's PUT replaces the whole rule: it is read again just before, so a move never undoes an edit
  // someone else saved since this list was read. Still one write.
  const move = async (rule: PolicyRule, priority: number) => {
    const current = await api<PolicyRule>(session, "GET", ruleUrl(rule));
    return (await api<PolicyRule>(session, "PUT", ruleUrl(rule), ruleMoveBody(current, priority))).priority;
  };

  return (
    <section aria-labelledby="rules-title" class="rules">
      <h3 id="rules-title" class="break">
        Rules of {policy.name}
      </h3>
      <p class="hint">
        Evaluated in this order: the first active rule that allows the grant type, the user and every scope
        asked for decides the token.
      </p>
      <p class="saved" role="status">
        {status}
      </p>
      <ListState
        items={rules}
        failure={failure}
        writeFailure={writeFailure}
        empty="No rules yet: this policy allows no token."
      />
      {rules?.length ? (
        <ReorderList
          kind="Rule"
          idPrefix="rule"
          label={`Rules of ${policy.name}, in priority order`}
          items={rules}
          canWrite={canWrite}
          move={move}
          reload={reload}
          rowClass={(rule) => (rule.status === "ACTIVE" ? "" : "inactive-row")}
          row={(rule) =>
            editing === rule.id ? (
              <RuleForm
                idPrefix={`edit-${rule.id}`}
                title={`Edit rule ${rule.name}`}
                initial={ruleDraftOf(rule)}
                submitLabel={`Save rule ${rule.name}`}
                canWrite={canWrite}
                finders={finders}
                scopes={scopes}
                hooks={hooks}
                submit={update(rule)}
                cancel={() => setEditing(undefined)}
              />
            ) : (
              <>
                <div class="scope-head">
                  <strong class="break">{rule.name}</strong>
                  <span class={`status ${rule.status.toLowerCase()}`}>
                    {rule.status === "ACTIVE" ? "Active" : "Inactive"}
                  </span>
                </div>
                <RuleSummary rule={rule} hooks={hooks} finders={finders} />
                {confirming === rule.id ? (
                  <Confirm
                    confirmLabel={`Yes, delete rule ${rule.name}`}
                    disabled={!canWrite}
                    confirm={() => void remove(rule)}
                    keep={() => setConfirming(undefined)}
                    returnFocusTo={`delete-rule-${rule.id}`}
                  >
                    Delete rule {rule.name}? Requests it allowed fall to the next rule, or are refused.
                  </Confirm>
                ) : (
                  <RowActions
                    noun="rule"
                    row={rule}
                    disabled={!canWrite}
                    edit={() => setEditing(rule.id)}
                    lifecycle={() => void lifecycle(rule)}
                    ask={() => ask(rule)}
                  />
                )}
              </>
            )
          }
        />
      ) : null}
      {adding ? (
        <RuleForm
          idPrefix="new-rule"
          title="Add rule"
          initial={NEW_RULE}
          submitLabel="Create rule"
          canWrite={canWrite}
          finders={finders}
          scopes={scopes}
          hooks={hooks}
          submit={create}
          cancel={() => setAdding(false)}
        />
      ) : (
        <div class="actions">
          <button type="button" class="primary" disabled={!canWrite} onClick={() => setAdding(true)}>
            Add rule
          </button>
        </div>
      )}
    </section>
  );
}
