export function ToolChips({ tools }: { tools: string[] }) {
  return (
    <ul className="chips" aria-label="Tools used">
      {tools.map((tool, i) => (
        <li key={`${tool}-${i}`} className="chip">
          {tool}
        </li>
      ))}
    </ul>
  );
}
