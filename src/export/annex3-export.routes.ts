import { Router } from 'express';
import { DataSource } from 'typeorm';

/** The consolidated annex 3 of a contract: `GET /api/export/annex3.xlsx?contract=CODE`. */
export function createAnnex3ExportRouter(_dataSource: DataSource): Router {
  return Router();
}
