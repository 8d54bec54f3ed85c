import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONVERSATION_STORAGE } from "./types";
import { useChat } from "./useChat";

/** The events of /api/chat/stream, all at once. */
function stream(...events: [string, unknown][]): Response {
  const body = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

function failure(status: number, detail: string): Response {
  return new Response(JSON.stringify({ detail }), { status, headers: { "Content-Type": "application/json" } });
}

/** What the page sent in the `n`th call. */
function sent(fetchMock: ReturnType<typeof vi.fn>, n: number): { message: string; conversation_id: string | null; key: string } {
  const [, init] = fetchMock.mock.calls[n] as [string, RequestInit];
  const { message, conversation_id } = JSON.parse(init.body as string) as { message: string; conversation_id: string | null };
  return { message, conversation_id, key: (init.headers as Record<string, string>)["X-API-Key"] };
}

describe("useChat", () => {
  const fetchMock = vi.fn();
  beforeEach(() => vi.stubGlobal("fetch", fetchMock));
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  it("a failed question leaves no conversation behind, and Retry asks it again in its place", async () => {
    fetchMock.mockResolvedValueOnce(failure(502, "LLM service unavailable"));
    const { result } = renderHook(() => useChat({ apiKey: "k" }));
    await act(() => result.current.send("  What is the CPU usage?  "));
    expect(result.current.messages.map((m) => [m.role, m.text])).toEqual([["user", "What is the CPU usage?"]]);
    expect(result.current.conversationId).toBeNull();
    expect(localStorage.getItem(CONVERSATION_STORAGE)).toBeNull();
    expect(result.current.answered).toBe(0);
    expect(result.current.error).toMatch(/language model is unavailable/);
    expect(result.current.retryable?.text).toBe("What is the CPU usage?");
    expect(result.current.pending).toBe(false);

    fetchMock.mockResolvedValueOnce(stream(["done", { message: "3%.", conversation_id: "c-1", tool_calls_made: [] }]));
    act(() => result.current.retry());
    await waitFor(() => expect(result.current.answered).toBe(1));
    expect(result.current.messages.map((m) => [m.role, m.text])).toEqual([
      ["user", "What is the CPU usage?"],
      ["assistant", "3%."],
    ]);
    expect(result.current.error).toBeNull();
    expect(result.current.retryable).toBeNull();
    expect(result.current.conversationId).toBe("c-1");
    expect(localStorage.getItem(CONVERSATION_STORAGE)).toBe("c-1");
    expect(sent(fetchMock, 1)).toEqual({ message: "What is the CPU usage?", conversation_id: null, key: "k" });
  });

  it("streams the answer: which tools are still being read, the text so far, then the answer with its charts", async () => {
    const encoder = new TextEncoder();
    let push: (event: string, data: unknown) => void = () => {};
    let finish: () => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (event, data) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        finish = () => controller.close();
      },
    });
    fetchMock.mockResolvedValueOnce(new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }));
    const { result } = renderHook(() => useChat({ apiKey: "k" }));
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = result.current.send("How were CPU and memory?");
    });
    expect(result.current.pending).toBe(true);
    push("tool_call", { name: "get_history", arguments: { metric: "cpu", window: "30m" } });
    push("tool_call", { name: "get_history", arguments: { metric: "memory" } });
    push("tool_result", { name: "get_history", ok: true });
    await waitFor(() => expect(result.current.live?.tools).toEqual(["get_history", "get_history"]));
    // Two calls of the same tool: one has answered, one is still being read.
    await waitFor(() => expect(result.current.live?.reading).toEqual(["get_history"]));
    push("token", { text: "CPU was " });
    push("token", { text: "low" });
    await waitFor(() => expect(result.current.live?.text).toBe("CPU was low"));
    expect(result.current.messages).toHaveLength(1);

    push("done", { message: "CPU was low, memory steady.", conversation_id: "c-7", tool_calls_made: ["get_history", "get_history"], refused: false });
    finish();
    await act(() => done);
    expect(result.current.pending).toBe(false);
    expect(result.current.live).toBeNull();
    const answer = result.current.messages[1];
    expect(answer.text).toBe("CPU was low, memory steady.");
    expect(answer.refused).toBe(false);
    expect(answer.charts).toEqual([{ metric: "cpu", window: "30m" }, { metric: "memory" }]);
    expect(answer.timelines).toBeUndefined();
    expect(result.current.conversationId).toBe("c-7");
    expect(result.current.answered).toBe(1);
  });

  it("Stop cancels the request, keeps the question for Retry and gives the message box back", async () => {
    fetchMock.mockImplementationOnce(
      (_url: string, init: RequestInit) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    );
    const onStopped = vi.fn();
    const { result } = renderHook(() => useChat({ apiKey: "k", onStopped }));
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = result.current.send("What is the CPU usage?");
    });
    expect(result.current.pending).toBe(true);
    expect(result.current.live).not.toBeNull();
    act(() => result.current.stop());
    await act(() => done);
    expect((fetchMock.mock.calls[0][1] as RequestInit).signal?.aborted).toBe(true);
    expect(result.current.pending).toBe(false);
    expect(result.current.live).toBeNull();
    expect(result.current.notice).toMatch(/^Stopped/);
    expect(result.current.error).toBeNull();
    expect(result.current.retryable?.text).toBe("What is the CPU usage?");
    expect(result.current.conversationId).toBeNull();
    expect(onStopped).toHaveBeenCalledTimes(1);
  });

  it("a question refused for its key waits for a good key and is then sent with it", async () => {
    fetchMock.mockResolvedValueOnce(failure(401, "Invalid API key"));
    const onKeyRejected = vi.fn();
    const { result } = renderHook(() => useChat({ apiKey: "old", onKeyRejected }));
    await act(() => result.current.send("How much disk is left?"));
    expect(onKeyRejected).toHaveBeenCalledTimes(1);
    expect(result.current.waitingForKey).toBe("How much disk is left?");
    expect(result.current.messages).toEqual([]);
    expect(result.current.error).toBeNull();

    fetchMock.mockResolvedValueOnce(stream(["done", { message: "42 GB free", conversation_id: "c", tool_calls_made: [] }]));
    act(() => result.current.resume("new"));
    await waitFor(() => expect(result.current.answered).toBe(1));
    expect(sent(fetchMock, 1)).toEqual({ message: "How much disk is left?", conversation_id: null, key: "new" });
    expect(result.current.waitingForKey).toBeNull();
    expect(result.current.messages.map((m) => m.text)).toEqual(["How much disk is left?", "42 GB free"]);
  });

  it("continues the conversation it answered in, and a new one starts empty and unlinked", async () => {
    fetchMock
      .mockResolvedValueOnce(stream(["done", { message: "first", conversation_id: "c-9", tool_calls_made: [] }]))
      .mockResolvedValueOnce(stream(["done", { message: "second", conversation_id: "c-9", tool_calls_made: [] }]))
      .mockResolvedValueOnce(stream(["done", { message: "third", conversation_id: "c-10", tool_calls_made: [] }]));
    const { result } = renderHook(() => useChat({ apiKey: "k" }));
    await act(() => result.current.send("one"));
    await act(() => result.current.send("two"));
    expect(sent(fetchMock, 1).conversation_id).toBe("c-9");
    act(() => result.current.startNew());
    expect(result.current.messages).toEqual([]);
    expect(localStorage.getItem(CONVERSATION_STORAGE)).toBeNull();
    await act(() => result.current.send("three"));
    expect(sent(fetchMock, 2).conversation_id).toBeNull();
    expect(localStorage.getItem(CONVERSATION_STORAGE)).toBe("c-10");
  });
});
