import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationSummary, StoredMessage } from "./api";
import { CONVERSATION_STORAGE, KEY_STORAGE } from "./types";
import { useChat } from "./useChat";
import { useConversations } from "./useConversations";

/** The two hooks as the page wires them. */
function usePage(apiKey: string) {
  const chat = useChat({ apiKey });
  const conversations = useConversations({ apiKey, chat });
  return { chat, conversations };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function answer(message: string, conversationId: string): Response {
  const done = { message, conversation_id: conversationId, tool_calls_made: [] };
  return new Response(`event: done\ndata: ${JSON.stringify(done)}\n\n`, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

function summary(id: string, title: string): ConversationSummary {
  return { conversation_id: id, title, last_active_at: "2026-11-24T10:00:00Z", message_count: 1 };
}

/** A conversation the gateway keeps: a question about the disk, then one it refused. */
const kept: StoredMessage[] = [
  { role: "user", content: "How much disk is left?", created_at: "2026-11-24T10:00:00Z" },
  { role: "assistant", content: null, tool_calls: [{ id: "x", function: { name: "get_system_resources", arguments: "{}" } }] },
  { role: "tool", content: "{}" },
  { role: "assistant", content: "60 GB free on /.", tool_calls_made: ["get_system_resources"], created_at: "2026-11-24T10:00:01Z" },
  { role: "user", content: "Restart plex", created_at: "2026-11-24T10:01:00Z" },
  { role: "assistant", content: "I can't: read-only.", tool_calls_made: [], refused: true, created_at: "2026-11-24T10:01:00.1Z" },
];

describe("useConversations", () => {
  /** The gateway: `lists` answers each GET /conversations in turn (the last one again after). */
  let lists: ConversationSummary[][] = [];
  const stored = new Map<string, StoredMessage[]>();
  const listCalls = vi.fn();
  const chatMock = vi.fn();
  const deleteMock = vi.fn();
  beforeEach(() => {
    lists = [[]];
    stored.clear();
    vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
      if (url === "/api/conversations") {
        listCalls(init);
        const list = lists.length > 1 ? lists.shift()! : lists[0];
        return Promise.resolve(json(200, { conversations: list }));
      }
      if (url === "/api/chat/stream") return chatMock(url, init);
      const id = decodeURIComponent(url.replace("/api/conversations/", ""));
      if (init?.method === "DELETE") return deleteMock(id);
      const messages = stored.get(id);
      return Promise.resolve(messages ? json(200, { conversation_id: id, messages }) : json(404, { detail: "Conversation not found" }));
    });
  });
  afterEach(() => {
    listCalls.mockReset();
    chatMock.mockReset();
    deleteMock.mockReset();
    vi.unstubAllGlobals();
  });

  it("after a reload, the conversation shown comes back with its refusal still marked, and the next question continues it", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    localStorage.setItem(CONVERSATION_STORAGE, "c-42");
    stored.set("c-42", kept);
    const { result } = renderHook(() => usePage("k"));
    await waitFor(() => expect(result.current.chat.messages).toHaveLength(4));
    const [question, fine, asked, refusal] = result.current.chat.messages;
    expect([question.text, fine.text, asked.text, refusal.text]).toEqual([
      "How much disk is left?",
      "60 GB free on /.",
      "Restart plex",
      "I can't: read-only.",
    ]);
    expect(refusal.refused).toBe(true);
    expect(fine.refused).toBeUndefined();
    expect(new Set(result.current.chat.messages.map((m) => m.id)).size).toBe(4);

    chatMock.mockResolvedValueOnce(answer("Memory is fine.", "c-42"));
    await act(() => result.current.chat.send("And memory?"));
    expect(JSON.parse(chatMock.mock.calls[0][1].body).conversation_id).toBe("c-42");
    // The new bubbles are numbered after the restored ones.
    expect(new Set(result.current.chat.messages.map((m) => m.id)).size).toBe(6);
  });

  it("after a reload, a conversation that has gone is not continued: the next question starts a new one", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    localStorage.setItem(CONVERSATION_STORAGE, "c-pruned");
    const { result } = renderHook(() => usePage("k"));
    await waitFor(() => expect(localStorage.getItem(CONVERSATION_STORAGE)).toBeNull());
    expect(result.current.chat.conversationId).toBeNull();
    expect(result.current.chat.messages).toEqual([]);
    expect(result.current.chat.error).toBeNull();
    chatMock.mockResolvedValueOnce(answer("Hello.", "c-new"));
    await act(() => result.current.chat.send("Hi"));
    expect(JSON.parse(chatMock.mock.calls[0][1].body).conversation_id).toBeNull();
  });

  it("lists the conversations with the key, and again after each answer; without a key it asks nothing", async () => {
    const { result, rerender } = renderHook(({ key }) => usePage(key), { initialProps: { key: "" } });
    await act(() => Promise.resolve());
    expect(listCalls).not.toHaveBeenCalled();

    lists = [[summary("c-1", "Old question")], [summary("c-2", "CPU?"), summary("c-1", "Old question")]];
    rerender({ key: "k" });
    await waitFor(() => expect(result.current.conversations.list.map((c) => c.conversation_id)).toEqual(["c-1"]));
    expect(listCalls.mock.calls[0][0].headers["X-API-Key"]).toBe("k");

    chatMock.mockResolvedValueOnce(answer("3%.", "c-2"));
    await act(() => result.current.chat.send("CPU?"));
    await waitFor(() => expect(result.current.conversations.list.map((c) => c.conversation_id)).toEqual(["c-2", "c-1"]));
    expect(listCalls).toHaveBeenCalledTimes(2);
  });

  it("shows the list that was asked for last, even when an earlier answer comes back after it", async () => {
    const answers: ((list: ConversationSummary[]) => void)[] = [];
    vi.stubGlobal("fetch", () =>
      new Promise<Response>((resolve) => answers.push((list) => resolve(json(200, { conversations: list })))),
    );
    const { result } = renderHook(() => usePage("k"));
    act(() => result.current.conversations.refresh());
    expect(answers).toHaveLength(2);
    await act(async () => answers[1]([summary("new", "Newer")]));
    await act(async () => answers[0]([summary("old", "Older")]));
    expect(result.current.conversations.list.map((c) => c.conversation_id)).toEqual(["new"]);
  });

  it("opens a conversation; one that cannot be loaded says why, leaves the page as it was and refreshes the list", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    stored.set("c-42", kept);
    const { result } = renderHook(() => usePage("k"));
    let opened = false;
    await act(async () => {
      opened = await result.current.conversations.open("c-42");
    });
    expect(opened).toBe(true);
    expect(result.current.chat.conversationId).toBe("c-42");
    expect(localStorage.getItem(CONVERSATION_STORAGE)).toBe("c-42");
    expect(result.current.chat.messages.at(-1)?.refused).toBe(true);

    const listedBefore = listCalls.mock.calls.length;
    await act(async () => {
      opened = await result.current.conversations.open("c-pruned");
    });
    expect(opened).toBe(false);
    expect(result.current.chat.error).toMatch(/^Error 404/);
    expect(result.current.chat.conversationId).toBe("c-42");
    expect(result.current.chat.messages).toHaveLength(4);
    expect(listCalls.mock.calls.length).toBe(listedBefore + 1);
  });

  it("opens nothing while an answer is being worked on", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    stored.set("c-42", kept);
    chatMock.mockReturnValueOnce(new Promise(() => {}));
    const { result } = renderHook(() => usePage("k"));
    act(() => {
      void result.current.chat.send("Slow question");
    });
    let opened = true;
    await act(async () => {
      opened = await result.current.conversations.open("c-42");
    });
    expect(opened).toBe(false);
    expect(result.current.chat.messages.map((m) => m.text)).toEqual(["Slow question"]);
    expect(result.current.chat.conversationId).toBeNull();
  });

  it("forgetting the conversation shown asks for a new page; another one, or one already gone, does not", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    stored.set("c-42", kept);
    const { result } = renderHook(() => usePage("k"));
    await act(async () => {
      await result.current.conversations.open("c-42");
    });
    const forget = async (id: string) => {
      let shown: boolean | undefined;
      await act(async () => {
        shown = await result.current.conversations.forget(id);
      });
      return shown;
    };

    deleteMock.mockResolvedValueOnce(json(200, { conversation_id: "c-1", deleted: true }));
    expect(await forget("c-1")).toBe(false);
    deleteMock.mockResolvedValueOnce(json(404, { detail: "Conversation not found" }));
    expect(await forget("c-42")).toBe(false);
    expect(result.current.chat.error).toBeNull();
    deleteMock.mockResolvedValueOnce(json(503, { detail: "database unavailable" }));
    expect(await forget("c-42")).toBe(false);
    expect(result.current.chat.error).toBe("A service is not available: database unavailable.");
    deleteMock.mockResolvedValueOnce(json(200, { conversation_id: "c-42", deleted: true }));
    expect(await forget("c-42")).toBe(true);
    expect(deleteMock.mock.calls.map((c) => c[0])).toEqual(["c-1", "c-42", "c-42", "c-42"]);
  });
});
