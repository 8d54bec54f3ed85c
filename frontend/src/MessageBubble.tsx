import type { ReactNode } from "react";
import Markdown, { defaultUrlTransform, type Components } from "react-markdown";
import { ToolChips } from "./ToolChips";
import type { ChatMessage } from "./types";

/** Images are never loaded: an answer repeats text from containers, logs and alerts, and a remote
 *  image would send data out the moment the answer is drawn. The image shows as its description
 *  and address instead. */
function ImageAsText({ alt, src }: { alt?: string; src?: string }) {
  return (
    <span className="image-text" data-blocked-image="">
      [image{alt ? `: ${alt}` : ""}
      {src ? ` — ${src}` : ""}]
    </span>
  );
}

function linkText(children: ReactNode): string {
  return typeof children === "string" ? children : Array.isArray(children) ? children.join("") : "";
}

/** A link shows where it goes when its text says something else, and opens in a new tab with no
 *  referrer. Addresses other than http(s) and mailto are not links (react-markdown's own transform
 *  already empties javascript: and the like). */
function SafeLink({ href, children }: { href?: string; children?: ReactNode }) {
  if (!href || !/^(https?:|mailto:)/i.test(href)) {
    return <span>{children}</span>;
  }
  const text = linkText(children);
  return (
    <>
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
      {text !== href && <span className="link-target"> ({href})</span>}
    </>
  );
}

const components: Components = {
  img: ({ alt, src }) => <ImageAsText alt={alt} src={typeof src === "string" ? src : undefined} />,
  a: ({ href, children }) => <SafeLink href={href}>{children}</SafeLink>,
};

/** A user's text is shown as typed; the assistant's as Markdown without raw HTML, so text from
 *  the model or from container names can never become markup, and without images or hidden link
 *  targets, so an answer cannot send data anywhere by being shown. */
export function MessageBubble({ message, live = false }: { message: ChatMessage; live?: boolean }) {
  if (message.role === "user") {
    return (
      <div className="bubble user" data-role="user">
        <p className="plain">{message.text}</p>
      </div>
    );
  }
  return (
    <div
      className={message.refused ? "bubble assistant refused" : "bubble assistant"}
      data-role="assistant"
      data-refused={message.refused || undefined}
      data-live={live || undefined}
      aria-busy={live || undefined}
    >
      {message.refused && (
        <p className="refusal-mark" role="note">
          <span aria-hidden="true">⛔</span> Refused — this assistant only reads; nothing was changed.
        </p>
      )}
      <div className="markdown">
        <Markdown skipHtml components={components} urlTransform={defaultUrlTransform}>
          {message.text}
        </Markdown>
      </div>
      {message.tools && message.tools.length > 0 && <ToolChips tools={message.tools} />}
    </div>
  );
}
