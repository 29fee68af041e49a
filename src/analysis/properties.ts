import type { ApplicationFacts } from './detector.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  p: 1024 ** 5,
  pb: 1024 ** 5,
};

/**
 * A Spark size setting in bytes, read as Spark's JavaUtils.byteStringAsBytes does for byte-unit settings
 * ("10485760", "10m", "1g", "200MB", "-1"); null when it does not parse.
 */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNITS[match[2]!.toLowerCase()];
  return unit === undefined ? null : Math.round(Number(match[1]) * unit);
}

/** A size property in bytes, or Spark's default when it is unset or unreadable. */
export function byteSizeProperty(app: ApplicationFacts, key: string, sparkDefault: number): number {
  const value = app.sparkProperties.get(key);
  return value === undefined ? sparkDefault : (parseByteSize(value) ?? sparkDefault);
}

/** The Spark version's major and minor numbers ("3.3.0-amzn-0" → [3, 3]); null when the log has none. */
export function sparkMajorMinor(app: ApplicationFacts): [number, number] | null {
  const match = /^(\d+)\.(\d+)/.exec(app.sparkVersion ?? '');
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** Whether the application's Spark is at least major.minor (false when the version is unknown). */
export function sparkAtLeast(app: ApplicationFacts, major: number, minor: number): boolean {
  const version = sparkMajorMinor(app);
  return version !== null && (version[0] > major || (version[0] === major && version[1] >= minor));
}

/** A property as logged, or "<default> (default)" so evidence always says which value applied. */
export function propertyOrDefault(app: ApplicationFacts, key: string, sparkDefault: string): string {
  return app.sparkProperties.get(key) ?? `${sparkDefault} (default)`;
}
