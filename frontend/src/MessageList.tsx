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

/** How close to the bottom (px) still counts as reading the latest message. */
const NEAR_END = 48;

/** The conversation. It follows the latest message: also when that message grows after it is
 *  shown (a chart is drawn under an answer once its figures arrive), unless the reader has
 *  scrolled up to read something earlier. */
export function MessageList({ messages, pending, live }: Props) {
  const list = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const following = useRef(true);

  useEffect(() => {
    following.current = true;
    end.current?.scrollIntoView?.({ block: "end" });
  }, [messages, pending, live]);

  useEffect(() => {
    const el = list.current;
    const scroller = el?.parentElement;
    if (!el || !scroller || typeof ResizeObserver === "undefined") return;
    const onScroll = () => {
      following.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_END;
    };
    const grown = new ResizeObserver(() => {
      if (following.current) end.current?.scrollIntoView?.({ block: "end" });
    });
    scroller.addEventListener("scroll", onScroll, { passive: true });
    grown.observe(el);
    return () => {
      scroller.removeEventListener("scroll", onScroll);
      grown.disconnect();
    };
  }, []);

  return (
    <div className="messages" role="log" aria-live="polite" aria-label="Conversation" ref={list}>
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
