import { useEffect, useRef, useState, type FormEvent } from "react";

interface Props {
  initial: string;
  /** The key in use was just refused by the gateway. */
  rejected: boolean;
  /** Resolves to whether the key was accepted (checked with the gateway). */
  onSave: (key: string) => Promise<boolean>;
  /** Closing without saving; absent while there is no key yet (the dialog cannot be dismissed). */
  onCancel?: () => void;
}

/** The key dialog: a native modal (`showModal`), so focus stays in it, the page behind is inert,
 *  and Escape closes it when a key already exists. */
export function KeyPrompt({ initial, rejected, onSave, onCancel }: Props) {
  const [key, setKey] = useState(initial);
  const [checking, setChecking] = useState(false);
  const dialogRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

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
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="key-title"
      aria-describedby="key-help"
      onCancel={(e) => {
        // Escape: closes only when there is a key to go back to.
        e.preventDefault();
        onCancel?.();
      }}
    >
      <form method="dialog" onSubmit={submit}>
        <h2 id="key-title">Connect to your assistant</h2>
        <p id="key-help">
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
    </dialog>
  );
}
