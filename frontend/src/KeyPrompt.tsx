import { useState, type FormEvent } from "react";

interface Props {
  initial: string;
  /** The key in use was just refused by the gateway. */
  rejected: boolean;
  /** Resolves to whether the key was accepted (checked with the gateway). */
  onSave: (key: string) => Promise<boolean>;
  onCancel?: () => void;
}

export function KeyPrompt({ initial, rejected, onSave, onCancel }: Props) {
  const [key, setKey] = useState(initial);
  const [checking, setChecking] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!key.trim() || checking) return;
    setChecking(true);
    try {
      await onSave(key.trim());
    } finally {
      setChecking(false);
    }
  }

  return (
    <div className="overlay">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="key-title" onSubmit={submit}>
        <h2 id="key-title">Connect to your assistant</h2>
        <p>
          {rejected
            ? "The gateway did not accept that key. Enter the API key again."
            : "Enter the API key of your Homelab Assistant gateway. It is kept in this browser only."}
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
        <div className="dialog-actions">
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
          <button type="submit" className="primary" disabled={!key.trim() || checking}>
            {checking ? "Checking…" : "Save"}
          </button>
        </div>
      </form>
    </div>
  );
}
