/** Stage "detect": see detect-table.ts. */
export * from './types';
export * from './detected-table.types';
export { detectTable, columnWithRole, columnsWithRole } from './detect-table';
export { mergedValueAt, mergeAt, mergedOriginAt } from './merges';
export { headerKey } from './header-text';
export { prepareMatcher } from './role-matcher';
export { FUNDER_COLUMNS } from './column-roles.data';
