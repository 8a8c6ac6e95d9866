/**
 * `derive`, kept per argument object: for values that are never changed in place (ledger events,
 * gate verdicts), so what was derived from one still holds. A tick re-renders and re-encodes a
 * whole PR, but its ledger gained an event or two and one gate's verdict changed; everything else
 * is the same objects, and their rows, lines and wire facts are not derived again.
 * WeakMap-held, so nothing outlives the object it was derived from.
 */
export function memoByIdentity<K extends object, V>(derive: (key: K) => V): (key: K) => V {
  const kept = new WeakMap<K, V>();
  return (key) => {
    if (kept.has(key)) return kept.get(key) as V;
    const value = derive(key);
    kept.set(key, value);
    return value;
  };
}
