import { useState, type FormEvent, type KeyboardEvent, type Ref } from "react";

interface Props {
  onSend: (text: string) => void;
  disabled: boolean;
  /** An answer is being worked on: show Stop instead of Send. */
  pending?: boolean;
  onStop?: () => void;
  /** The message box, for the page to give it the focus. */
  ref?: Ref<HTMLTextAreaElement>;
}

/** Enter sends, Shift+Enter starts a new line; the box grows with its text (CSS field-sizing). */
export function Composer({ onSend, disabled, pending = false, onStop, ref }: Props) {
  const [text, setText] = useState("");

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (!text.trim() || disabled) return;
    onSend(text);
    setText("");
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit} aria-label="Ask a question">
      <label htmlFor="message" className="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        ref={ref}
        rows={1}
        placeholder="Ask about CPU, memory, disks or containers…"
        aria-describedby="composer-hint"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {pending && onStop ? (
        <button type="button" className="stop" onClick={onStop}>
          Stop
        </button>
      ) : (
        <button type="submit" className="primary" disabled={disabled || !text.trim()}>
          Send
        </button>
      )}
      <p id="composer-hint" className="hint">
        Enter to send · Shift+Enter for a new line
      </p>
    </form>
  );
}
