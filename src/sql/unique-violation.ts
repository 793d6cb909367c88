import { QueryFailedError } from 'typeorm';

/** True when a write failed on a unique key (two requests racing for one code, say). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; errno?: number } }).driverError;
  return driverError?.code === 'ER_DUP_ENTRY' || driverError?.errno === 1062 || /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(driverError?.code ?? '');
}
