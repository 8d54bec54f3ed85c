// The page's few icons, drawn as inline SVG: a character such as ⛔ or ⚙ depends on the fonts a
// machine has (an emoji font is often missing, and the icon then shows as an empty box).
// Each is decorative: the control or text beside it says what it means.

const common = { width: "1em", height: "1em", viewBox: "0 0 16 16", "aria-hidden": true, focusable: false } as const;

/** A circle with a bar: "not done". */
export function RefusedIcon() {
  return (
    <svg {...common} className="icon">
      <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M4.5 8h7" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
    </svg>
  );
}

/** Three lines: a menu. */
export function MenuIcon() {
  return (
    <svg {...common} className="icon">
      <path d="M2 4h12M2 8h12M2 12h12" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

/** Sliders: settings. */
export function SettingsIcon() {
  return (
    <svg {...common} className="icon">
      <path d="M2 4h12M2 8h12M2 12h12" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      <circle cx="5" cy="4" r="1.8" fill="var(--bg, #fff)" stroke="currentColor" strokeWidth="1.4" />
      <circle cx="11" cy="8" r="1.8" fill="var(--bg, #fff)" stroke="currentColor" strokeWidth="1.4" />
      <circle cx="7" cy="12" r="1.8" fill="var(--bg, #fff)" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}

/** An arrow that turns down or up: a list that opens. */
export function DisclosureIcon({ open }: { open: boolean }) {
  return (
    <svg {...common} className="icon">
      <path d={open ? "M4 10l4-4 4 4" : "M4 6l4 4 4-4"} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
