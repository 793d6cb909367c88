import { IssueDraft } from '../../import/common/model';
import { sortIssues } from '../../import/preview/import-preview';
import { ImportIssue } from './import-issue.entity';

/** In the preview's order (import/report's sortIssues): errors first, then by sheet, row and column. */
export function sortedIssues(issues: ImportIssue[]): ImportIssue[] {
  const byDraft = new Map<IssueDraft, ImportIssue>();
  const drafts = issues.map((issue) => {
    const draft: IssueDraft = { severity: issue.severity, code: issue.code, message: issue.message, sheet: issue.sheet, cell: issue.cell, value: issue.rawValue };
    byDraft.set(draft, issue);
    return draft;
  });
  return sortIssues(drafts).map((draft) => byDraft.get(draft)!);
}
