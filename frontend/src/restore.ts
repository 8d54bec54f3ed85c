// A stored conversation (`GET /conversations/{id}`) turned back into the page's bubbles: the
// questions and final answers, each answer still marked when it refused, and with the charts it
// had, drawn over the same span of time as when it was answered.

import { historyQuery, type HistoryQuery, type StoredMessage } from "./api";
import { windowSeconds } from "./clock";
import type { ChatMessage } from "./types";

/** A chart asked for as a window back from "now", pinned to end when the answer was given. */
export function pinned(query: HistoryQuery, answeredAt: string | undefined): HistoryQuery {
  if (query.start || query.end || !answeredAt) return query;
  const end = new Date(answeredAt);
  const seconds = windowSeconds(query.window ?? "1h");
  if (Number.isNaN(end.getTime()) || seconds === null) return query;
  // The span replaces the window.
  const rest = { ...query };
  delete rest.window;
  return { ...rest, start: new Date(end.getTime() - seconds * 1000).toISOString(), end: end.toISOString() };
}

/** The history calls among one stored turn's tool calls (arguments are a JSON string there). */
function chartsOf(message: StoredMessage): HistoryQuery[] {
  const charts: HistoryQuery[] = [];
  for (const call of message.tool_calls ?? []) {
    let args: unknown;
    try {
      args = JSON.parse(call.function?.arguments ?? "null");
    } catch {
      continue;
    }
    const chart = historyQuery(call.function?.name ?? "", args);
    if (chart) charts.push(chart);
  }
  return charts;
}

/** The bubbles of a stored conversation; `nextId` numbers them. */
export function restore(stored: StoredMessage[], nextId: () => number): ChatMessage[] {
  const out: ChatMessage[] = [];
  // The history the model looked at since the last question, drawn under the answer that follows.
  let charts: HistoryQuery[] = [];
  for (const m of stored) {
    if (m.role === "user") {
      charts = [];
      out.push({ id: nextId(), role: "user", text: m.content ?? "", time: m.created_at });
    } else if (m.role === "assistant" && m.tool_calls_made === undefined) {
      charts.push(...chartsOf(m));
    } else if (m.role === "assistant") {
      out.push({
        id: nextId(),
        role: "assistant",
        text: m.content ?? "",
        tools: m.tool_calls_made,
        refused: m.refused === true || undefined,
        charts: charts.length > 0 ? charts.map((c) => pinned(c, m.created_at)) : undefined,
        time: m.created_at,
      });
      charts = [];
    }
  }
  return out;
}
