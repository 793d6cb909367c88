import { DataSource, IsNull } from 'typeorm';
import { Action } from '../action/action.entity';
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
  options: { generatedAt?: Date; withLines?: boolean } = {},
): Promise<Annex3Data> {
  const [axes, orientations, actionRows, amountRows, lines] = await Promise.all([
    // Today's structure: what an amendment closed is left out (its actions were moved elsewhere).
    dataSource.getRepository(Axis).find({ where: { contractId: contract.id, closedOn: IsNull() }, order: { number: 'ASC' } }),
    dataSource.getRepository(Orientation).find({ where: { contractId: contract.id, closedOn: IsNull() }, order: { code: 'ASC' } }),
    dataSource
      .getRepository(Action)
      .createQueryBuilder('action')
      .leftJoin('action.lead', 'lead')
      .select(['action.id AS id', 'action.orientation_id AS orientation_id', 'action.code AS code', 'action.title AS title', 'action.status AS status'])
      .addSelect(['action.total_cost AS total_cost', 'action.cost_base AS cost_base', 'lead.name AS lead'])
      .where('action.contract_id = :contractId', { contractId: contract.id })
      .getRawMany<Record<string, unknown>>(),
    loadAmounts(dataSource, contract.code, stage),
    options.withLines === false ? Promise.resolve(undefined) : loadLines(dataSource, contract.code, stage),
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

async function loadAmounts(dataSource: DataSource, contractCode: string, stage: FundingStage): Promise<{ amounts: Annex3Amount[]; funders: Annex3Funder[] }> {
  const rows = await filteredFundings(dataSource, { contract: contractCode, stage: [stage] }, null, { join: ['funder', 'programme', 'beneficiary'] })
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

async function loadLines(dataSource: DataSource, contractCode: string, stage: FundingStage): Promise<Annex3Line[]> {
  const rows = await filteredFundings(dataSource, { contract: contractCode, stage: [stage] })
    .leftJoin(Action, 'l_action', 'l_action.id = funding.action_id')
    .leftJoin(Orientation, 'l_orientation', 'l_orientation.id = l_action.orientation_id')
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
