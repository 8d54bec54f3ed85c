import { useEffect, useState } from "react";
import { ToolChips } from "./ToolChips";

/** Whole seconds since `since` (ms since the epoch), again every second while shown. Counted from
 *  the clock rather than from the ticks, so a tab the browser slowed down in the background still
 *  shows the true time when it comes back. The one timer goes with the component: when the text
 *  starts, when the answer is stopped or fails, and when the page goes. */
export function useElapsedSeconds(since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, Math.floor((now - since) / 1000));
}

/** `12 s`, or `1 min 5 s` once it is a minute. */
export function elapsedWords(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** What the assistant is doing: reading a tool's answer while one runs (these are quick, or slow
 *  for a reason worth naming: TrueNAS, long logs), otherwise thinking, which on a local model is
 *  most of the wait. */
export function doing(reading: string[]): string {
  if (reading.length === 0) return "Thinking…";
  if (reading.length === 1) return `Reading ${reading[0]}…`;
  return `Reading ${reading.length} tools…`;
}

interface Props {
  /** When the question was sent (ms since the epoch). */
  since: number;
  /** Tools started so far, shown as chips. */
  tools: string[];
  /** Tools started whose results have not come back. */
  reading: string[];
}

/** The assistant's bubble while an answer is worked on and none of its text has come: what it does
 *  and for how long, so that a slow local model is seen to be working. A screen reader hears what
 *  it does when that changes, never the seconds (they are hidden from it), and the conversation's
 *  log does not grow a line a second. */
export function Thinking({ since, tools, reading }: Props) {
  const seconds = useElapsedSeconds(since);
  const phrase = doing(reading);
  return (
    <div className="bubble assistant thinking" data-thinking="">
      <p className="thinking-line" role="status" aria-label={phrase}>
        <span className="pulse" aria-hidden="true" />
        <span className="phrase">{phrase}</span>{" "}
        <span className="elapsed" aria-hidden="true">
          {elapsedWords(seconds)}
        </span>
      </p>
      {tools.length > 0 && <ToolChips tools={tools} />}
    </div>
  );
}
