import { useEffect, useRef, useState } from "react";
import { checkKey } from "./api";
import { ApiKeyContext } from "./ApiKeyContext";
import { Composer } from "./Composer";
import { ErrorNotice } from "./ErrorNotice";
import { Header } from "./Header";
import { History } from "./History";
import { KeyPrompt } from "./KeyPrompt";
import { MessageList } from "./MessageList";
import { RecentEvents } from "./RecentEvents";
import { StatusStrip } from "./StatusStrip";
import { Suggestions } from "./Suggestions";
import { KEY_STORAGE } from "./types";
import { useChat } from "./useChat";
import { useConversations } from "./useConversations";

// The page: the key, the layout, and where the focus goes. The conversation is useChat's, the list
// of past ones useConversations'.
export function App() {
  const [apiKey, setApiKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const [askingKey, setAskingKey] = useState(() => !localStorage.getItem(KEY_STORAGE));
  const [keyRejected, setKeyRejected] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const messageBoxRef = useRef<HTMLTextAreaElement>(null);

  function focusMessageBox() {
    setTimeout(() => messageBoxRef.current?.focus(), 0);
  }

  const chat = useChat({
    apiKey,
    onKeyRejected: () => {
      setKeyRejected(true);
      setAskingKey(true);
    },
    onStopped: focusMessageBox,
  });
  const conversations = useConversations({ apiKey, chat });

  // Whenever the key dialog goes away (Save, Cancel, Escape), the message box gets the focus, on
  // the next frame: until the browser has drawn the page without the modal, it is still inert.
  useEffect(() => {
    if (askingKey) return;
    const frame = requestAnimationFrame(() => messageBoxRef.current?.focus());
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
    chat.setError(verdict === "unreachable" ? "The key was saved, but the assistant could not be reached to check it." : null);
    chat.resume(key);
    return true;
  }

  function newChat() {
    chat.startNew();
    setHistoryOpen(false);
    focusMessageBox();
  }

  async function openConversation(id: string) {
    if (chat.pending) return;
    setHistoryOpen(false);
    if (await conversations.open(id)) focusMessageBox();
  }

  async function forget(id: string) {
    if (await conversations.forget(id)) newChat();
  }

  const { messages, pending, live, error, notice, retryable, waitingForKey } = chat;
  return (
    <ApiKeyContext value={askingKey ? "" : apiKey}>
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
            conversations={conversations.list}
            current={chat.conversationId}
            onOpen={(id) => void openConversation(id)}
            onDelete={(id) => void forget(id)}
          />
          <main className="chat" aria-label="Conversation">
            {messages.length === 0 && !pending && <Suggestions onPick={(text) => void chat.send(text)} disabled={askingKey} />}
            {/* Always there, so the first answer is announced too. */}
            <MessageList messages={messages} pending={pending} live={live} />
          </main>
        </div>
        <footer className="footer">
          {/* Pinned above the composer, so they are seen however long the conversation is. */}
          <div className="status-area">
            {error && <ErrorNotice text={error} onDismiss={() => chat.setError(null)} />}
            {notice && (
              <p className="notice" role="status">
                {notice}
              </p>
            )}
            {retryable && !pending && (
              <button type="button" className="retry" onClick={chat.retry}>
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
            ref={messageBoxRef}
            onSend={(text) => void chat.send(text)}
            disabled={pending || askingKey}
            pending={pending}
            onStop={chat.stop}
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
    </ApiKeyContext>
  );
}
