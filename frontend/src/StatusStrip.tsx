import { useEffect, useState } from "react";
import { getStatus, type Status } from "./api";

/** How often the strip asks again while the page is shown (ms). `?refresh=5` (seconds, at least 2)
 *  changes it, for a wall display or a test. */
export function refreshEvery(search: string = window.location.search): number {
  const asked = Number(new URLSearchParams(search).get("refresh"));
  return Number.isFinite(asked) && asked >= 2 ? asked * 1000 : 15_000;
}

function Gauge({ label, value, detail }: { label: string; value: number | null | undefined; detail?: string }) {
  if (value === null || value === undefined) {
    return (
      <span className="gauge unknown">
        {label} <span className="gauge-value">–</span>
      </span>
    );
  }
  const level = value >= 90 ? "high" : value >= 75 ? "warm" : "ok";
  return (
    <span className={`gauge ${level}`} title={detail}>
      <span className="gauge-label">{label}</span>
      <meter min={0} max={100} low={75} high={90} optimum={0} value={value} aria-label={`${label} ${value.toFixed(0)}%`} />
      <span className="gauge-value">{value.toFixed(0)}%</span>
    </span>
  );
}

/** The homelab at a glance, above the conversation: CPU, memory and the fullest disk as gauges,
 *  containers running and stopped, and how many problems there are. It asks again every 15 s,
 *  and not at all while the tab is hidden (at once when it is shown again). */
export function StatusStrip({ apiKey, every = refreshEvery() }: { apiKey: string; every?: number }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!apiKey) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      clearTimeout(timer);
      if (document.hidden) return;
      try {
        setStatus(await getStatus(apiKey));
        setFailed(false);
      } catch {
        setFailed(true);
      }
      if (!stopped && !document.hidden) timer = setTimeout(load, every);
    };
    const onVisibility = () => {
      if (document.hidden) clearTimeout(timer);
      else void load();
    };
    document.addEventListener("visibilitychange", onVisibility);
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [apiKey, every]);

  if (!apiKey || (!status && !failed)) return null;
  if (!status) {
    return (
      <section className="status-strip" aria-label="The homelab at a glance">
        <span className="gauge unknown">Status unavailable</span>
      </section>
    );
  }
  const c = status.containers;
  const problems = status.problems;
  const problemText = status.problem_list.map((p) => `${p.subject}: ${p.reason}`).join("\n");
  return (
    <section className="status-strip" aria-label="The homelab at a glance" data-stale={failed || undefined}>
      <Gauge label="CPU" value={status.cpu_percent} />
      <Gauge label="Memory" value={status.memory_percent} />
      <Gauge
        label="Disk"
        value={status.disk?.percent_used}
        detail={status.disk ? `${status.disk.path}: ${status.disk.free_gb} GB free of ${status.disk.total_gb} GB` : undefined}
      />
      <span className="gauge containers" title={c ? `${c.total} containers` : status.unavailable.join("\n")}>
        {c ? (
          <>
            <span className="count">{c.running}</span> running · <span className="count">{c.stopped}</span> stopped
          </>
        ) : (
          "Containers –"
        )}
      </span>
      <span
        className={problems ? "gauge problems high" : "gauge problems ok"}
        title={problemText || undefined}
        data-problems={problems ?? undefined}
      >
        {problems === null || problems === undefined
          ? "Problems –"
          : problems === 0
            ? "No problems"
            : `${problems} problem${problems === 1 ? "" : "s"}`}
      </span>
    </section>
  );
}
