interface Props {
  onNewChat: () => void;
  onSettings: () => void;
}

export function Header({ onNewChat, onSettings }: Props) {
  return (
    <header className="header">
      <h1>Homelab Assistant</h1>
      <span className="badge" title="This stage can only look, never change anything">
        read-only
      </span>
      <div className="header-actions">
        <button type="button" onClick={onNewChat}>
          New chat
        </button>
        <button type="button" onClick={onSettings} aria-label="Settings: change API key">
          ⚙ Settings
        </button>
      </div>
    </header>
  );
}
