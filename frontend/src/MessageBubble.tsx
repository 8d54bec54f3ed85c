import Markdown from "react-markdown";
import { ToolChips } from "./ToolChips";
import type { ChatMessage } from "./types";

/** A user's text is shown as typed; the assistant's as Markdown without raw HTML, so text from
 *  the model or from container names can never become markup. */
export function MessageBubble({ message, live = false }: { message: ChatMessage; live?: boolean }) {
  if (message.role === "user") {
    return (
      <div className="bubble user" data-role="user">
        <p className="plain">{message.text}</p>
      </div>
    );
  }
  return (
    <div className="bubble assistant" data-role="assistant" data-live={live || undefined} aria-busy={live || undefined}>
      <div className="markdown">
        <Markdown skipHtml>{message.text}</Markdown>
      </div>
      {message.tools && message.tools.length > 0 && <ToolChips tools={message.tools} />}
    </div>
  );
}
