import { BadInputError, ForbiddenError } from '../errors.js';
import { uploaderOf } from '../store/application-uploads.js';
import type { AnalysisDatabase } from '../store/database.js';
import type { Principal } from './roles.js';

/** Whether `principal` may replace or delete an application uploaded by `uploader` (null: by the CLI). */
function mayModify(principal: Principal, uploader: string | null): boolean {
  if (principal.role === 'admin') return true;
  return principal.role === 'uploader' && uploader !== null && uploader === principal.subject;
}

function notYours(appKey: string, uploader: string | null, doing: string): ForbiddenError {
  const by = uploader ? `uploaded by ${uploader}` : 'ingested by an operator (no uploader)';
  return new ForbiddenError(`Cannot ${doing} application "${appKey}": it was ${by}; only its uploader or an admin may`);
}

async function isStored(db: AnalysisDatabase, appKey: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM applications WHERE appKey = $appKey', { appKey })).length > 0;
}

/**
 * Checks, before an upload writes `appKey`, that it may: a new application always; a stored one only with
 * `replace` (BadInputError otherwise, so nothing is overwritten by accident) and only by its uploader or an admin.
 */
export async function authorizeUploadWrite(db: AnalysisDatabase, principal: Principal, appKey: string, replace: boolean): Promise<void> {
  if (!(await isStored(db, appKey))) return;
  if (!replace) {
    throw new BadInputError(
      `Application "${appKey}" is already stored; pass replace: true to replace it (its jobs, stages, tasks and insights are overwritten)`,
    );
  }
  const uploader = await uploaderOf(db, appKey);
  if (!mayModify(principal, uploader)) throw notYours(appKey, uploader, 'replace');
}

/** Checks that `principal` may delete every attempt in `appKeys`; throws FORBIDDEN naming the first it may not. */
export async function authorizeDelete(db: AnalysisDatabase, principal: Principal, appKeys: readonly string[]): Promise<void> {
  for (const appKey of appKeys) {
    const uploader = await uploaderOf(db, appKey);
    if (!mayModify(principal, uploader)) throw notYours(appKey, uploader, 'delete');
  }
}
