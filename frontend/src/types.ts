/** One bubble of the conversation. */
export interface ChatMessage {
  id: number;
  role: "user" | "assistant";
  text: string;
  /** Tools the assistant used for this answer. */
  tools?: string[];
  /** The request asked for a change and was refused. */
  refused?: boolean;
  /** When it was sent or answered, ISO 8601. */
  time?: string;
  /** The history the answer looked at, drawn as charts under it. */
  charts?: { metric: string; window?: string; name?: string; host?: string }[];
  /** The events the answer looked at, drawn as a timeline under it. */
  timelines?: { window?: string; since?: string; until?: string; container?: string; kind?: string; host?: string }[];
  /** What the answer cost, when the provider counted it; `queued_ms`: how long it waited for a
   * local model busy with another question. */
  usage?: { prompt_tokens: number; completion_tokens: number; llm_calls?: number; queued_ms?: number };
}

/** The README's example questions, offered on an empty chat. */
export const SUGGESTIONS = [
  "What is the current CPU usage?",
  "How much memory is being used?",
  "How much disk space is left?",
  "Give me a full system health report",
  "What containers are running?",
  "Which containers are stopped?",
];

export const KEY_STORAGE = "homelab-assistant.api-key";

export const CONVERSATION_STORAGE = "homelab-assistant.conversation";
