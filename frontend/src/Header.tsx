import { MenuIcon, SettingsIcon } from "./icons";

interface Props {
  onNewChat: () => void;
  onSettings: () => void;
  /** On a narrow screen the past conversations are a panel this opens and closes. */
  historyOpen: boolean;
  onToggleHistory: () => void;
}

export function Header({ onNewChat, onSettings, historyOpen, onToggleHistory }: Props) {
  return (
    <header className="header">
      <button
        type="button"
        className="history-toggle"
        aria-expanded={historyOpen}
        aria-label="Past conversations"
        onClick={onToggleHistory}
      >
        <MenuIcon />
      </button>
      <h1>Homelab Assistant</h1>
      <span className="badge" title="This stage can only look, never change anything">
        read-only
      </span>
      <div className="header-actions">
        <button type="button" onClick={onNewChat}>
          New chat
        </button>
        <button type="button" onClick={onSettings} aria-label="Settings: change API key">
          <SettingsIcon />
          <span className="settings-label"> Settings</span>
        </button>
      </div>
    </header>
  );
}
