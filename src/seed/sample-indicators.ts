import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataSource } from 'typeorm';
import { batchEvent, cliActor, recordAudit } from '../audit/audit.service';
import { importFile } from '../import-batch/import-apply.service';
import { ImportKind } from '../kernel/import-batch.enum';
import { DOUAISIS_DATASET } from './douaisis.seed-data';

const FILE_NAME = 'indicateurs-exemple-douaisis.xlsx';

/**
 * The sample indicators workbook (test/fixtures/indicators/, built by its build-indicators.ts), from src/seed
 * (ts-jest) as from dist/src/seed (compiled). Null when the installation has no test/ folder.
 */
export function sampleIndicatorsPath(): string | null {
  const candidates = [join(__dirname, '..', '..'), join(__dirname, '..', '..', '..')].map((root) => join(root, 'test', 'fixtures', 'indicators', FILE_NAME));
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** Who the batch and the audit name, so that /historique says where these figures came from. */
export const SAMPLE_INDICATORS_BY = 'Exemple du premier démarrage';

/**
 * The first run's sample indicators, through the normal import (one applied batch, audited, which
 * /historique shows and can roll back): the dashboard's indicators are then not empty on a fresh install.
 * Called once, right after the first seed. The values are invented: by default they go only into the embedded
 * SQLite database a newcomer's `npm start` creates, never into a MySQL/MariaDB server (a real installation,
 * where a COPIL could take them for real) unless `SAMPLE_INDICATORS=true`; `SAMPLE_INDICATORS=false` leaves
 * them out everywhere. Returns the French line `crte serve` prints, or null when nothing was loaded.
 */
export async function loadSampleIndicators(dataSource: DataSource, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const wanted = env.SAMPLE_INDICATORS === undefined || env.SAMPLE_INDICATORS === '' ? dataSource.options.type === 'better-sqlite3' : env.SAMPLE_INDICATORS === 'true';
  if (!wanted) return null;
  const path = sampleIndicatorsPath();
  if (!path) return null;
  const actor = cliActor(SAMPLE_INDICATORS_BY);
  const result = await importFile(
    dataSource,
    {
      buffer: readFileSync(path),
      fileName: basename(path),
      kind: ImportKind.INDICATORS,
      source: 'Etat',
      contract: DOUAISIS_DATASET.contract.code,
      uploadedBy: actor.name,
    },
    (manager, r) => recordAudit(manager, actor, batchEvent('IMPORT_APPLY', r)),
  );
  if (result.status !== 'APPLIED') throw new Error(`Les indicateurs d'exemple (${path}) n'ont pas été appliqués : ${result.status}.`);
  return `Indicateurs d'exemple chargés (lot n° ${result.batchId}, ${basename(path)}) : à annuler dans /historique une fois les vrais reçus ; SAMPLE_INDICATORS=false ne les charge pas.`;
}
