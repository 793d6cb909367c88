import { DataSource, IsNull } from 'typeorm';
import { Action } from '../action/action.entity';
import { placedOrientation } from '../amendment/action-placement';
import { titleThenSql } from '../amendment/title-history';
import { inForceSql } from '../contract/structure-date';
import { ActionStatus } from '../kernel/action-status.enum';
import { centsFromDriver, formatCents } from '../kernel/money';
import { Axis } from '../contract/axis.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { sumCentsSql } from '../sql/money-sql';
import { filteredFundings } from '../funding/funding.query';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Annex3Action, Annex3Amount, Annex3Data, Annex3Funder, Annex3Line } from './annex3-export';

/**
 * The plain data of a contract's annex 3, in five statements whatever the contract's size: axes,
 * orientations, actions, the amounts grouped in SQL by (action, funder, year) — envelopes also by programme
 * and beneficiary — and the counted lines for the « Lignes » sheet. The lines are exactly those that
 * `fundingTotals` counts (`filteredFundings`: not superseded, the funder's own declaration wins), summed in
 * integer cents (`sumCentsSql`), so every figure of the workbook is one that `fundingTotals` gives.
 */
export async function loadAnnex3Data(
  dataSource: DataSource,
  contract: Contract,
  stage: FundingStage,
  options: { generatedAt?: Date; withLines?: boolean; asOf?: string | null } = {},
): Promise<Annex3Data> {
  // On a past day (asOf, AAAA-MM-JJ): the structure that day — the axes and orientations in force, under
  // their titles then (amendments signed that day included), each action in the orientation it had (an
  // amendment may have moved it since) — and the lines valid at the end of that day (UTC), those recorded
  // during it included. Now: today's structure, where what an amendment closed is left out.
  const on = options.asOf ?? null;
  const asOf = on ? new Date(`${on}T23:59:59.999Z`) : null;
  const [axes, orientations, actionRows, amountRows, lines] = await Promise.all([
    on ? datedStructure(dataSource, Axis, 'axis', contract.id, on) : dataSource.getRepository(Axis).find({ where: { contractId: contract.id, closedOn: IsNull() }, order: { number: 'ASC' } }),
    on
      ? datedStructure(dataSource, Orientation, 'orientation', contract.id, on)
      : dataSource.getRepository(Orientation).find({ where: { contractId: contract.id, closedOn: IsNull() }, order: { code: 'ASC' } }),
    actionsQuery(dataSource, on).where('action.contract_id = :contractId', { contractId: contract.id }).getRawMany<Record<string, unknown>>(),
    loadAmounts(dataSource, contract.code, stage, asOf),
    options.withLines === false ? Promise.resolve(undefined) : loadLines(dataSource, contract.code, stage, asOf, on),
  ]);

  const actions: Annex3Action[] = actionRows.map((row) => ({
    id: Number(row.id),
    orientationId: row.orientation_id === null || row.orientation_id === undefined ? null : Number(row.orientation_id),
    code: String(row.code),
    title: String(row.title),
    lead: (row.lead as string | null) ?? null,
    status: row.status as ActionStatus,
    // DECIMAL as the driver gives it (a string on MySQL, a double on SQLite), back to an exact decimal string.
    totalCost: row.total_cost === null || row.total_cost === undefined ? null : formatCents(centsFromDriver(row.total_cost, 'euros')),
    costBase: (row.cost_base as string | null) ?? null,
  }));

  return {
    contract: { code: contract.code, name: contract.name, startYear: contract.startYear, endYear: contract.endYear, signedOn: contract.signedOn ?? null },
    stage,
    asOf: on,
    generatedAt: options.generatedAt ?? new Date(),
    axes: axes.map(({ id, number, title }) => ({ id, number, title })),
    orientations: orientations.map(({ id, axisId, code, title }) => ({ id, axisId, code, title })),
    actions,
    funders: amountRows.funders,
    amounts: amountRows.amounts,
    lines,
  };
}

// Envelopes (lines without an action) are told apart by programme and beneficiary; action lines are not.
const ENVELOPE_PROGRAMME = 'CASE WHEN funding.action_id IS NULL THEN programme.code END';
const ENVELOPE_BENEFICIARY = 'CASE WHEN funding.action_id IS NULL THEN beneficiary.name END';

async function loadAmounts(dataSource: DataSource, contractCode: string, stage: FundingStage, asOf: Date | null): Promise<{ amounts: Annex3Amount[]; funders: Annex3Funder[] }> {
  const rows = await filteredFundings(dataSource, { contract: contractCode, stage: [stage] }, asOf, { join: ['funder', 'programme', 'beneficiary'] })
    .select(sumCentsSql(dataSource, 'funding.amount'), 'cents')
    .addSelect('COUNT(*)', 'line_count')
    .addSelect('funding.action_id', 'action_id')
    .addSelect('funding.funder_id', 'funder_id')
    .addSelect('funder.name', 'funder_name')
    .addSelect('funder.kind', 'funder_kind')
    .addSelect('funding.year', 'year')
    .addSelect(ENVELOPE_PROGRAMME, 'envelope_programme')
    .addSelect(ENVELOPE_BENEFICIARY, 'envelope_beneficiary')
    .groupBy('funding.action_id')
    .addGroupBy('funding.funder_id')
    .addGroupBy('funder.name')
    .addGroupBy('funder.kind')
    .addGroupBy('funding.year')
    .addGroupBy(ENVELOPE_PROGRAMME)
    .addGroupBy(ENVELOPE_BENEFICIARY)
    .getRawMany<Record<string, unknown>>();
  const funders = new Map<number, Annex3Funder>();
  const amounts = rows.map((row): Annex3Amount => {
    const funderId = Number(row.funder_id);
    if (!funders.has(funderId)) funders.set(funderId, { id: funderId, name: String(row.funder_name), kind: row.funder_kind as OrganisationKind });
    return {
      actionId: row.action_id === null || row.action_id === undefined ? null : Number(row.action_id),
      funderId,
      year: Number(row.year),
      cents: centsFromDriver(row.cents, 'cents'),
      lines: Number(row.line_count),
      programme: (row.envelope_programme as string | null) ?? null,
      beneficiary: (row.envelope_beneficiary as string | null) ?? null,
    };
  });
  return { amounts, funders: [...funders.values()] };
}

async function loadLines(dataSource: DataSource, contractCode: string, stage: FundingStage, asOf: Date | null, on: string | null): Promise<Annex3Line[]> {
  const query = filteredFundings(dataSource, { contract: contractCode, stage: [stage] }, asOf).leftJoin(Action, 'l_action', 'l_action.id = funding.action_id');
  const rows = await query
    .leftJoin(Orientation, 'l_orientation', `l_orientation.id = ${placedOrientation(query, 'l_action', on)}`)
    .select('l_action.code', 'action_code')
    .addSelect('l_action.title', 'action_title')
    .addSelect('l_orientation.code', 'orientation_code')
    .addSelect('funder.name', 'funder_name')
    .addSelect('programme.code', 'programme_code')
    .addSelect('beneficiary.name', 'beneficiary_name')
    .addSelect('funding.year', 'year')
    .addSelect('funding.stage', 'stage')
    .addSelect('funding.instrument', 'instrument')
    .addSelect('funding.amount', 'amount')
    .addSelect('batch.file_name', 'file_name')
    .addSelect('funding.batch_id', 'batch_id')
    .addSelect('funding.source_sheet', 'source_sheet')
    .addSelect('funding.source_cell', 'source_cell')
    .addSelect('funding.raw_value', 'raw_value')
    // Lines without an action last, as in the annex sheet.
    .orderBy('CASE WHEN funding.action_id IS NULL THEN 1 ELSE 0 END', 'ASC')
    .addOrderBy('l_action.code', 'ASC')
    .addOrderBy('funder.name', 'ASC')
    .addOrderBy('funding.year', 'ASC')
    .addOrderBy('funding.id', 'ASC')
    .getRawMany<Record<string, unknown>>();
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return rows.map((row) => ({
    actionCode: text(row.action_code),
    actionTitle: text(row.action_title),
    orientationCode: text(row.orientation_code),
    funder: String(row.funder_name),
    programme: text(row.programme_code),
    beneficiary: text(row.beneficiary_name),
    year: Number(row.year),
    stage: row.stage as FundingStage,
    instrument: row.instrument as FundingInstrument,
    cents: centsFromDriver(row.amount, 'euros'),
    fileName: text(row.file_name),
    batchId: row.batch_id === null || row.batch_id === undefined ? null : Number(row.batch_id),
    sheet: text(row.source_sheet),
    cell: text(row.source_cell),
    rawValue: text(row.raw_value),
  }));
}

/** The contract's actions, each with the orientation it has now, or had on the day `on`. */
function actionsQuery(dataSource: DataSource, on: string | null) {
  const query = dataSource.getRepository(Action).createQueryBuilder('action').leftJoin('action.lead', 'lead');
  return query
    .select(['action.id AS id', 'action.code AS code', 'action.title AS title', 'action.status AS status'])
    .addSelect(placedOrientation(query, 'action', on), 'orientation_id')
    .addSelect(['action.total_cost AS total_cost', 'action.cost_base AS cost_base', 'lead.name AS lead']);
}

/** The axes or orientations of a contract in force on the day `on`, under the titles they had that day. */
async function datedStructure<T extends Axis | Orientation>(dataSource: DataSource, entity: new () => T, alias: 'axis' | 'orientation', contractId: number, on: string): Promise<T[]> {
  const { entities, raw } = await dataSource
    .getRepository<T>(entity)
    .createQueryBuilder(alias)
    .addSelect(titleThenSql(alias, alias === 'axis' ? 'axis_id' : 'orientation_id'), 'title_then')
    .where(`${alias}.contract_id = :contractId`, { contractId })
    .andWhere(inForceSql(alias, on), { on })
    .orderBy(`${alias}.${alias === 'axis' ? 'number' : 'code'}`, 'ASC')
    .getRawAndEntities();
  const titleThen = new Map(raw.map((row: Record<string, unknown>) => [Number(row[`${alias}_id`]), row.title_then]));
  for (const row of entities) {
    const title = titleThen.get(row.id);
    if (title !== null && title !== undefined) row.title = String(title);
  }
  return entities;
}
