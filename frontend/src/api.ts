// The one typed client of the gateway API. It calls a relative `/api/chat`, which nginx proxies
// to the gateway, so the UI works from any machine on the LAN.

export interface ChatResponse {
  message: string;
  conversation_id: string;
  tool_calls_made: string[];
  /** Present and true when the request asked for a change and was refused (read-only). */
  refused?: boolean;
}

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
      body: JSON.stringify({ message, conversation_id: conversationId }),
    });
  } catch {
    throw new ApiError(0, "The assistant could not be reached");
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
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
  onToolCall?: (name: string) => void;
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
      body: JSON.stringify({ message, conversation_id: conversationId }),
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
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || data === undefined) continue;
      const payload = JSON.parse(data);
      if (event === "tool_call") handlers.onToolCall?.(payload.name);
      else if (event === "tool_result") handlers.onToolResult?.(payload.name, payload.ok);
      else if (event === "token") handlers.onToken?.(payload.text);
      else if (event === "message") handlers.onMessage?.(payload.text);
      else if (event === "done") return payload as ChatResponse;
      else if (event === "error") throw new ApiError(502, payload.detail ?? "The chat failed");
    }
  }
  throw new ApiError(502, "Backend service unavailable");
}

/** One stored message of a conversation, as the gateway returns it. */
export interface StoredMessage {
  role: string;
  content: string | null;
  tool_calls_made?: string[];
}

/** A conversation's stored messages, to restore the chat after a reload. */
export async function loadConversation(
  conversationId: string,
  apiKey: string,
  fetchImpl: typeof fetch = fetch,
): Promise<StoredMessage[]> {
  let response: Response;
  try {
    response = await fetchImpl(`${API_BASE}/conversations/${encodeURIComponent(conversationId)}`, {
      headers: { "X-API-Key": apiKey },
    });
  } catch {
    throw new ApiError(0, "The assistant could not be reached");
  }
  if (!response.ok) throw new ApiError(response.status, response.statusText || "Request failed");
  const body = (await response.json()) as { messages?: StoredMessage[] };
  return body.messages ?? [];
}

/** Plain words for an error, saying which part is down where that is known. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
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
