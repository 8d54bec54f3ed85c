// How the page says an event in a few words ("sonarr died ×4, exit 1"), and its time in the
// host's own zone (the answer names it), so a timeline reads like the assistant's answer.
import type { EventItem } from "./api";

/** `03:12`, or `Dec 4 03:12` when `withDay`; in `timeZone` (the host's), else the browser's. */
export function clock(iso: string, timeZone?: string, withDay = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withDay) Object.assign(options, { month: "short", day: "numeric" });
  try {
    return d.toLocaleString("en-GB", { ...options, timeZone });
  } catch {
    // A zone the browser does not know: the browser's own.
    return d.toLocaleString("en-GB", options);
  }
}

/** Whether it went wrong: a crash (a non-zero exit), an OOM kill, a failing check, a full disk, an alert. */
export function isTrouble(e: EventItem): boolean {
  switch (e.kind) {
    case "oom_killed":
    case "unhealthy":
    case "filesystem_high":
    case "alert_raised":
      return true;
    case "died":
      return e.exit_code !== 0;
    default:
      return false;
  }
}

const VERBS: Record<EventItem["kind"], string> = {
  created: "created",
  updated: "updated to a new image",
  started: "started",
  died: "died",
  oom_killed: "ran out of memory",
  killed: "was sent a signal",
  restarted: "restarted",
  unhealthy: "turned unhealthy",
  healthy: "healthy again",
  destroyed: "removed",
  booted: "booted",
  filesystem_high: "reached 90 % used",
  filesystem_normal: "back under 90 %",
  alert_raised: "alert raised",
  alert_cleared: "alert cleared",
};

/** `sonarr died ×4, exit 1`, `host booted`, `/mnt/media reached 92 % used`. */
export function describeEvent(e: EventItem): string {
  const who = e.host ? `${e.subject} (${e.host})` : e.subject;
  let verb = VERBS[e.kind] ?? e.kind;
  if (e.kind === "killed" && e.signal) {
    verb = ["15", "SIGTERM", "TERM"].includes(e.signal) ? "stopped" : ["9", "SIGKILL", "KILL"].includes(e.signal) ? "killed" : `got signal ${e.signal}`;
  }
  if (e.kind === "filesystem_high" && typeof e.percent_used === "number") verb = `reached ${Math.round(e.percent_used)} % used`;
  const parts = [`${who} ${verb}`];
  // A loop kept as one record that reaches past the window: its count is not all this window's.
  if ((e.count ?? 1) > 1) parts[0] += e.partly_outside ? ` ×${e.count} (some outside this window)` : ` ×${e.count}`;
  if (typeof e.exit_code === "number") parts.push(`exit ${e.exit_code}`);
  if (e.kind.startsWith("alert_") && e.text) parts.push(e.text);
  return parts.join(", ");
}
