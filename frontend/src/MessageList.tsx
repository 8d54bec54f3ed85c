import { useEffect, useRef } from "react";
import { MessageBubble } from "./MessageBubble";
import { Thinking } from "./Thinking";
import type { ChatMessage, LiveAnswer } from "./types";

interface Props {
  messages: ChatMessage[];
  pending: boolean;
  /** The answer being worked on: tools started so far and any text that has arrived. */
  live?: LiveAnswer | null;
}

/** How close to the bottom (px) still counts as reading the latest message. */
const NEAR_END = 48;

/** The conversation. It follows the latest message: also when that message grows after it is
 *  shown (a chart is drawn under an answer once its figures arrive), unless the reader has
 *  scrolled up to read something earlier. */
export function MessageList({ messages, pending, live }: Props) {
  const listRef = useRef<HTMLDivElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const followingRef = useRef(true);

  useEffect(() => {
    followingRef.current = true;
    endRef.current?.scrollIntoView?.({ block: "end" });
  }, [messages, pending, live]);

  useEffect(() => {
    const el = listRef.current;
    const scroller = el?.parentElement;
    if (!el || !scroller || typeof ResizeObserver === "undefined") return;
    // Only the reader's own scrolling decides whether to follow: a scroll the browser makes
    // because the content grew (scroll anchoring) or the view shrank (the recent events or the
    // status strip above it arrived late, a phone's keyboard opened) is not theirs.
    let height = scroller.scrollHeight;
    let view = scroller.clientHeight;
    const onScroll = () => {
      if (scroller.scrollHeight !== height || scroller.clientHeight !== view) return;
      followingRef.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_END;
    };
    const resized = new ResizeObserver(() => {
      if (followingRef.current) endRef.current?.scrollIntoView?.({ block: "end" });
      height = scroller.scrollHeight;
      view = scroller.clientHeight;
    });
    scroller.addEventListener("scroll", onScroll, { passive: true });
    // The conversation growing, and the view it is read through changing size.
    resized.observe(el);
    resized.observe(scroller);
    return () => {
      scroller.removeEventListener("scroll", onScroll);
      resized.disconnect();
    };
  }, []);

  return (
    <div className="messages" role="log" aria-live="polite" aria-label="Conversation" ref={listRef}>
      {messages.map((m) => (
        <MessageBubble key={m.id} message={m} />
      ))}
      {/* Until its first words come (a model's leading blank lines are none), the answer's bubble
          says what it does and for how long. */}
      {pending && live && !live.text.trim() && (
        <Thinking key={live.since} since={live.since} tools={live.tools} reading={live.reading} />
      )}
      {pending && live?.text.trim() && (
        <MessageBubble live message={{ id: -1, role: "assistant", text: live.text, tools: live.tools }} />
      )}
      <div ref={endRef} />
    </div>
  );
}
