// The one typed client of the gateway API. It calls a relative `/api/chat`, which nginx proxies
// to the gateway, so the UI works from any machine on the LAN. Its types are generated from the
// gateway's OpenAPI document (src/api/schema.ts, `npm run api-types`).

import { createParser } from "eventsource-parser";
import type { components } from "./api/schema";
import { browserTimeZone } from "./clock";

export type ChatRequest = components["schemas"]["ChatRequest"];
export type ChatResponse = components["schemas"]["ChatResponse"];
/** One event of `/chat/stream`: its name in `event`, its payload in `data`. */
export type ChatEvent = components["schemas"]["ChatEvent"];

/** A failed call: the HTTP status (0 when the gateway could not be reached) and its detail. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly detail: string,
    public readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

export const API_BASE = "/api";

export async function sendChat(
  message: string,
  conversationId: string | null,
  apiKey: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ChatResponse> {
  let response: Response;
  try {
    response = await fetchImpl(`${API_BASE}/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": apiKey },
      body: JSON.stringify({ message, conversation_id: conversationId, time_zone: browserTimeZone() } satisfies ChatRequest),
    });
  } catch {
    throw new ApiError(0, "The assistant could not be reached");
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail =
      body && typeof body === "object" && "detail" in body && typeof body.detail === "string"
        ? body.detail
        : response.statusText || "Request failed";
    const retry = Number(response.headers.get("Retry-After"));
    throw new ApiError(response.status, detail, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return body as ChatResponse;
}

/** What a streamed chat reports while it works. */
export interface StreamHandlers {
  /** A tool is about to run, with the arguments the model gave it. */
  onToolCall?: (name: string, args: unknown) => void;
  onToolResult?: (name: string, ok: boolean) => void;
  /** A piece of the answer, as the model generates it. */
  onToken?: (text: string) => void;
  /** The whole answer. */
  onMessage?: (text: string) => void;
}

/** The chat over Server-Sent Events (`/api/chat/stream`): progress through `handlers`, the final
 *  answer as the result. Aborting `signal` closes the stream, which stops the work on the server. */
export async function streamChat(
  message: string,
  conversationId: string | null,
  apiKey: string,
  handlers: StreamHandlers,
  signal?: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<ChatResponse> {
  let response: Response;
  try {
    response = await fetchImpl(`${API_BASE}/chat/stream`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": apiKey, Accept: "text/event-stream" },
      body: JSON.stringify({ message, conversation_id: conversationId, time_zone: browserTimeZone() } satisfies ChatRequest),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(0, "The assistant could not be reached");
  }
  if (!response.ok || !response.body) {
    let detail = response.statusText || "Request failed";
    try {
      const body = (await response.json()) as { detail?: unknown };
      if (typeof body.detail === "string") detail = body.detail;
    } catch {
      // keep the status text
    }
    const retry = Number(response.headers.get("Retry-After"));
    throw new ApiError(response.status, detail, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  // Server-Sent Events decoded by eventsource-parser; the text by TextDecoderStream, which keeps
  // a character split across two network chunks whole.
  let answer: ChatResponse | undefined;
  let failure: ApiError | undefined;
  const parser = createParser({
    onEvent(message) {
      if (answer || failure) return;
      let event: ChatEvent;
      try {
        event = { event: message.event, data: JSON.parse(message.data) } as ChatEvent;
      } catch {
        failure = new ApiError(502, "The assistant sent something unreadable");
        return;
      }
      switch (event.event) {
        case "tool_call":
          handlers.onToolCall?.(event.data.name, event.data.arguments);
          break;
        case "tool_result":
          handlers.onToolResult?.(event.data.name, event.data.ok);
          break;
        case "token":
          handlers.onToken?.(event.data.text);
          break;
        case "message":
          handlers.onMessage?.(event.data.text);
          break;
        case "done":
          answer = event.data;
          break;
        case "error":
          failure = new ApiError(502, event.data.detail ?? "The chat failed");
          break;
      }
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
    if (answer) return answer;
    if (failure) throw failure;
  }
  throw new ApiError(502, "Backend service unavailable");
}

/** One stored message of a conversation, as the gateway returns it. */
export interface StoredMessage {
  role: string;
  content: string | null;
  /** On a turn that asked for tools: the calls, their arguments as a JSON string. */
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
  /** On a final answer: the tools that ran for it. */
  tool_calls_made?: string[];
  /** On an answer that refused a request for a change. */
  refused?: boolean;
  created_at?: string;
}

export type ConversationSummary = components["schemas"]["ConversationSummary"];

/** A keyed call that answers JSON: the body, or an ApiError with the status and detail. */
async function keyedJson<T>(path: string, apiKey: string, init: RequestInit, fetchImpl: typeof fetch): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(`${API_BASE}${path}`, { ...init, headers: { "X-API-Key": apiKey } });
  } catch {
    throw new ApiError(0, "The assistant could not be reached");
  }
  const body = (await response.json().catch(() => null)) as { detail?: unknown } | null;
  if (!response.ok) {
    const detail = typeof body?.detail === "string" ? body.detail : response.statusText || "Request failed";
    throw new ApiError(response.status, detail);
  }
  return body as T;
}

/** The conversations the assistant keeps, newest first. */
export async function listConversations(apiKey: string, fetchImpl: typeof fetch = fetch): Promise<ConversationSummary[]> {
  const list = await keyedJson<components["schemas"]["ConversationList"]>("/conversations", apiKey, {}, fetchImpl);
  return list.conversations;
}

/** Forgets a conversation on the server. */
export async function deleteConversation(id: string, apiKey: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  await keyedJson(`/conversations/${encodeURIComponent(id)}`, apiKey, { method: "DELETE" }, fetchImpl);
}

/** A conversation's stored messages, to restore the chat after a reload. */
export async function loadConversation(
  conversationId: string,
  apiKey: string,
  fetchImpl: typeof fetch = fetch,
): Promise<StoredMessage[]> {
  // The gateway's own detail ("Conversation not found") when it refuses, like every other read.
  const body = await keyedJson<{ messages?: StoredMessage[] }>(
    `/conversations/${encodeURIComponent(conversationId)}`,
    apiKey,
    {},
    fetchImpl,
  );
  return body.messages ?? [];
}

/** The start of the gateway's detail when the selected cloud provider has no key. */
const NOT_CONFIGURED = "LLM provider not configured";

/** Plain words for an error, saying which part is down where that is known. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  // Whatever the status (a stream reports it as an event): no model is set up, which is for the
  // person running the assistant to fix, and the detail says with which variable.
  if (error.detail.startsWith(NOT_CONFIGURED)) {
    const fix = error.detail.slice(NOT_CONFIGURED.length).replace(/^[:\s]+/, "");
    return fix
      ? `No language model is set up: ${fix}, then restart the assistant.`
      : "No language model is set up: set the selected provider's API key, or LLM_PROVIDER=builtin, then restart the assistant.";
  }
  switch (error.status) {
    case 0:
      return "Cannot reach the assistant. Is the gateway running?";
    case 401:
      return "The API key was not accepted. Please enter it again.";
    case 413:
    case 422:
      return `The message was not accepted: ${error.detail}`;
    case 429:
      return error.retryAfter
        ? `Slow down: too many requests. Retry in ${error.retryAfter} s.`
        : "Slow down: too many requests. Retry in a moment.";
    case 502:
      return error.detail === "LLM service unavailable"
        ? "The language model is unavailable right now (LLM service down or unreachable)."
        : "The assistant's backend is down (orchestrator unreachable).";
    case 503:
      return `A service is not available: ${error.detail}.`;
    case 504:
      return "The assistant took too long to answer (backend timed out).";
    default:
      return `Error ${error.status}: ${error.detail}`;
  }
}

/** Whether the gateway accepts `apiKey`: "ok", "invalid" (401), or "unreachable" (no answer or
 *  another error). It asks for the gateway's `/metrics`, which needs the key but does not spend
 *  the key's rate limit. */
export async function checkKey(apiKey: string, fetchImpl: typeof fetch = fetch): Promise<"ok" | "invalid" | "unreachable"> {
  try {
    const response = await fetchImpl(`${API_BASE}/metrics`, { headers: { "X-API-Key": apiKey } });
    if (response.status === 401) return "invalid";
    return response.ok ? "ok" : "unreachable";
  } catch {
    return "unreachable";
  }
}

export type Status = components["schemas"]["Status"];
export type Glance = components["schemas"]["Glance"];
export type History = components["schemas"]["History"];
export type HistorySeries = components["schemas"]["HistorySeries"];

/** The homelab at a glance, per host: CPU, memory, the fullest disk, containers and problems. */
export async function getStatus(apiKey: string, fetchImpl: typeof fetch = fetch): Promise<Glance> {
  return keyedJson<Glance>("/status", apiKey, {}, fetchImpl);
}

/** What one `get_history` call asked for; the chart under the answer asks the same. */
export interface HistoryQuery {
  metric: string;
  window?: string;
  /** A fixed span (RFC 3339), instead of a window back from now. */
  start?: string;
  end?: string;
  name?: string;
  /** With several hosts: the one asked (every host when absent). */
  host?: string;
}

/** The history call among a tool call's name and arguments, or null for any other tool. */
export function historyQuery(name: string, args: unknown): HistoryQuery | null {
  if (name !== "get_history" || !args || typeof args !== "object") return null;
  const { metric, window, start, end, name: container, host } = args as Record<string, unknown>;
  if (typeof metric !== "string") return null;
  return {
    metric,
    ...(typeof window === "string" ? { window } : {}),
    ...(typeof start === "string" ? { start } : {}),
    ...(typeof end === "string" ? { end } : {}),
    ...(typeof container === "string" ? { name: container } : {}),
    ...(typeof host === "string" ? { host } : {}),
  };
}

/** One metric's history with points for a chart. */
export async function getHistory(query: HistoryQuery, apiKey: string, fetchImpl: typeof fetch = fetch): Promise<History> {
  const params = new URLSearchParams({ metric: query.metric });
  if (query.start || query.end) {
    if (query.start) params.set("start", query.start);
    if (query.end) params.set("end", query.end);
  } else if (query.window) {
    params.set("window", query.window);
  }
  if (query.name) params.set("name", query.name);
  if (query.host) params.set("host", query.host);
  return keyedJson<History>(`/history?${params}`, apiKey, {}, fetchImpl);
}

export type Events = components["schemas"]["Events"];
export type EventItem = components["schemas"]["Event"];
export type EventGap = components["schemas"]["EventGap"];

/** What one `get_events` call asked for; the timeline under the answer asks the same. */
export interface EventsQuery {
  window?: string;
  since?: string;
  until?: string;
  container?: string;
  kind?: string;
  /** With several hosts: the one asked (every host when absent). */
  host?: string;
}

const EVENTS_KEYS = ["window", "since", "until", "container", "kind", "host"] as const;

/** The events call among a tool call's name and arguments, or null for any other tool. */
export function eventsQuery(name: string, args: unknown): EventsQuery | null {
  if (name !== "get_events" || !args || typeof args !== "object") return null;
  const given = args as Record<string, unknown>;
  const query: EventsQuery = {};
  for (const key of EVENTS_KEYS) {
    const value = given[key];
    if (typeof value === "string") query[key] = value;
  }
  return query;
}

/** What happened over a window, every host's merged (each event names its host then). */
export async function getEvents(query: EventsQuery, apiKey: string, fetchImpl: typeof fetch = fetch): Promise<Events> {
  const params = new URLSearchParams();
  for (const key of EVENTS_KEYS) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  const search = params.toString();
  const events = await keyedJson<Events>(`/events${search ? `?${search}` : ""}`, apiKey, {}, fetchImpl);
  // Drawn as lists: an answer of another shape is an error, never an empty timeline.
  if (!events || !Array.isArray(events.events) || !Array.isArray(events.gaps)) {
    throw new ApiError(502, "The events came back in a form that could not be read");
  }
  return events;
}
