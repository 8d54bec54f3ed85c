import { useState } from "react";
import { usePolling } from "./usePolling";
import { getStatus, type Glance, type Status } from "./api";
import { Problems } from "./Problems";

/** How often the strip asks again while the page is shown (ms). `?refresh=5` (seconds, at least 2)
 *  changes it, for a wall display or a test. */
export function refreshEvery(search: string = window.location.search): number {
  const asked = Number(new URLSearchParams(search).get("refresh"));
  return Number.isFinite(asked) && asked >= 2 ? asked * 1000 : 15_000;
}

/** A 0–100 % figure as a meter; `label` names it for screen readers (with its host), `short` on screen. */
function Gauge({
  label,
  short = label,
  value,
  detail,
}: {
  label: string;
  short?: string;
  value: number | null | undefined;
  detail?: string;
}) {
  if (value === null || value === undefined) {
    return (
      <span className="gauge unknown">
        {short} <span className="gauge-value">–</span>
      </span>
    );
  }
  const level = value >= 90 ? "high" : value >= 75 ? "warm" : "ok";
  return (
    <span className={`gauge ${level}`} title={detail}>
      <span className="gauge-label">{short}</span>
      <meter min={0} max={100} low={75} high={90} optimum={0} value={value} aria-label={`${label} ${value.toFixed(0)}%`} />
      <span className="gauge-value">{value.toFixed(0)}%</span>
    </span>
  );
}

/** The homelab at a glance, above the conversation: CPU, memory and the fullest disk as gauges,
 *  containers running and stopped, and how many problems there are. It asks again every 15 s,
 *  and not at all while the tab is hidden (at once when it is shown again). */
export function StatusStrip({ apiKey, every = refreshEvery() }: { apiKey: string; every?: number }) {
  const [glance, setGlance] = useState<Glance | null>(null);
  const [failed, setFailed] = useState(false);

  usePolling(apiKey, every, async (key) => {
    try {
      setGlance(await getStatus(key));
      setFailed(false);
    } catch {
      setFailed(true);
    }
  });

  if (!apiKey || (!glance && !failed)) return null;
  if (!glance || glance.hosts.length === 0) {
    return (
      <section className="status-strip" aria-label="The homelab at a glance">
        <span className="gauge unknown">Status unavailable</span>
      </section>
    );
  }
  // One row per host; the host is named only when there are several.
  const several = glance.hosts.length > 1;
  return (
    <section className="status-strip" aria-label="The homelab at a glance" data-stale={failed || undefined}>
      {glance.hosts.map((status) => (
        <HostRow key={status.host} status={status} named={several} />
      ))}
    </section>
  );
}

function HostRow({ status, named }: { status: Status; named: boolean }) {
  const c = status.containers;
  const silent = status.cpu_percent === null || status.cpu_percent === undefined;
  const prefix = named ? `${status.host}: ` : "";
  if (named && silent) {
    // A host that did not answer is one short line, saying why on hover.
    return (
      <div className="host-row" data-host={status.host} aria-label={`Host ${status.host}`} role="group">
        <span className="host-name" title={status.unavailable.join("\n")}>
          {status.host}
          <span className="host-silent"> (no answer)</span>
        </span>
      </div>
    );
  }
  return (
    <div className="host-row" data-host={status.host} aria-label={named ? `Host ${status.host}` : undefined} role={named ? "group" : undefined}>
      {named && (
        <span className="host-name">{status.host}</span>
      )}
      <Gauge label={`${prefix}CPU`} value={status.cpu_percent} short="CPU" />
      <Gauge label={`${prefix}Memory`} value={status.memory_percent} short="Memory" />
      <Gauge
        label={`${prefix}Disk`}
        short="Disk"
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
      <Problems status={status} prefix={prefix} />
    </div>
  );
}
