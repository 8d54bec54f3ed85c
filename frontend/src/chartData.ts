import type { History } from "./api";

/** uPlot's columns: the union of every series' times, and each series' value at those times.
 *  Where the recorder was not running (the service was stopped, the host asleep), the times jump
 *  by much more than the usual step; a null is put in the jump, so the line breaks there instead of
 *  drawing a straight line across hours nobody measured. */
export function columns(history: History): [number[], ...(number | null)[][]] {
  const measured = [...new Set(history.series.flatMap((s) => (s.points ?? []).map((p) => p[0])))].sort((a, b) => a - b);
  const steps = measured.slice(1).map((t, i) => t - measured[i]).sort((a, b) => a - b);
  const usual = steps.length ? steps[Math.floor(steps.length / 2)] : 0;
  const times: number[] = [];
  measured.forEach((t, i) => {
    if (i > 0 && usual > 0 && t - measured[i - 1] > 3 * usual) {
      const gap = (measured[i - 1] + t) / 2;
      times.push(gap);
    }
    times.push(t);
  });
  const index = new Map(times.map((t, i) => [t, i]));
  const values = history.series.map((s) => {
    const column: (number | null)[] = times.map(() => null);
    for (const [t, v] of s.points ?? []) column[index.get(t)!] = v;
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
