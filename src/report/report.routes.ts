import { Router } from 'express';
import { DataSource } from 'typeorm';
import { GraphQLRunner } from '../server/graphql-runner';

/** Saved reports as URLs a BI tool refreshes: `GET /api/reports/NAME.csv|.xlsx|.json`. */
export function createReportRouter(_dataSource: DataSource, _runGraphQL: GraphQLRunner): Router {
  return Router();
}
