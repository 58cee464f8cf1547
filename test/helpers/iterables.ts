/** Reading a whole (async) iterable in a test, for Node 20, which has no `Array.fromAsync`. */

/** Every item of `iterable`, in order, once it ends. */
export async function toArray<T>(iterable: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
