import { useState } from "react";
import { usePolling } from "./usePolling";
import { getEvents, type Events } from "./api";
import { EventTimeline } from "./EventTimeline";
import { isTrouble } from "./eventWords";
import { refreshEvery } from "./StatusStrip";

/** Shown at most in the list; the rest are counted. */
const LISTED = 6;

/** Whether the page is as narrow as a phone's, where the list starts folded away. */
function narrow(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(max-width: 640px)").matches;
}

/** `3 events, 1 crash`, `quiet`, `nothing recorded`. */
function summary(events: Events): string {
  const n = events.events.reduce((sum, e) => sum + (e.count ?? 1), 0) + (events.omitted ?? 0);
  const trouble = events.events.filter(isTrouble).length;
  const unwatched = events.gaps.length > 0 ? " (not all watched)" : "";
  if (n === 0) return events.gaps.length > 0 ? "nothing recorded (not all watched)" : "quiet";
  const upTo = events.events.some((e) => e.partly_outside) ? "up to " : "";
  const parts = [`${upTo}${n} event${n === 1 ? "" : "s"}`];
  if (trouble > 0) parts.push(`${trouble} went wrong`);
  return parts.join(", ") + unwatched;
}

/** What happened in the last 24 hours, under the status strip: a few lines, newest first, folded
 *  away on a phone. Asked again with the status strip's rhythm (four times slower), never while the
 *  tab is hidden. */
export function RecentEvents({ apiKey, every = refreshEvery() * 4 }: { apiKey: string; every?: number }) {
  const [events, setEvents] = useState<Events | null>(null);
  const [open, setOpen] = useState(() => !narrow());

  usePolling(apiKey, every, async (key) => {
    try {
      setEvents(await getEvents({ window: "24h" }, key));
    } catch {
      // The list is a convenience: the chat and the status strip work without it.
    }
  });

  if (!apiKey || !events) return null;
  // A landmark of its own, so a screen reader can find it (and nothing sits outside one).
  return (
    <section aria-label="What happened in the last 24 hours">
      <details
        className="recent-events"
        open={open}
        onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
      >
        <summary>
          Last 24 h: <span className="recent-summary">{summary(events)}</span>
        </summary>
        {events.events.length === 0 && events.gaps.length === 0 ? (
          <p className="timeline-empty">Nothing happened: no container crashed, restarted or changed.</p>
        ) : (
          <EventTimeline events={events} newestFirst limit={LISTED} />
        )}
      </details>
    </section>
  );
}
