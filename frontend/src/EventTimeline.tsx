import type { EventGap, EventItem, Events } from "./api";
import { clock, describeEvent, isTrouble } from "./eventWords";
import { withKeys } from "./keys";

type Entry = { at: string; event?: EventItem; gap?: EventGap };

/** What names an entry: with several hosts, the same thing can happen on two at once. */
function entryKey({ at, event, gap }: Entry): string {
  return event ? `${event.host ?? ""} ${event.kind} ${event.subject} ${at}` : `${gap?.host ?? ""} gap ${at}`;
}

/** Events and the stretches not watched, as a small timeline in the host's time: each event with
 *  its time (a range for repeats), a few words, and the dying container's last log line; a gap
 *  says that nothing is known then. `newestFirst` and `limit` make the short list of the page. */
export function EventTimeline({ events, newestFirst = false, limit }: { events: Events; newestFirst?: boolean; limit?: number }) {
  const zone = events.timezone || undefined;
  const days = Date.parse(events.until) - Date.parse(events.since) > 24 * 3600 * 1000;
  const entries: Entry[] = [
    ...events.events.map((event) => ({ at: event.at, event })),
    ...events.gaps.map((gap) => ({ at: gap.from, gap })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (newestFirst) entries.reverse();
  const shown = limit === undefined ? entries : entries.slice(0, limit);
  const more = entries.length - shown.length + (events.omitted ?? 0);
  return (
    <>
      <ol className="timeline">
        {withKeys(shown, entryKey).map(({ key, item: entry }) =>
          entry.event ? (
            <li key={key} className={isTrouble(entry.event) ? "event trouble" : "event"} data-kind={entry.event.kind}>
              <time dateTime={entry.event.at}>
                {clock(entry.event.at, zone, days)}
                {entry.event.last_at ? `–${clock(entry.event.last_at, zone)}` : ""}
              </time>
              <span className="what">{describeEvent(entry.event)}</span>
              {entry.event.log_line && <q className="log-line">{entry.event.log_line}</q>}
            </li>
          ) : (
            <li key={key} className="gap" data-kind="gap">
              <time dateTime={entry.at}>
                {clock(entry.at, zone, days)}–{clock(entry.gap!.to, zone)}
              </time>
              <span className="what">not watched ({entry.gap!.why}): unknown, not quiet</span>
            </li>
          ),
        )}
      </ol>
      {more > 0 && <p className="timeline-more">{more} more not shown</p>}
    </>
  );
}
