import { lazy, Suspense, use, useState, type ReactNode } from "react";
import Markdown, { defaultUrlTransform, type Components } from "react-markdown";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import { ApiKeyContext } from "./ApiKeyContext";
import { EventsAnswer } from "./EventsAnswer";
import { clockTime } from "./clock";
import { RefusedIcon } from "./icons";
import { withKeys } from "./keys";
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

// The chart library loads only when an answer has a chart to draw.
const HistoryChart = lazy(() => import("./HistoryChart"));


function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  }
  return (
    <button type="button" className="copy" onClick={() => void copy()} aria-label={copied ? "Copied" : "Copy answer"}>
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

/** A user's text is shown as typed; the assistant's as Markdown (line breaks kept, tables)
 *  without raw HTML, so text from the model or from container names can never become markup,
 *  and without images or hidden link targets, so an answer cannot send data anywhere by being
 *  shown. Each message says who speaks, for screen readers as well. */
export function MessageBubble({ message, live = false }: { message: ChatMessage; live?: boolean }) {
  const apiKey = use(ApiKeyContext);
  const time = message.time ? clockTime(message.time) : "";
  if (message.role === "user") {
    return (
      <article className="bubble user" data-role="user" aria-label="You">
        <p className="plain">
          <span className="visually-hidden">You said: </span>
          {message.text}
        </p>
        {time && <time dateTime={message.time}>{time}</time>}
      </article>
    );
  }
  return (
    <article
      className={message.refused ? "bubble assistant refused" : "bubble assistant"}
      data-role="assistant"
      data-refused={message.refused || undefined}
      data-live={live || undefined}
      aria-busy={live || undefined}
      aria-label="Assistant"
    >
      <span className="visually-hidden">Assistant: </span>
      {message.refused && (
        <p className="refusal-mark" role="note">
          <RefusedIcon /> Refused — this assistant only reads; nothing was changed.
        </p>
      )}
      <div className="markdown">
        <Markdown
          skipHtml
          components={components}
          urlTransform={defaultUrlTransform}
          remarkPlugins={[remarkGfm, remarkBreaks]}
        >
          {message.text}
        </Markdown>
      </div>
      {!live && apiKey && message.charts && message.charts.length > 0 && (
        <Suspense fallback={<p className="chart-note">Drawing the chart…</p>}>
          {withKeys(message.charts, (query) => JSON.stringify(query)).map(({ key, item: query }) => (
            <HistoryChart key={key} query={query} apiKey={apiKey} />
          ))}
        </Suspense>
      )}
      {!live &&
        apiKey &&
        withKeys(message.timelines ?? [], (query) => JSON.stringify(query)).map(({ key, item: query }) => (
          <EventsAnswer key={key} query={query} apiKey={apiKey} />
        ))}
      {message.tools && message.tools.length > 0 && <ToolChips tools={message.tools} />}
      {!live && (
        <div className="meta">
          {time && <time dateTime={message.time}>{time}</time>}
          {message.usage && (
            <span
              className="usage"
              title={
                `${message.usage.prompt_tokens} prompt + ${message.usage.completion_tokens} answer tokens, ${message.usage.llm_calls ?? 1} LLM call(s)` +
                (message.usage.queued_ms ? `, waited ${Math.round(message.usage.queued_ms / 1000)} s for the local model` : "")
              }
            >
              {message.usage.prompt_tokens + message.usage.completion_tokens} tokens
            </span>
          )}
          <CopyButton text={message.text} />
        </div>
      )}
    </article>
  );
}
