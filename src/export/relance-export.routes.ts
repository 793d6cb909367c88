import { Router } from 'express';
import { DataSource } from 'typeorm';
import { authenticateHttpReader, requireHttpContractAccess } from '../auth/http-authorisation';
import { AppConfig } from '../config';
import { Contract } from '../contract/contract.entity';
import { FUNDING_INSTRUMENT_LABELS, RELANCE_AMOUNT_KIND_LABELS } from '../kernel/french-labels';
import { centsFromDriver, formatCents } from '../kernel/money';
import { HttpError } from '../request/http-error';
import { route } from '../request/http-route';
import { parseCsvVariant, parseTableFormat, sendTable, TableColumn, TableRow } from '../request/tabular';
import { findExportContract } from './annex3-export.routes';

/** One row per amount of the annex 2 in force, in the file's order (measure, then its cells). */
export const RELANCE_EXPORT_COLUMNS: TableColumn[] = [
  { key: 'voletNumber', label: 'Volet', type: 'text' },
  { key: 'voletTitle', label: 'Intitulé du volet', type: 'text' },
  { key: 'measure', label: 'Mesure', type: 'text' },
  { key: 'instrument', label: 'Instrument', type: 'text', labels: FUNDING_INSTRUMENT_LABELS },
  { key: 'kind', label: 'Nature du montant', type: 'text', labels: RELANCE_AMOUNT_KIND_LABELS },
  { key: 'year', label: 'Année', type: 'integer' },
  { key: 'amount', label: 'Montant (€)', type: 'decimal' },
  { key: 'approximate', label: 'Montant approximatif', type: 'boolean' },
  { key: 'rawValue', label: 'Texte de la cellule', type: 'text' },
  { key: 'sheet', label: 'Feuille', type: 'text' },
  { key: 'cell', label: 'Cellule', type: 'text' },
  { key: 'batchId', label: 'Lot n°', type: 'integer' },
  { key: 'fileName', label: 'Fichier', type: 'text' },
];

/**
 * The recovery plan's amounts of a contract (its annex 2 in force): `GET /api/export/relance.csv|.xlsx|.json
 * ?contract=CODE[&format=fr]`. Scoped like every read of a contract: a token of another contract's
 * organisation is a 403; with READ_REQUIRES_TOKEN a token is needed. Amounts are exact (read as cents).
 */
export function createRelanceExportRouter(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>): Router {
  const router = Router();
  router.get(
    '/api/export/relance.:format',
    route(async (req, res) => {
      const format = parseTableFormat(String(req.params.format));
      if (!format) throw new HttpError(404, `Format « ${req.params.format} » inconnu : relance.csv, relance.xlsx ou relance.json.`, 'format');
      const identity = await authenticateHttpReader(dataSource, config, req.headers.authorization);
      const french = parseCsvVariant(req.query.format);
      const contract = await findExportContract(dataSource, req.query.contract);
      requireHttpContractAccess(identity, contract);
      res.set('Cache-Control', 'no-store');
      await sendTable(res, format, RELANCE_EXPORT_COLUMNS, await relanceExportRows(dataSource, contract), {
        fileName: `plan-de-relance-${contract.code}.${format}`,
        french: format === 'csv' && french,
        sheetName: 'Plan de relance',
      });
    }),
  );
  return router;
}

/** A few hundred rows at most (an annex 2 has tens of measures): read in one statement. */
export async function relanceExportRows(dataSource: DataSource, contract: Pick<Contract, 'id'>): Promise<TableRow[]> {
  const integer = dataSource.options.type === 'better-sqlite3' ? 'INTEGER' : 'SIGNED';
  const rows: Array<Record<string, unknown>> = await dataSource.query(
    `SELECT m.volet_number AS volet_number, m.volet_title AS volet_title, m.name AS measure, ra.instrument AS instrument, ra.kind AS kind,
            ra.year AS year, CAST(ROUND(ra.amount * 100) AS ${integer}) AS amount_cents, ra.approximate AS approximate, ra.raw_value AS raw_value,
            ra.source_sheet AS source_sheet, ra.source_cell AS source_cell, m.batch_id AS batch_id, ib.file_name AS file_name
       FROM relance_amount ra
       JOIN relance_measure m ON m.id = ra.measure_id
       LEFT JOIN import_batch ib ON ib.id = m.batch_id
      WHERE m.contract_id = ? AND m.superseded_at IS NULL
      ORDER BY m.position, m.id, ra.id`,
    [contract.id],
  );
  return rows.map((row) => ({
    voletNumber: row.volet_number as string,
    voletTitle: row.volet_title as string,
    measure: row.measure as string,
    instrument: row.instrument as string,
    kind: row.kind as string,
    year: row.year === null ? null : Number(row.year),
    amount: formatCents(centsFromDriver(row.amount_cents, 'cents')),
    approximate: Boolean(Number(row.approximate)),
    rawValue: row.raw_value as string | null,
    sheet: row.source_sheet as string | null,
    cell: row.source_cell as string | null,
    batchId: row.batch_id === null ? null : Number(row.batch_id),
    fileName: row.file_name as string | null,
  }));
}
