/** Stage "detect": see detect-table.ts. */
export * from './types';
export { detectTable, columnWithRole, columnsWithRole, HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, LEADING_ROWS_CHECKED } from './detect-table';
export { mergedValueAt, mergeAt, mergedOriginAt, mergeIndex } from './merges';
export { normaliseHeader, headerKey, type NormalisedHeader } from './header-text';
export { matchHeader, prepareMatcher, stageIn, synonymConflicts, type RoleMatch } from './role-matcher';
export { COLUMN_ROLES, FUNDER_COLUMNS, STAGE_WORDS, ROW_MARKERS } from './column-roles.data';
export { HEADER_ANCHORS, LAYOUTS } from './layouts.data';
