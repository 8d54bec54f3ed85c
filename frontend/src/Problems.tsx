import { useId, useState } from "react";
import type { Status } from "./api";
import { DisclosureIcon } from "./icons";
import { withKeys } from "./keys";

/** How many problems a host has; with any, a button that opens their list under the strip — by
 *  tap, click or keyboard, and announced as expanded or collapsed — rather than a hover tooltip a
 *  phone cannot show. */
export function Problems({ status, prefix }: { status: Status; prefix: string }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const problems = status.problems;
  if (problems === null || problems === undefined) return <span className="gauge problems">Problems –</span>;
  if (problems === 0) {
    return (
      <span className="gauge problems ok" data-problems={0}>
        No problems
      </span>
    );
  }
  const count = `${problems} problem${problems === 1 ? "" : "s"}`;
  return (
    <>
      <button
        type="button"
        className="gauge problems high"
        data-problems={problems}
        aria-expanded={open}
        aria-controls={listId}
        aria-label={`${prefix}${count}: ${open ? "hide" : "show"} the list`}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setOpen(false);
        }}
      >
        {count} <DisclosureIcon open={open} />
      </button>
      <ul id={listId} className="problem-list" hidden={!open} aria-label={`${prefix}problems`}>
        {withKeys(status.problem_list, (p) => `${p.kind} ${p.subject}`).map(({ key, item: p }) => (
          <li key={key} data-severity={p.severity}>
            <strong>{p.subject}</strong>: {p.reason}
          </li>
        ))}
        {status.problem_list.length < problems && (
          <li className="more">and {problems - status.problem_list.length} more: ask “Is anything wrong?”</li>
        )}
      </ul>
    </>
  );
}
