/** What a caller may do with analysis data; each role includes the ones before it. */
export const ROLES = ['viewer', 'uploader', 'admin'] as const;

/** viewer: read; uploader: read, upload, delete/replace what it uploaded; admin: everything. */
export type Role = (typeof ROLES)[number];

/** Whether `role` is a known role name. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `held` grants at least what `needed` does (null, no role, grants nothing). */
export function hasRole(held: Role | null, needed: Role): boolean {
  return held !== null && ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Who is asking for analysis data, as far as access is concerned. */
export interface Principal {
  /** Null: the caller may read nothing (token or Google mode without valid credentials). */
  role: Role | null;
  /**
   * Stable name recorded as an application's uploader and compared for ownership: `token:<name>`,
   * `google:<email>`, or `local` in open mode.
   */
  subject: string | null;
  /** How the caller was recognised. */
  via: 'open' | 'token' | 'google' | 'none';
  /** For an API token: its name and when it was created. */
  token?: { name: string; createdAt: Date };
}

/** The principal of a request that carried no usable credentials. */
export const NOBODY: Principal = { role: null, subject: null, via: 'none' };
