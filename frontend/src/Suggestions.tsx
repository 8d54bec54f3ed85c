import { SUGGESTIONS } from "./types";

interface Props {
  onPick: (question: string) => void;
  disabled: boolean;
}

export function Suggestions({ onPick, disabled }: Props) {
  return (
    <section className="suggestions" aria-label="Example questions">
      <p>Ask about this server's health. For example:</p>
      <ul>
        {SUGGESTIONS.map((q) => (
          <li key={q}>
            <button type="button" onClick={() => onPick(q)} disabled={disabled}>
              {q}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
