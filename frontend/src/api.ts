// The one typed client of the gateway API. It calls a relative `/api/chat`, which nginx proxies
// to the gateway, so the UI works from any machine on the LAN.

export interface ChatResponse {
  message: string;
  conversation_id: string;
  tool_calls_made: string[];
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
