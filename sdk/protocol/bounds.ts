/**
 * Walks a parsed JSON value without recursion (a 100,000-deep payload must not blow the
 * stack) and reports the first bound it breaks, or null when it fits.
 */
export function checkBounds(
  value: unknown,
  maxDepth: number,
  maxNodes: number,
): 'depth' | 'nodes' | 'type' | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null) continue;
    const kind = typeof current;
    if (kind === 'string' || kind === 'boolean') continue;
    if (kind === 'number') {
      if (!Number.isFinite(current)) return 'type';
      continue;
    }
    if (kind !== 'object') return 'type';
    if (depth >= maxDepth) return 'depth';
    if (Array.isArray(current)) {
      nodes += current.length;
      if (nodes > maxNodes) return 'nodes';
      for (const item of current) stack.push([item, depth + 1]);
    } else {
      const proto = Object.getPrototypeOf(current) as unknown;
      if (proto !== Object.prototype && proto !== null) return 'type';
      const keys = Object.keys(current as object);
      nodes += keys.length;
      if (nodes > maxNodes) return 'nodes';
      for (const key of keys) stack.push([(current as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return null;
}
