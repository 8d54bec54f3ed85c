import type { ConversationSummary } from "./api";
import { clockTime, shortDate } from "./clock";

interface Props {
  conversations: ConversationSummary[];
  current: string | null;
  onOpen: (id: string) => void;
  onDelete: (id: string) => void;
}

function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date().toDateString() === d.toDateString() ? clockTime(d) : shortDate(d);
}

/** Past conversations, newest first, titled by their first question: open one, or forget it. */
export function History({ conversations, current, onOpen, onDelete }: Props) {
  return (
    <nav className="history" aria-label="Past conversations">
      <h2 className="history-heading">Past conversations</h2>
      {conversations.length === 0 ? (
        <p className="history-empty">No past conversations yet.</p>
      ) : (
        <ul>
          {conversations.map((c) => (
            <li key={c.conversation_id} className={c.conversation_id === current ? "current" : undefined}>
              <button
                type="button"
                className="open"
                aria-current={c.conversation_id === current ? "true" : undefined}
                onClick={() => onOpen(c.conversation_id)}
              >
                <span className="title">{c.title}</span>
                <time dateTime={c.last_active_at}>{when(c.last_active_at)}</time>
              </button>
              <button
                type="button"
                className="delete"
                aria-label={`Delete conversation: ${c.title}`}
                onClick={() => onDelete(c.conversation_id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
