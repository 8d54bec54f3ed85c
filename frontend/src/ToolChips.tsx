import { withKeys } from "./keys";

export function ToolChips({ tools }: { tools: string[] }) {
  return (
    <ul className="chips" aria-label="Tools used">
      {withKeys(tools, (tool) => tool).map(({ key, item: tool }) => (
        <li key={key} className="chip">
          {tool}
        </li>
      ))}
    </ul>
  );
}
