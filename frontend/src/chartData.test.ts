import { describe, expect, it } from "vitest";
import type { History } from "./api";
import { clockTime, shortDate } from "./clock";
import { columns, localCovered, timeLabels, timeRange } from "./chartData";

function history(series: [number, number][][]): History {
  return {
    metric: "cpu",
    window: "1h",
    unit: "%",
    source: "host",
    series: series.map((points) => ({ subject: "host", points, min: 0, max: 0, mean: 0 })),
  } as unknown as History;
}

describe("chart columns", () => {
  it("joins the series on the union of their times, each joined across the other's times", () => {
    const [times, a, b] = columns(history([[[0, 1], [10, 2]], [[10, 5], [20, 6]]]));
    expect(times).toEqual([0, 10, 20]);
    expect(a).toEqual([1, 2, undefined]);
    expect(b).toEqual([undefined, 5, 6]);
  });

  it("breaks the line where nothing was recorded for much longer than the usual step", () => {
    const [times, cpu] = columns(history([[[0, 1], [10, 2], [20, 3], [200, 4], [210, 5]]]));
    expect(times).toEqual([0, 10, 20, 110, 200, 210]);
    expect(cpu).toEqual([1, 2, 3, null, 4, 5]);
  });

  it("keeps an even series whole", () => {
    const [times, cpu] = columns(history([[[0, 1], [60, 2], [120, 3], [180, 4]]]));
    expect(times).toEqual([0, 60, 120, 180]);
    expect(cpu).not.toContain(null);
  });

  it("does not break two hosts' lines whose samples fall at different seconds", () => {
    const a: [number, number][] = [[0, 1], [60, 2], [120, 3], [180, 4]];
    const b: [number, number][] = [[5, 1], [65, 2], [125, 3], [185, 4]];
    const [times, ...series] = columns(history([a, b]));
    expect(times).toHaveLength(8);
    for (const column of series) expect(column).not.toContain(null);
  });

  it("breaks only the series that stopped", () => {
    const steady: [number, number][] = [0, 10, 20, 30, 40, 50, 60, 70, 80].map((t) => [t, 1]);
    const stopped: [number, number][] = [0, 10, 20, 30, 80].map((t) => [t, 2]);
    const [, a, b] = columns(history([steady, stopped]));
    expect(a).not.toContain(null);
    expect(b.filter((v) => v === null)).toHaveLength(1);
  });
});

describe("time axis labels", () => {
  const at = (h: number, m: number, s = 0, day = 25) => new Date(2026, 10, day, h, m, s).getTime() / 1000;

  it("says hours and minutes, and the date once", () => {
    const labels = timeLabels([at(12, 18), at(12, 20), at(12, 22)]);
    expect(labels[0]).toMatch(/^12:18\n.*25/);
    expect(labels.slice(1)).toEqual(["12:20", "12:22"]);
  });

  it("adds seconds only when the ticks are under a minute apart", () => {
    expect(timeLabels([at(9, 5, 0), at(9, 5, 30)])).toEqual([expect.stringMatching(/^09:05:00\n/), "09:05:30"]);
  });

  it("gives the date again where the day changes", () => {
    const labels = timeLabels([at(22, 0, 0, 24), at(23, 0, 0, 24), at(0, 0, 0, 25), at(1, 0, 0, 25)]);
    expect(labels[1]).toBe("23:00");
    expect(labels[2]).toMatch(/^00:00\n.*25/);
    expect(labels[3]).toBe("01:00");
  });
});

describe("time axis range", () => {
  it("is what was recorded", () => {
    expect(timeRange(1000, 4600)).toEqual([1000, 4600]);
  });

  it("is at least a minute, ending at the last sample, for a single time", () => {
    expect(timeRange(5000, 5000)).toEqual([4940, 5000]);
    expect(timeRange(5000, 5020)).toEqual([4960, 5020]);
  });
});

describe("what is recorded, in the browser's zone", () => {
  const said = (covered: string, from: string, to: string, end = "2026-12-05T06:00:00Z") =>
    localCovered({
      covered,
      end,
      resolution_seconds: 60,
      series: [{ subject: "host", from, to }],
    } as unknown as History);

  it("says the first reading's time, not when the recorder began", () => {
    const first = "2026-12-05T01:07:00Z";
    expect(said("the last 5 hours (nothing is recorded in this window before 02:07 CET)", first, "2026-12-05T05:59:00Z")).toBe(
      `the last 5 hours (nothing is recorded in this window before ${clockTime(first)})`,
    );
  });

  it("says both ends of a past window, with the day", () => {
    const from = "2026-12-04T21:00:00Z";
    expect(said("8 hours from 22:00 CET on Dec 4 to 06:00 CET", from, "2026-12-05T04:59:00Z", "2026-12-05T05:00:00Z")).toBe(
      `8 hours from ${clockTime(from)} on ${shortDate(from)} to ${clockTime("2026-12-05T05:00:00Z")}`,
    );
  });

  it("says a single reading at its own time", () => {
    const at = "2026-12-05T05:40:00Z";
    expect(said("a single reading at 06:40 CET on Dec 5", at, at)).toBe(`a single reading at ${clockTime(at)} on ${shortDate(at)}`);
  });

  it("leaves words without a series as they are", () => {
    expect(localCovered({ covered: "nothing", series: [] } as unknown as History)).toBe("nothing");
  });
});
