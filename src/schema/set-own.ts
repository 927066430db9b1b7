/**
 * Sets an own, enumerable property even when the key is `__proto__`: spec text chooses property
 * names, and a plain `obj[key] = value` with `__proto__` would replace the prototype instead of
 * adding the property (the property would vanish from the output, or worse).
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  // Plain assignment is safe for every other key, and much faster (MS Graph sets millions).
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
