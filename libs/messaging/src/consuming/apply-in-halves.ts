/**
 * Applies items in order, as many at once as it can: `together` gets them
 * all; when it throws, they are split in halves, the first applied before the
 * second, down to the failing item alone, which `alone` settles (retries, a
 * dead letter, a skip). `alone` answers false to stop there: that item and the
 * ones after it stay unapplied. Resolves to how many items, from the first,
 * are settled. A failure costs about log2(n) more transactions, and the items
 * before it still commit together.
 */
export async function applyInHalves<T>(
  items: T[],
  together: (items: T[]) => Promise<void>,
  alone: (item: T) => Promise<boolean>,
  onSplit: (size: number, error: unknown) => Promise<void> = async () => undefined,
): Promise<number> {
  if (items.length === 0) return 0;
  if (items.length === 1) return (await alone(items[0])) ? 1 : 0;
  try {
    await together(items);
    return items.length;
  } catch (error) {
    await onSplit(items.length, error);
  }
  const half = Math.ceil(items.length / 2);
  const first = await applyInHalves(items.slice(0, half), together, alone, onSplit);
  if (first < half) return first;
  return half + (await applyInHalves(items.slice(half), together, alone, onSplit));
}
