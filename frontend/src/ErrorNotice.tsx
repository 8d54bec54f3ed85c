interface Props {
  text: string;
  onDismiss: () => void;
}

export function ErrorNotice({ text, onDismiss }: Props) {
  return (
    <div className="error" role="alert">
      <span>{text}</span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss error">
        ×
      </button>
    </div>
  );
}
