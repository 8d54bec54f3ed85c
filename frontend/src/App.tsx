import { useEffect, useRef, useState } from "react";
import { ApiError, checkKey, describeError, loadConversation, streamChat } from "./api";
import { Composer } from "./Composer";
import { ErrorNotice } from "./ErrorNotice";
import { Header } from "./Header";
import { KeyPrompt } from "./KeyPrompt";
import { MessageList } from "./MessageList";
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

  // A reloaded page continues the conversation it showed.
  useEffect(() => {
    const id = localStorage.getItem(CONVERSATION_STORAGE);
    const key = localStorage.getItem(KEY_STORAGE);
    if (!id || !key) return;
    let cancelled = false;
    loadConversation(id, key)
      .then((stored) => {
        if (cancelled) return;
        const restored: ChatMessage[] = stored
          .filter((m) => m.role === "user" || (m.role === "assistant" && m.tool_calls_made !== undefined))
          .map((m) => ({
            id: nextId.current++,
            role: m.role === "user" ? "user" : "assistant",
            text: m.content ?? "",
            tools: m.tool_calls_made,
          }));
        setMessages((current) => (current.length === 0 ? restored : current));
      })
      .catch(() => {
        // Gone (pruned) or not reachable: start afresh.
        if (!cancelled) {
          localStorage.removeItem(CONVERSATION_STORAGE);
          setConversationId(null);
        }
      });
    return () => {
      cancelled = true;
    };
  }, []);

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
    const again = waitingForKey;
    setWaitingForKey(null);
    if (again) void send(again, key);
    return true;
  }

  function newChat() {
    setMessages([]);
    setConversationId(null);
    localStorage.removeItem(CONVERSATION_STORAGE);
    setError(null);
    setNotice(null);
    setWaitingForKey(null);
  }

  async function send(text: string, key: string = apiKey) {
    const message = text.trim();
    if (!message || pending) return;
    setError(null);
    setNotice(null);
    setMessages((m) => [...m, { id: nextId.current++, role: "user", text: message }]);
    setPending(true);
    setLive({ tools: [], text: "" });
    const controller = new AbortController();
    stopper.current = controller;
    try {
      const reply = await streamChat(
        message,
        conversationId,
        key,
        {
          onToolCall: (name) => setLive((l) => (l ? { ...l, tools: [...l.tools, name] } : l)),
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
        },
      ]);
    } catch (e) {
      if (controller.signal.aborted) {
        setNotice("Stopped. Nothing more will run for that question.");
      } else if (e instanceof ApiError && e.status === 401) {
        // The question waits for a good key rather than being lost.
        setMessages((m) => m.slice(0, -1));
        setWaitingForKey(message);
        setKeyRejected(true);
        setAskingKey(true);
      } else {
        setError(describeError(e));
      }
    } finally {
      setPending(false);
      setLive(null);
      stopper.current = null;
    }
  }

  function stop() {
    stopper.current?.abort();
  }

  return (
    <div className="app">
      <Header onNewChat={newChat} onSettings={() => setAskingKey(true)} />
      <main className="chat">
        {messages.length === 0 && !pending ? (
          <Suggestions onPick={(text) => void send(text)} disabled={askingKey} />
        ) : (
          <MessageList messages={messages} pending={pending} live={live} />
        )}
      </main>
      {/* Pinned above the composer, so they are seen however long the conversation is. */}
      <div className="status-area" aria-live="polite">
        {error && <ErrorNotice text={error} onDismiss={() => setError(null)} />}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {waitingForKey && !askingKey && (
          <p className="notice" role="status">
            Waiting for a valid key to send: “{waitingForKey}”
          </p>
        )}
      </div>
      <Composer onSend={(text) => void send(text)} disabled={pending || askingKey} pending={pending} onStop={stop} />
      {askingKey && (
        <KeyPrompt
          initial={apiKey}
          rejected={keyRejected}
          onSave={saveKey}
          onCancel={apiKey ? () => setAskingKey(false) : undefined}
        />
      )}
    </div>
  );
}
