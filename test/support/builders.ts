import { DataSource } from 'typeorm';
import { Action } from '../../src/action/action.entity';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { Axis } from '../../src/contract/axis.entity';
import { Contract } from '../../src/contract/contract.entity';
import { Orientation } from '../../src/contract/orientation.entity';
import { Funding } from '../../src/funding/funding.entity';
import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { IndicatorValue } from '../../src/indicator/indicator-value.entity';
import { IndicatorValueStage } from '../../src/kernel/indicator-value-stage.enum';
import { Indicator } from '../../src/indicator/indicator.entity';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { Programme } from '../../src/programme/programme.entity';

async function insertChunked<T>(dataSource: DataSource, entity: new () => T, rows: Partial<T>[], chunk = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await dataSource.createQueryBuilder().insert().into(entity).values(rows.slice(i, i + chunk) as never).execute();
  }
}

/** An empty contract and one State funder: the least a table of fundings needs. */
export async function buildContractWithFunder(dataSource: DataSource, code: string, name: string): Promise<{ contract: Contract; funder: Organisation }> {
  const now = new Date();
  const contract = await dataSource.getRepository(Contract).save({ code, name, signedOn: null, startYear: 2021, endYear: 2026, createdAt: now, updatedAt: now });
  const funder = await dataSource.getRepository(Organisation).save({
    name: 'Financeur',
    shortName: null,
    kind: OrganisationKind.STATE,
    siren: null,
    inseeCode: null,
    parentId: null,
    createdAt: now,
    updatedAt: now,
  });
  return { contract, funder };
}

export interface BuiltContract {
  contract: Contract;
  actionCount: number;
  fundingCount: number;
  /** Every amount inserted, in cents, so that tests can sum what they wrote. */
  fundingCents: bigint[];
}

/**
 * A synthetic contract of any size: 2 axes × 4 orientations, `actions` actions spread over them,
 * `fundingsPerAction` lines each (amounts with cents), and one indicator with two values per action.
 */
export async function buildLargeContract(
  dataSource: DataSource,
  options: { code: string; actions: number; fundingsPerAction: number },
): Promise<BuiltContract> {
  const now = new Date();
  const contract = await dataSource.getRepository(Contract).save({
    code: options.code,
    name: `Contrat de test ${options.code}`,
    signedOn: '2022-02-01',
    startYear: 2021,
    endYear: 2026,
    createdAt: now,
    updatedAt: now,
  });
  const funders: Organisation[] = [];
  for (let i = 0; i < 5; i++) {
    funders.push(
      await dataSource.getRepository(Organisation).save({
        name: `Financeur ${options.code} ${i}`,
        shortName: null,
        kind: OrganisationKind.STATE_OPERATOR,
        siren: null,
        inseeCode: null,
        parentId: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }
  const programme = await dataSource.getRepository(Programme).save({ code: `P-${options.code}`, name: 'Programme de test', description: null, operatorId: funders[0].id });
  const orientations: Orientation[] = [];
  for (let a = 1; a <= 2; a++) {
    const axis = await dataSource.getRepository(Axis).save({ contractId: contract.id, number: a, title: `Axe ${a}` });
    for (let o = 1; o <= 4; o++) {
      orientations.push(await dataSource.getRepository(Orientation).save({ contractId: contract.id, axisId: axis.id, code: `${a}.${o}`, title: `Orientation ${a}.${o}` }));
    }
  }
  const actionRows: Partial<Action>[] = [];
  for (let i = 0; i < options.actions; i++) {
    actionRows.push({
      contractId: contract.id,
      orientationId: orientations[i % orientations.length].id,
      code: `ACT-${String(i).padStart(4, '0')}`,
      title: `Action ${i}`,
      normalisedTitle: `action ${i}`,
      description: null,
      leadId: funders[i % funders.length].id,
      status: ActionStatus.UNDERWAY,
      totalCost: '1000000.00',
      costBase: null,
      startDate: null,
      endDate: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  await insertChunked(dataSource, Action, actionRows);
  const actions = await dataSource.getRepository(Action).find({ where: { contractId: contract.id }, order: { id: 'ASC' } });

  const fundingRows: Partial<Funding>[] = [];
  const fundingCents: bigint[] = [];
  actions.forEach((action, index) => {
    for (let f = 0; f < options.fundingsPerAction; f++) {
      const cents = BigInt(100000 + index * 37 + f * 11); // varied cents: sums catch any float drift
      fundingCents.push(cents);
      fundingRows.push({
        contractId: contract.id,
        actionId: action.id,
        funderId: funders[f % funders.length].id,
        programmeId: f % 2 ? programme.id : null,
        beneficiaryId: action.leadId,
        year: 2021 + (f % 6),
        amount: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`,
        stage: FundingStage.PLANNED,
        instrument: FundingInstrument.SUBSIDY,
        costBase: null,
        approximate: false,
        batchId: null,
        sourceSheet: 'Feuille 1',
        sourceCell: `D${index + 2}`,
        rawValue: null,
        supersededByBatchId: null,
        supersededAt: null,
        createdAt: now,
      });
    }
  });
  await insertChunked(dataSource, Funding, fundingRows);

  await insertChunked(
    dataSource,
    Indicator,
    actions.map((action) => ({
      contractId: contract.id,
      actionId: action.id,
      orientationId: null,
      code: `IND-${action.code}`,
      name: `Indicateur ${action.code}`,
      unit: 'logements',
      baseline: '0',
      target: '100',
      targetYear: 2026,
      createdAt: now,
      updatedAt: now,
    })),
  );
  const indicators = await dataSource.getRepository(Indicator).find({ where: { contractId: contract.id } });
  await insertChunked(
    dataSource,
    IndicatorValue,
    indicators.flatMap((indicator) =>
      [2022, 2023].map((year) => ({
        indicatorId: indicator.id,
        year,
        value: String(year - 2000),
        stage: IndicatorValueStage.ACTUAL,
        batchId: null,
        sourceSheet: null,
        sourceCell: null,
        rawValue: null,
        createdAt: now,
        updatedAt: now,
      })),
    ),
  );
  return { contract, actionCount: actions.length, fundingCount: fundingRows.length, fundingCents };
}
