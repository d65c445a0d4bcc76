/**
 * Choosing users, groups or apps for an access policy or rule by searching the management API
 * (`GET /api/v1/users?q=`, `/groups?q=`, `/apps?q=`, Okta's prefix search): the chosen ones are
 * listed, each with a Remove button; a search box lists matches, each with an Add button. Nothing
 * is written here: the form's save sends the ids.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure } from "../api";

export interface Option {
  id: string;
  label: string;
}

export interface Finder {
  /** Matches for what was typed (a prefix), at most a page. */
  search: (text: string) => Promise<Option[]>;
  /** One chosen id's label (the object read by id). */
  resolve: (id: string) => Promise<Option>;
}

/** Labels already read, per kind and id: a chosen object is read once per page load. */
const labels = new Map<string, string>();

/** What to show for an id of `kind`: its label once known, the id until then. */
export const labelOf = (kind: string, id: string): string => labels.get(`${kind}:${id}`) ?? id;

/** Fetches the labels of `ids` not yet known; returns a counter that changes when some arrive. */
export function useLabels(kind: string, finder: Finder, ids: readonly string[]): number {
  const [known, setKnown] = useState(0);
  const missing = ids.filter((id) => !labels.has(`${kind}:${id}`));
  const key = missing.join(",");
  useEffect(() => {
    if (!key) return;
    let live = true;
    void Promise.all(
      key.split(",").map((id) =>
        finder.resolve(id).then(
          (o) => labels.set(`${kind}:${id}`, o.label),
          // One that cannot be read (deleted meanwhile, or no right to read it) shows its id.
          () => labels.set(`${kind}:${id}`, id),
        ),
      ),
    ).then(() => {
      if (live) setKnown((n) => n + 1);
    });
    return () => {
      live = false;
    };
  }, [kind, key]);
  return known;
}

interface Props {
  id: string;
  kind: string;
  /** The group's name, e.g. "Include users". */
  legend: string;
  /** What the search box finds, e.g. "users". */
  noun: string;
  /** The search box's label, e.g. "Search users to include". */
  searchLabel: string;
  finder: Finder;
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  disabled: boolean;
  /** The server's causes for this list, shown beside it. */
  errors: readonly string[];
}

export function Picker({
  id,
  kind,
  legend,
  noun,
  searchLabel,
  finder,
  selected,
  onChange,
  disabled,
  errors,
}: Props) {
  useLabels(kind, finder, selected);
  const [text, setText] = useState("");
  const [matches, setMatches] = useState<Option[] | undefined>(undefined);
  const [searchFailure, setSearchFailure] = useState<string | undefined>(undefined);
  const lower = legend.toLowerCase();

  // Searches a moment after typing stops, so a word typed is one request, not one per key.
  useEffect(() => {
    const typed = text.trim();
    if (!typed) {
      setMatches(undefined);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      finder.search(typed).then(
        (found) => {
          if (!live) return;
          for (const o of found) labels.set(`${kind}:${o.id}`, o.label);
          setMatches(found);
          setSearchFailure(undefined);
        },
        (error: unknown) => {
          if (!live) return;
          setMatches([]);
          setSearchFailure(error instanceof ApiFailure ? error.errorSummary : String(error));
        },
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, kind]);

  const errorId = `${id}-errors`;
  const offered = (matches ?? []).filter((o) => !selected.includes(o.id));
  return (
    <fieldset
      class={errors.length ? "picker invalid" : "picker"}
      aria-describedby={errors.length ? errorId : undefined}
    >
      <legend>{legend}</legend>
      {selected.length ? (
        <ul class="chosen">
          {selected.map((sid) => (
            <li key={sid}>
              <span class="break">{labelOf(kind, sid)}</span>
              <button
                type="button"
                disabled={disabled}
                aria-label={`Remove ${labelOf(kind, sid)} from ${lower}`}
                onClick={() => onChange(selected.filter((s) => s !== sid))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">None chosen.</p>
      )}
      <label for={`${id}-search`}>{searchLabel}</label>
      <input
        id={`${id}-search`}
        type="search"
        autocomplete="off"
        disabled={disabled}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <p class="hint" role="status">
        {searchFailure ??
          (matches === undefined
            ? ""
            : offered.length
              ? `${offered.length} found`
              : matches.length
                ? `Every ${noun.replace(/s$/, "")} found is chosen`
                : `No ${noun} found`)}
      </p>
      {offered.length ? (
        <ul class="matches">
          {offered.map((o) => (
            <li key={o.id}>
              <button
                type="button"
                disabled={disabled}
                aria-label={`Add ${o.label} to ${lower}`}
                onClick={() => onChange([...selected, o.id])}
              >
                Add {o.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {errors.length ? (
        <ul class="field-errors" id={errorId}>
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}
