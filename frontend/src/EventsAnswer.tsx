import { useEffect, useState } from "react";
import { describeError, getEvents, type Events, type EventsQuery } from "./api";
import { EventTimeline } from "./EventTimeline";

/** The timeline of what a `get_events` call looked at, under the answer: asked again of the
 *  gateway's `/events` with the same window (the same check as the model's call). */
export function EventsAnswer({ query, apiKey }: { query: EventsQuery; apiKey: string }) {
  const [events, setEvents] = useState<Events | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let gone = false;
    getEvents(query, apiKey)
      .then((e) => !gone && setEvents(e))
      .catch((e) => !gone && setProblem(describeError(e)));
    return () => {
      gone = true;
    };
  }, [query, apiKey]);

  if (problem) return <p className="chart-note">The timeline could not be drawn: {problem}</p>;
  if (!events || (events.events.length === 0 && events.gaps.length === 0)) return null;
  return (
    <figure className="events-answer">
      <figcaption>Timeline{query.container ? ` of ${query.container}` : ""}</figcaption>
      <EventTimeline events={events} />
    </figure>
  );
}
