import type { History } from "./api";
import { clockTime, shortDate } from "./clock";

/** The usual step of one series: the median distance between its times. */
function usualStep(times: number[]): number {
  const steps = times
    .slice(1)
    .map((t, i) => t - times[i])
    .sort((a, b) => a - b);
  return steps.length ? steps[Math.floor(steps.length / 2)] : 0;
}

/** uPlot's columns: the union of every series' times, and each series' value at those times.
 *  A series has no value (`undefined`, joined across) at another series' times. Where its own
 *  recorder was not running (the service stopped, the host asleep), its times jump by much more
 *  than its usual step; a `null` is put in the jump, so its line breaks there instead of being
 *  drawn straight across hours nobody measured. */
export function columns(history: History): [number[], ...(number | null | undefined)[][]] {
  const own = history.series.map((s) => [...(s.points ?? [])].sort((a, b) => a[0] - b[0]));
  const breaks = own.map((points) => {
    const times = points.map((p) => p[0]);
    const usual = usualStep(times);
    return times.flatMap((t, i) => (i > 0 && usual > 0 && t - times[i - 1] > 3 * usual ? [(times[i - 1] + t) / 2] : []));
  });
  const times = [...new Set([...own.flatMap((points) => points.map((p) => p[0])), ...breaks.flat()])].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const values = own.map((points, i) => {
    const column: (number | null | undefined)[] = times.map(() => undefined);
    for (const t of breaks[i]) column[index.get(t)!] = null;
    for (const [t, v] of points) column[index.get(t)!] = v;
    return column;
  });
  return [times, ...values];
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The time axis' labels, in local time, short enough not to run into each other: hours and
 *  minutes (seconds only when the ticks are less than a minute apart), and the date on a second
 *  line at the first tick and wherever the day changes. */
export function timeLabels(ticks: number[]): string[] {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 60;
  let day = "";
  return ticks.map((t) => {
    const d = new Date(t * 1000);
    const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}${step < 60 ? `:${pad(d.getSeconds())}` : ""}`;
    const date = d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
    const label = date !== day ? `${clock}\n${date}` : clock;
    day = date;
    return label;
  });
}

/** The time axis' range, from the first and last times drawn: what was recorded, and at least a
 *  minute, so that a chart of the first sample or two has a sensible scale (left to itself uPlot
 *  spreads a single time over years). */
export function timeRange(min: number | null, max: number | null): [number, number] {
  const end = max ?? Date.now() / 1000;
  return [Math.min(min ?? end, end - 60), end];
}

/** What the server says is recorded (`the last 6 minutes, since recording began at 19:08 CET`,
 *  `8 hours from 22:00 CET on Dec 4 to 06:00 CET`, `a single reading at 19:08 CET on Dec 5`) with
 *  its times in the browser's zone. The server names, in the host's zone, the first reading and
 *  then the end of the last one (its step later, at most the window's end). */
export function localCovered(history: History): string {
  const froms = history.series.map((s) => Date.parse(s.from)).filter(Number.isFinite);
  const tos = history.series.map((s) => Date.parse(s.to)).filter(Number.isFinite);
  if (!froms.length || !tos.length) return history.covered;
  const first = Math.min(...froms);
  const windowEnd = Date.parse(history.end);
  const lastEnd = Math.max(...tos) + history.resolution_seconds * 1000;
  const times = [first, Number.isFinite(windowEnd) ? Math.min(lastEnd, windowEnd) : lastEnd];
  let next = 0;
  return history.covered.replace(/\b\d\d:\d\d [A-Z][A-Za-z0-9+-]*( on [A-Z][a-z]{2} \d{1,2})?/g, (said, day) => {
    const at = times[next++];
    if (at === undefined) return said;
    return `${clockTime(at)}${day ? ` on ${shortDate(at)}` : ""}`;
  });
}
