/** Whether a parsed JSON value is an object (not null, not a list). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value Spark logs as text (a name, a link, an attribute), as text: a crafted log may give a number, a list or an
 * object instead, kept as its JSON text, as the environment keeps such values.
 */
export function loggedText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
