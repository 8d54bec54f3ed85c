import { useEffect, useRef } from "react";
import { MessageBubble } from "./MessageBubble";
import { TypingIndicator } from "./TypingIndicator";
import type { ChatMessage } from "./types";

interface Props {
  messages: ChatMessage[];
  pending: boolean;
}

export function MessageList({ messages, pending }: Props) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [messages, pending]);

  return (
    <div className="messages" role="log" aria-live="polite" aria-label="Conversation">
      {messages.map((m) => (
        <MessageBubble key={m.id} message={m} />
      ))}
      {pending && <TypingIndicator />}
      <div ref={end} />
    </div>
  );
}
