import { Router } from 'express';
import { DataSource } from 'typeorm';

/** Flat exports of the current funding lines: `GET /api/export/fundings.csv|.xlsx|.json`. */
export function createExportRouter(_dataSource: DataSource): Router {
  return Router();
}
