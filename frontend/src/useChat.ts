// The conversation on the page: its bubbles, the answer being streamed, Stop, Retry, and what went
// wrong. It also keeps which stored conversation the next question continues (in localStorage, so
// a reload continues it: useConversations brings its bubbles back).

import { useCallback, useRef, useState } from "react";
import {
  ApiError,
  describeError,
  eventsQuery,
  historyQuery,
  streamChat,
  type EventsQuery,
  type HistoryQuery,
  type StoredMessage,
} from "./api";
import { restore } from "./restore";
import { CONVERSATION_STORAGE, type ChatMessage, type LiveAnswer } from "./types";

/** A question offered again with Retry, and the bubble it replaces. */
export interface Retryable {
  text: string;
  bubble: number;
}

export interface ChatOptions {
  apiKey: string;
  /** The gateway refused the key: the question waits (`waitingForKey`) until `resume`. */
  onKeyRejected?: () => void;
  /** Stop took effect and the message box can be used again. */
  onStopped?: () => void;
}

export interface Chat {
  messages: ChatMessage[];
  /** The stored conversation the next question continues; null for a new one. */
  conversationId: string | null;
  /** A question has been sent and its answer is not complete. */
  pending: boolean;
  /** The answer being worked on, until it is complete. */
  live: LiveAnswer | null;
  error: string | null;
  /** What happened that is not an error (Stop). */
  notice: string | null;
  /** The question that failed or was stopped, offered again with Retry. */
  retryable: Retryable | null;
  /** A question that failed for a bad key, sent again by `resume` with a good one. */
  waitingForKey: string | null;
  /** How many answers this page has received: the list of conversations follows it. */
  answered: number;
  send: (text: string, key?: string) => Promise<void>;
  stop: () => void;
  retry: () => void;
  /** Sends the question that waited for a key, with `key`. */
  resume: (key: string) => void;
  /** Shows a stored conversation, which the next question continues. */
  show: (id: string, stored: StoredMessage[]) => void;
  /** Conversation `id` no longer exists: if it is the current one, the next question starts a
   *  new conversation (the bubbles stay). */
  unlink: (id: string) => void;
  /** An empty page for a new conversation, without the last one's notes. */
  startNew: () => void;
  setError: (text: string | null) => void;
  clearStatus: () => void;
}

/** `list` without its first `item`: one of two calls of the same tool has answered. */
function withoutOne(list: string[], item: string): string[] {
  const at = list.indexOf(item);
  return at < 0 ? list : [...list.slice(0, at), ...list.slice(at + 1)];
}

export function useChat({ apiKey, onKeyRejected, onStopped }: ChatOptions): Chat {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(() => localStorage.getItem(CONVERSATION_STORAGE));
  const [pending, setPending] = useState(false);
  const [live, setLive] = useState<LiveAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [retryable, setRetryable] = useState<Retryable | null>(null);
  const [waitingForKey, setWaitingForKey] = useState<string | null>(null);
  const [answered, setAnswered] = useState(0);
  const nextIdRef = useRef(1);
  const stopperRef = useRef<AbortController | null>(null);

  const show = useCallback((id: string, stored: StoredMessage[]) => {
    setMessages(restore(stored, () => nextIdRef.current++));
    setConversationId(id);
    localStorage.setItem(CONVERSATION_STORAGE, id);
  }, []);

  const unlink = useCallback((id: string) => {
    setConversationId((current) => (current === id ? null : current));
    if (localStorage.getItem(CONVERSATION_STORAGE) === id) localStorage.removeItem(CONVERSATION_STORAGE);
  }, []);

  function clearStatus() {
    setError(null);
    setNotice(null);
    setRetryable(null);
  }

  function startNew() {
    setMessages([]);
    setConversationId(null);
    localStorage.removeItem(CONVERSATION_STORAGE);
    clearStatus();
    setWaitingForKey(null);
  }

  async function send(text: string, key: string = apiKey) {
    const message = text.trim();
    if (!message || pending) return;
    clearStatus();
    const bubble = nextIdRef.current++;
    setMessages((m) => [...m, { id: bubble, role: "user", text: message, time: new Date().toISOString() }]);
    setPending(true);
    setLive({ tools: [], reading: [], text: "", since: Date.now() });
    const controller = new AbortController();
    stopperRef.current = controller;
    // What the answer looked back at: each is drawn as a chart under it.
    const charts: HistoryQuery[] = [];
    const timelines: EventsQuery[] = [];
    try {
      const reply = await streamChat(
        message,
        conversationId,
        key,
        {
          onToolCall: (name, args) => {
            const chart = historyQuery(name, args);
            if (chart) charts.push(chart);
            const timeline = eventsQuery(name, args);
            if (timeline) timelines.push(timeline);
            setLive((l) => (l ? { ...l, tools: [...l.tools, name], reading: [...l.reading, name] } : l));
          },
          onToolResult: (name) => setLive((l) => (l ? { ...l, reading: withoutOne(l.reading, name) } : l)),
          onToken: (text) => setLive((l) => (l ? { ...l, text: l.text + text } : l)),
          onMessage: (text) => setLive((l) => (l ? { ...l, text } : l)),
        },
        controller.signal,
      );
      setConversationId(reply.conversation_id);
      localStorage.setItem(CONVERSATION_STORAGE, reply.conversation_id);
      setMessages((m) => [
        ...m,
        {
          id: nextIdRef.current++,
          role: "assistant",
          text: reply.message,
          tools: reply.tool_calls_made,
          refused: reply.refused === true,
          charts: charts.length > 0 ? charts : undefined,
          timelines: timelines.length > 0 ? timelines : undefined,
          time: new Date().toISOString(),
          usage: reply.usage ?? undefined,
        },
      ]);
      setAnswered((n) => n + 1);
    } catch (e) {
      if (controller.signal.aborted) {
        setNotice("Stopped. Nothing more will run for that question.");
        setRetryable({ text: message, bubble });
        onStopped?.();
      } else if (e instanceof ApiError && e.status === 401) {
        // The question waits for a good key rather than being lost.
        setMessages((m) => m.filter((x) => x.id !== bubble));
        setWaitingForKey(message);
        onKeyRejected?.();
      } else {
        setError(describeError(e));
        setRetryable({ text: message, bubble });
      }
    } finally {
      setPending(false);
      setLive(null);
      stopperRef.current = null;
    }
  }

  function stop() {
    stopperRef.current?.abort();
  }

  function retry() {
    if (!retryable) return;
    const { text, bubble } = retryable;
    // The question is asked again in place of the one that failed.
    setMessages((m) => m.filter((x) => x.id !== bubble));
    void send(text);
  }

  function resume(key: string) {
    const again = waitingForKey;
    setWaitingForKey(null);
    if (again) void send(again, key);
  }

  return {
    messages,
    conversationId,
    pending,
    live,
    error,
    notice,
    retryable,
    waitingForKey,
    answered,
    send,
    stop,
    retry,
    resume,
    show,
    unlink,
    startNew,
    setError,
    clearStatus,
  };
}
