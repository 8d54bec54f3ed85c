// React keys for lists drawn from data. An item's own words name it, whatever the list's order
// (a timeline is sorted, then shown newest first) or length; the index would give a row's key to
// another item as soon as the list is sorted differently or an item comes before it.

/** Each item with its key: `keyOf(item)`, the second and later items with the same one numbered
 *  (`get_history`, `get_history#2`). */
export function withKeys<T>(items: readonly T[], keyOf: (item: T) => string): { key: string; item: T }[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = keyOf(item);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: n === 1 ? base : `${base}#${n}`, item };
  });
}
