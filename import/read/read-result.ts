import type { IssueDraft, WorkbookGrid } from '../common/model';

/**
 * What the read stage hands on: the grid, plus the WARNINGs met while reading (a hidden sheet skipped, NUL
 * characters removed from a CSV, mixed encodings). It is a WorkbookGrid, so later stages that only want the
 * cells can ignore `issues`. Blocking problems are never issues here: they are thrown as ReadError.
 */
export interface ReadResult extends WorkbookGrid {
  issues: IssueDraft[];
}
