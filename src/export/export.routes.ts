import { Router } from 'express';
import { scopedFundingFilter } from '../funding/funding.query';
import { DataSource } from 'typeorm';
import { authenticateHttpReader } from '../auth/http-authorisation';
import { AppConfig } from '../config';
import { HttpError } from '../request/http-error';
import { route } from '../request/http-route';
import { FUNDING_EXPORT_COLUMNS, fundingExportFileName, fundingExportRows, parseFundingExportParameters } from './fundings-export';
import { DEFAULT_MAX_XLSX_ROWS, parseTableFormat, sendTable } from '../request/tabular';

export interface ExportRouterOptions {
  /** Lines read per statement (tests make it small to cross page boundaries). */
  pageSize?: number;
  maxXlsxRows?: number;
}

/**
 * Flat exports of the current funding lines: `GET /api/export/fundings.csv|.xlsx|.json`, filtered by
 * the same criteria as GraphQL's FundingFilter given as query parameters (fundings-export.ts).
 */
export function createExportRouter(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>, options: ExportRouterOptions = {}): Router {
  const router = Router();
  router.get(
    '/api/export/fundings.:format',
    route(async (req, res) => {
      const format = parseTableFormat(String(req.params.format));
      if (!format) throw new HttpError(404, `Format « ${req.params.format} » inconnu : fundings.csv, fundings.xlsx ou fundings.json.`, 'format');
      const identity = await authenticateHttpReader(dataSource, config, req.headers.authorization);
      const parameters = parseFundingExportParameters(req.query as Record<string, unknown>);
      const { asOf, french } = parameters;
      // Only the contracts the token may see; one it names outside them is a 403 (route()).
      const filter = await scopedFundingFilter({ dataSource, identity }, parameters.filter);
      res.set('Cache-Control', 'no-store');
      await sendTable(res, format, FUNDING_EXPORT_COLUMNS, fundingExportRows(dataSource, filter, asOf, options.pageSize), {
        fileName: fundingExportFileName(filter, format),
        french: format === 'csv' && french,
        sheetName: 'Financements',
        maxXlsxRows: options.maxXlsxRows ?? DEFAULT_MAX_XLSX_ROWS,
      });
    }),
  );
  return router;
}
