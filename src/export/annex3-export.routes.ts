import { Request, Response, Router } from 'express';
import { DataSource } from 'typeorm';
import { authenticateHttpReader, requireHttpContractAccess } from '../auth/http-authorisation';
import { AppConfig } from '../config';
import { Contract } from '../contract/contract.entity';
import { FundingStage } from '../kernel/funding.enum';
import { isIsoDate } from '../common/field-validation';
import { XLSX_CONTENT_TYPE } from '../import-batch/import-templates';
import { HttpError } from '../request/http-error';
import { route } from '../request/http-route';
import { writeAnnex3 } from './annex3-export';
import { loadAnnex3Data } from './annex3-export.data';

const STAGES = Object.values(FundingStage) as string[];

/**
 * The consolidated annex 3 of a contract: `GET /api/export/annex3.xlsx?contract=CODE&stage=PLANNED`, and
 * `&asOf=AAAA-MM-JJ` for the annex as it stood that day (the structure after the amendments signed by then,
 * the lines recorded by the end of that day).
 * `contract` may be left out when the database holds one contract; `stage` defaults to PLANNED (the
 * « prévu » of an annex 3). With READ_REQUIRES_TOKEN a valid token is needed, as for GraphQL reads.
 */
export function createAnnex3ExportRouter(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>): Router {
  const router = Router();
  router.get('/api/export/annex3.xlsx', route((req, res) => getAnnex3(dataSource, config, req, res)));
  return router;
}

async function getAnnex3(dataSource: DataSource, config: Pick<AppConfig, 'readRequiresToken'>, req: Request, res: Response): Promise<void> {
  // A bad token is always refused; no token only when reads require one.
  const identity = await authenticateHttpReader(dataSource, config, req.headers.authorization);
  const stage = parseStage(req.query.stage);
  const contract = await findExportContract(dataSource, req.query.contract);
  requireHttpContractAccess(identity, contract);
  const asOf = parseAsOfDay(req.query.asOf);
  const data = await loadAnnex3Data(dataSource, contract, stage, { asOf });
  const { buffer, fileName } = writeAnnex3(data);
  res.status(200).attachment(fileName).type(XLSX_CONTENT_TYPE).set('Cache-Control', 'no-store').send(buffer);
}

function singleParameter(value: unknown, name: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new HttpError(400, `Le paramètre « ${name} » ne doit être donné qu’une fois.`, name);
  return value.trim();
}

/** `asOf=AAAA-MM-JJ`: the annex as it stood that day; absent, today's. */
export function parseAsOfDay(value: unknown): string | null {
  const text = singleParameter(value, 'asOf');
  if (!text) return null;
  if (!isIsoDate(text)) throw new HttpError(400, `Le paramètre « asOf » doit être une date AAAA-MM-JJ réelle, par exemple 2024-03-15 (reçu « ${text} »).`, 'asOf');
  return text;
}

export function parseStage(value: unknown): FundingStage {
  const text = singleParameter(value, 'stage');
  if (!text) return FundingStage.PLANNED;
  const stage = text.toUpperCase();
  if (!STAGES.includes(stage)) {
    throw new HttpError(400, `Le paramètre « stage » doit valoir ${STAGES.join(', ')} (reçu « ${text} »).`, 'stage');
  }
  return stage as FundingStage;
}

export async function findExportContract(dataSource: DataSource, value: unknown): Promise<Contract> {
  const code = singleParameter(value, 'contract');
  const repository = dataSource.getRepository(Contract);
  if (code) {
    const contract = await repository.findOne({ where: { code } });
    if (!contract) throw new HttpError(404, `Le contrat « ${code} » n’existe pas.`, 'contract');
    return contract;
  }
  const contracts = await repository.find({ take: 2, order: { id: 'ASC' } });
  if (contracts.length === 1) return contracts[0];
  if (!contracts.length) throw new HttpError(404, 'Aucun contrat n’est chargé : lancez « npx crte seed ».', 'contract');
  throw new HttpError(400, 'Plusieurs contrats existent : précisez le code du contrat (?contract=CODE).', 'contract');
}
