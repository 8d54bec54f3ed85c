import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { describeError, getHistory, type History, type HistoryQuery } from "./api";
import { columns, localCovered, timeLabels, timeRange } from "./chartData";
import { clockTime } from "./clock";

/** Line colours that read on the light and the dark background alike. */
const COLOURS = ["#2f7de1", "#e0613a", "#2aa876", "#b35fd1", "#c99a06"];

const NAMES: Record<string, string> = {
  cpu: "CPU use",
  memory: "Memory use",
  load: "Load (1 min)",
  disk: "Space used",
  network: "Network",
  container_cpu: "Container CPU",
  container_memory: "Container memory",
};

function label(history: History, subject: string, instance?: string | null): string {
  const who = subject === "host" ? NAMES[history.metric] ?? history.metric : subject;
  return instance ? `${who} (${instance})` : who;
}

/** The chart of what a `get_history` call looked at, drawn with uPlot under the answer. The
 *  figures come from the gateway's `/history` (the same check as the model's call, with points). */
export default function HistoryChart({ query, apiKey }: { query: HistoryQuery; apiKey: string }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // A span asked without an end runs until the answer: the time the chart first came.
  const [drawnAt] = useState(() => Date.now());

  useEffect(() => {
    let gone = false;
    getHistory(query, apiKey)
      .then((h) => !gone && setHistory(h))
      .catch((e) => !gone && setProblem(describeError(e)));
    return () => {
      gone = true;
    };
  }, [query, apiKey]);

  useEffect(() => {
    const el = boxRef.current;
    if (!el || !history || history.series.every((s) => !s.points?.length)) return;
    const styles = getComputedStyle(el);
    const text = styles.color;
    const grid = styles.getPropertyValue("--border").trim() || "#888";
    const unit = history.unit;
    const data = columns(history);
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 170,
        legend: { show: history.series.length > 1 },
        // Room on the right for the last time label, which is centred on the edge.
        padding: [null, 28, null, null],
        cursor: { drag: { x: false, y: false } },
        hooks: {
          // The seconds the time axis spans, for the browser tests (a 10-minute chart must not
          // span years).
          setScale: [(u, key) => void (key === "x" && (el.dataset.span = String(Math.round((u.scales.x.max ?? 0) - (u.scales.x.min ?? 0)))))],
        },
        // From the data itself: for a single time uPlot would stretch the axis over years.
        scales: { x: { time: true, range: () => timeRange(data[0][0] ?? null, data[0][data[0].length - 1] ?? null) } },
        axes: [
          { ...axis, space: 70, values: (_u, ticks) => timeLabels(ticks) },
          { ...axis, size: 56, values: (_u, ticks) => ticks.map((v) => `${+v.toFixed(2)}${unit === "%" ? "%" : ""}`) },
        ],
        series: [
          {},
          ...history.series.map((s, i) => ({
            label: label(history, s.subject, s.instance),
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            spanGaps: false,
            value: (_u: uPlot, v: number | null | undefined) => (v == null ? "–" : `${+v.toFixed(2)} ${unit}`.trim()),
          })),
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 170 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [history]);

  // What is really recorded ("the last 6 minutes, since recording began at 19:08"), never a
  // longer window than the data; until the answer is in, what was asked. Times in the browser's
  // zone: the server's words name the host's.
  const asked = query.start || query.end ? `${query.start ? clockTime(query.start) : ""}–${clockTime(query.end ?? drawnAt)}` : `last ${query.window ?? "1h"}`;
  const span =
    history?.covered && history.covered !== "nothing" ? localCovered(history) : asked;
  const title = `${NAMES[query.metric] ?? query.metric}${query.name ? ` of ${query.name}` : ""}${query.host ? ` on ${query.host}` : ""}, ${span}${history?.unit ? ` (${history.unit})` : ""}`;
  const summary = history?.series
    .map((s) => `${label(history, s.subject, s.instance)}: ${s.min} to ${s.max}, mean ${s.mean}`)
    .join("; ");
  return (
    <figure className="history-chart" data-metric={query.metric} aria-label={title}>
      <figcaption>
        {title}
        {history?.source === "prometheus" && <span className="source"> · Prometheus</span>}
      </figcaption>
      {problem && <p className="chart-note">No chart: {problem}</p>}
      {history && history.series.length === 0 && <p className="chart-note">Nothing recorded yet to draw.</p>}
      <div ref={boxRef} className="chart-box" role="img" aria-label={summary || title} />
    </figure>
  );
}
