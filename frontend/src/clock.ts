// One time convention on the page: the browser's own time zone, on a 24-hour clock, for the
// times the page shows and (the chat asks the builtin model for the browser's zone) the times in
// its answers.

/** The browser's IANA time zone (`Europe/Berlin`), sent with each question. */
export function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

/** `14:05`, in the browser's time zone; empty for text that is not a time. */
export function clockTime(iso: string | number | Date): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** `Dec 5`, in the browser's time zone. */
export function shortDate(iso: string | number | Date): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString([], { month: "short", day: "numeric" });
}

/** Seconds a window such as `30m`, `6h`, `1d` or `2w` spans; `null` when it is not one. */
export function windowSeconds(window: string): number | null {
  const m = /^(\d+)\s*([smhdw])$/.exec(window.trim());
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as "s" | "m" | "h" | "d" | "w"];
  return Number(m[1]) * unit;
}
