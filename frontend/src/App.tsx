import { useCallback, useEffect, useRef, useState } from "react";
import {
  ApiError,
  checkKey,
  deleteConversation,
  describeError,
  eventsQuery,
  historyQuery,
  listConversations,
  loadConversation,
  streamChat,
  type ConversationSummary,
  type EventsQuery,
  type HistoryQuery,
} from "./api";
import { ApiKeyContext } from "./ApiKeyContext";
import { Composer } from "./Composer";
import { ErrorNotice } from "./ErrorNotice";
import { Header } from "./Header";
import { History } from "./History";
import { KeyPrompt } from "./KeyPrompt";
import { MessageList } from "./MessageList";
import { RecentEvents } from "./RecentEvents";
import { StatusStrip } from "./StatusStrip";
import { restore } from "./restore";
import { Suggestions } from "./Suggestions";
import { CONVERSATION_STORAGE, KEY_STORAGE, type ChatMessage } from "./types";

export function App() {
  const [apiKey, setApiKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const [askingKey, setAskingKey] = useState(() => !localStorage.getItem(KEY_STORAGE));
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(() => localStorage.getItem(CONVERSATION_STORAGE));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nextId = useRef(1);
  const [live, setLive] = useState<{ tools: string[]; text: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const stopper = useRef<AbortController | null>(null);
  /** A question that failed for a bad key, sent again once a good key is saved. */
  const [waitingForKey, setWaitingForKey] = useState<string | null>(null);
  const [keyRejected, setKeyRejected] = useState(false);
  /** The question that failed or was stopped, offered again with Retry. */
  const [retryable, setRetryable] = useState<{ text: string; bubble: number } | null>(null);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [historyOpen, setHistoryOpen] = useState(false);
  const messageBox = useRef<HTMLTextAreaElement>(null);

  const refreshHistory = useCallback((key: string) => {
    if (!key) return;
    listConversations(key)
      .then(setConversations)
      .catch(() => {
        // The list is a convenience: the chat works without it.
      });
  }, []);

  const open = useCallback(async (id: string, key: string) => {
    const stored = await loadConversation(id, key);
    const restored = restore(stored, () => nextId.current++);
    setMessages(restored);
    setConversationId(id);
    localStorage.setItem(CONVERSATION_STORAGE, id);
  }, []);

  // A reloaded page continues the conversation it showed, and lists the others.
  useEffect(() => {
    const id = localStorage.getItem(CONVERSATION_STORAGE);
    const key = localStorage.getItem(KEY_STORAGE);
    if (!key) return;
    refreshHistory(key);
    if (!id) return;
    open(id, key).catch(() => {
      // Gone (pruned) or not reachable: start afresh.
      localStorage.removeItem(CONVERSATION_STORAGE);
      setConversationId(null);
    });
  }, [open, refreshHistory]);

  function focusMessageBox() {
    setTimeout(() => messageBox.current?.focus(), 0);
  }

  // Whenever the key dialog goes away (Save, Cancel, Escape), the message box gets the focus, on
  // the next frame: until the browser has drawn the page without the modal, it is still inert.
  useEffect(() => {
    if (askingKey) return;
    const frame = requestAnimationFrame(() => messageBox.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [askingKey]);

  /** Checks the key with the gateway before keeping it; a question that failed for the old key
   *  is then sent again. An unreachable gateway does not stop the key from being saved. */
  async function saveKey(key: string): Promise<boolean> {
    const verdict = await checkKey(key);
    if (verdict === "invalid") {
      setKeyRejected(true);
      return false;
    }
    localStorage.setItem(KEY_STORAGE, key);
    setApiKey(key);
    setAskingKey(false);
    setKeyRejected(false);
    setError(verdict === "unreachable" ? "The key was saved, but the assistant could not be reached to check it." : null);
    refreshHistory(key);
    const again = waitingForKey;
    setWaitingForKey(null);
    if (again) void send(again, key);
    return true;
  }

  function clearStatus() {
    setError(null);
    setNotice(null);
    setRetryable(null);
  }

  function newChat() {
    setMessages([]);
    setConversationId(null);
    localStorage.removeItem(CONVERSATION_STORAGE);
    clearStatus();
    setWaitingForKey(null);
    setHistoryOpen(false);
    focusMessageBox();
  }

  async function openConversation(id: string) {
    if (pending) return;
    clearStatus();
    setHistoryOpen(false);
    try {
      await open(id, apiKey);
      focusMessageBox();
    } catch (e) {
      setError(describeError(e));
      refreshHistory(apiKey);
    }
  }

  async function forget(id: string) {
    try {
      await deleteConversation(id, apiKey);
      if (id === conversationId) newChat();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) setError(describeError(e));
    }
    refreshHistory(apiKey);
  }

  async function send(text: string, key: string = apiKey) {
    const message = text.trim();
    if (!message || pending) return;
    clearStatus();
    const bubble = nextId.current++;
    setMessages((m) => [...m, { id: bubble, role: "user", text: message, time: new Date().toISOString() }]);
    setPending(true);
    setLive({ tools: [], text: "" });
    const controller = new AbortController();
    stopper.current = controller;
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
            setLive((l) => (l ? { ...l, tools: [...l.tools, name] } : l));
          },
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
          id: nextId.current++,
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
      refreshHistory(key);
    } catch (e) {
      if (controller.signal.aborted) {
        setNotice("Stopped. Nothing more will run for that question.");
        setRetryable({ text: message, bubble });
        focusMessageBox();
      } else if (e instanceof ApiError && e.status === 401) {
        // The question waits for a good key rather than being lost.
        setMessages((m) => m.filter((x) => x.id !== bubble));
        setWaitingForKey(message);
        setKeyRejected(true);
        setAskingKey(true);
      } else {
        setError(describeError(e));
        setRetryable({ text: message, bubble });
      }
    } finally {
      setPending(false);
      setLive(null);
      stopper.current = null;
    }
  }

  function retry() {
    if (!retryable) return;
    const { text, bubble } = retryable;
    // The question is asked again in place of the one that failed.
    setMessages((m) => m.filter((x) => x.id !== bubble));
    void send(text);
  }

  return (
    <ApiKeyContext.Provider value={askingKey ? "" : apiKey}>
      <div className="app">
        <Header
          onNewChat={newChat}
          onSettings={() => setAskingKey(true)}
          historyOpen={historyOpen}
          onToggleHistory={() => setHistoryOpen((o) => !o)}
        />
        <StatusStrip apiKey={askingKey ? "" : apiKey} />
        <RecentEvents apiKey={askingKey ? "" : apiKey} />
        <div className={historyOpen ? "layout history-open" : "layout"}>
          <History
            conversations={conversations}
            current={conversationId}
            onOpen={(id) => void openConversation(id)}
            onDelete={(id) => void forget(id)}
          />
          <main className="chat" aria-label="Conversation">
            {messages.length === 0 && !pending && <Suggestions onPick={(text) => void send(text)} disabled={askingKey} />}
            {/* Always there, so the first answer is announced too. */}
            <MessageList messages={messages} pending={pending} live={live} />
          </main>
        </div>
        <footer className="footer">
          {/* Pinned above the composer, so they are seen however long the conversation is. */}
          <div className="status-area">
            {error && <ErrorNotice text={error} onDismiss={() => setError(null)} />}
            {notice && (
              <p className="notice" role="status">
                {notice}
              </p>
            )}
            {retryable && !pending && (
              <button type="button" className="retry" onClick={retry}>
                Retry “{retryable.text.length > 40 ? `${retryable.text.slice(0, 39)}…` : retryable.text}”
              </button>
            )}
            {waitingForKey && !askingKey && (
              <p className="notice" role="status">
                Waiting for a valid key to send: “{waitingForKey}”
              </p>
            )}
          </div>
          <Composer
            ref={messageBox}
            onSend={(text) => void send(text)}
            disabled={pending || askingKey}
            pending={pending}
            onStop={() => stopper.current?.abort()}
          />
        </footer>
        {askingKey && (
          <KeyPrompt
            initial={apiKey}
            rejected={keyRejected}
            onSave={saveKey}
            onCancel={apiKey ? () => setAskingKey(false) : undefined}
          />
        )}
      </div>
    </ApiKeyContext.Provider>
  );
}
