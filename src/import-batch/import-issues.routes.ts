import { Request, Response, Router } from 'express';
import { DataSource } from 'typeorm';
import { authenticateHttpReader, authenticateHttp, requireHttpWriter, requireImportSource } from '../auth/http-authorisation';
import { Identity } from '../request/identity';
import { AppConfig } from '../config';
import { parseCsvVariant, parseTableFormat, sendTable, TableColumn, TableRow } from '../request/tabular';
import { HttpError } from '../request/http-error';
import { recordAudit } from '../audit/audit.service';
import { route } from '../request/http-route';
import { inTurn } from '../contract/contract-write';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportStatus } from '../kernel/import-batch.enum';
import { ISSUE_SEVERITY_LABELS } from '../kernel/french-labels';
import { canSeeBatch } from './import-batch.visibility';
import { ImportIssue } from './import-issue.entity';
import { sortedIssues } from './import-issue.order';

/**
 * What the upload page needs beside POST /api/imports:
 * - `GET /api/imports/:id/issues.csv|.xlsx` → the batch's issues as a spreadsheet, in the preview's order
 *   (errors first, then by sheet, row and column), for the partner who fixes the file; `?format=fr` gives
 *   the CSV French Excel opens in columns (« ; », UTF-8 BOM), the one /depot downloads first;
 * - `POST /api/imports/:id/abandon` → a preview nobody will apply is marked ABANDONED.
 * A batch is seen as GraphQL's `importBatch(id)` sees it (canSeeBatch): a batch the caller may not see is
 * answered like one that does not exist.
 */
export function createImportIssuesRouter(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>): Router {
  const router = Router();
  router.get('/api/imports/:id/issues.:format', route((req, res) => getIssues(dataSource, config, req, res)));
  router.post('/api/imports/:id/abandon', route((req, res) => postAbandon(dataSource, req, res)));
  return router;
}

export const ISSUE_COLUMNS: TableColumn[] = [
  // A file for the partner who fixes the file: the severity in French in every format, plain CSV included.
  { key: 'severity', label: 'Gravité', type: 'text' },
  { key: 'code', label: 'Code', type: 'text' },
  { key: 'message', label: 'Message', type: 'text' },
  { key: 'sheet', label: 'Feuille', type: 'text' },
  { key: 'cell', label: 'Cellule', type: 'text' },
  { key: 'rawValue', label: 'Valeur lue', type: 'text' },
];

async function getIssues(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>, req: Request, res: Response): Promise<void> {
  const format = parseTableFormat(String(req.params.format));
  if (format !== 'csv' && format !== 'xlsx') throw new HttpError(404, `Format « ${req.params.format} » inconnu : issues.csv ou issues.xlsx.`, 'format');
  const french = parseCsvVariant(req.query.format);
  const identity = await authenticateHttpReader(dataSource, config, req.headers.authorization);
  const batch = await visibleBatch(dataSource, identity, req);
  const issues = await dataSource.getRepository(ImportIssue).find({ where: { batchId: batch.id }, order: { id: 'ASC' } });
  const rows: TableRow[] = sortedIssues(issues).map((issue) => ({
    severity: ISSUE_SEVERITY_LABELS[issue.severity] ?? issue.severity,
    code: issue.code,
    message: issue.message,
    sheet: issue.sheet,
    cell: issue.cell,
    rawValue: issue.rawValue,
  }));
  res.set('Cache-Control', 'no-store');
  await sendTable(res, format, ISSUE_COLUMNS, rows, {
    fileName: `anomalies-lot-${batch.id}.${format}`,
    french: format === 'csv' && french,
    sheetName: 'Anomalies',
  });
}

async function postAbandon(dataSource: DataSource, req: Request, res: Response): Promise<void> {
  const identity = requireHttpWriter(await authenticateHttp(dataSource, req.headers.authorization));
  const batch = await visibleBatch(dataSource, identity, req);
  requireImportSource(identity, { id: batch.sourceId, name: batch.source.name });
  // Conditional on the status, so that an apply running at the same moment cannot be abandoned under it:
  // on InnoDB the UPDATE waits for the apply's lock on the row (import-apply.service.ts lockBatch) and then
  // sees its status; on SQLite the apply's transaction holds the write lock, and in this process the
  // changes of a contract's batches take turns. Not writeToContract: an abandon changes no figure (no new
  // version), and does not take the contract's lock, so that it is not queued behind an apply that waits
  // for it (test/faults/concurrent.test.ts).
  const affected = await inTurn(dataSource, batch.contractId, () =>
    dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ImportBatch)
        .set({ status: ImportStatus.ABANDONED })
        .where('id = :id AND status = :previewed', { id: batch.id, previewed: ImportStatus.PREVIEWED })
        .execute();
      if (result.affected) await recordAudit(manager, identity, { action: 'IMPORT_ABANDON', target: { kind: 'import_batch', id: batch.id }, detail: { status: ImportStatus.ABANDONED } });
      return result.affected;
    }),
  );
  if (!affected) {
    const current = await dataSource.getRepository(ImportBatch).findOneByOrFail({ id: batch.id });
    throw new HttpError(409, `Le lot n° ${batch.id} est ${STATUS_LABELS[current.status] ?? current.status} : seul un aperçu (PREVIEWED) peut être abandonné.`, 'id');
  }
  res.json({ batchId: batch.id, status: ImportStatus.ABANDONED });
}

const STATUS_LABELS: Record<ImportStatus, string> = {
  PREVIEWED: 'un aperçu',
  APPLIED: 'déjà appliqué',
  REJECTED: 'rejeté (il contient des erreurs et n’a rien changé)',
  SUPERSEDED: 'remplacé par un fichier plus récent',
  ROLLED_BACK: 'annulé',
  UNCHANGED: 'identique au fichier en vigueur',
  ABANDONED: 'déjà abandonné',
};

/** The batch named in the path, when the caller may see it (GraphQL's rule); otherwise a 404. */
async function visibleBatch(dataSource: DataSource, identity: Identity | null, req: Request): Promise<ImportBatch> {
  const id = String(req.params.id);
  if (!/^\d{1,10}$/.test(id)) throw new HttpError(400, `« ${id} » n'est pas un numéro de lot.`, 'id');
  const batch = await dataSource.getRepository(ImportBatch).findOne({ where: { id: Number(id) }, relations: { source: true } });
  // Same answer for a batch that does not exist and one the caller may not see: nothing leaks.
  if (!batch || !canSeeBatch(identity, batch)) throw new HttpError(404, `Le lot n° ${id} n'existe pas, ou votre jeton ne permet pas de le voir.`, 'id');
  return batch;
}

