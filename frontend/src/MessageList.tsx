import { useEffect, useRef } from "react";
import { MessageBubble } from "./MessageBubble";
import { TypingIndicator } from "./TypingIndicator";
import type { ChatMessage } from "./types";

interface Props {
  messages: ChatMessage[];
  pending: boolean;
  /** The answer being worked on: tools started so far and any text that has arrived. */
  live?: { tools: string[]; text: string } | null;
}

export function MessageList({ messages, pending, live }: Props) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [messages, pending, live]);

  return (
    <div className="messages" role="log" aria-live="polite" aria-label="Conversation">
      {messages.map((m) => (
        <MessageBubble key={m.id} message={m} />
      ))}
      {pending && live && (live.text || live.tools.length > 0) && (
        <MessageBubble live message={{ id: -1, role: "assistant", text: live.text, tools: live.tools }} />
      )}
      {pending && !live?.text && <TypingIndicator />}
      <div ref={end} />
    </div>
  );
}
