import { Action } from '../../src/action/action.entity';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { centsFromDriver, formatCents } from '../../src/kernel/money';
import { Contract } from '../../src/contract/contract.entity';
import { sumCentsSql } from '../../src/sql/money-sql';
import { Funding } from '../../src/funding/funding.entity';
import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { Organisation } from '../../src/organisation/organisation.entity';
import { buildContractWithFunder } from '../support/builders';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

describe(`money is exact on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let contract: Contract;
  let funder: Organisation;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ contract, funder } = await buildContractWithFunder(db.dataSource, 'MONEY', 'Argent'));
  });
  afterAll(async () => db?.drop());

  async function addFunding(amount: string, year: number): Promise<Funding> {
    return db.dataSource.getRepository(Funding).save({
      contractId: contract.id,
      actionId: null,
      funderId: funder.id,
      programmeId: null,
      beneficiaryId: null,
      year,
      amount,
      stage: FundingStage.PLANNED,
      instrument: FundingInstrument.SUBSIDY,
      costBase: null,
      approximate: false,
      batchId: null,
      sourceSheet: null,
      sourceCell: null,
      rawValue: null,
      supersededByBatchId: null,
      supersededAt: null,
      createdAt: new Date(),
    });
  }

  async function sumOfYear(year: number): Promise<string> {
    const row = await db.dataSource
      .getRepository(Funding)
      .createQueryBuilder('funding')
      .select(sumCentsSql(db.dataSource, 'funding.amount'), 'cents')
      .where('funding.year = :year', { year })
      .getRawOne<{ cents: unknown }>();
    return formatCents(centsFromDriver(row!.cents, 'cents'));
  }

  it('adds 0.10 and 0.20 to exactly "0.30" in SQL', async () => {
    await addFunding('0.10', 2021);
    await addFunding('0.20', 2021);
    expect(await sumOfYear(2021)).toBe('0.30');
    // The naive sum that SQLite would give is the float 0.30000000000000004: never shown.
    const stored = await db.dataSource.getRepository(Funding).find({ where: { year: 2021 }, order: { id: 'ASC' } });
    expect(stored.map((funding) => funding.amount)).toEqual(['0.10', '0.20']);
  });

  it('stores and reads back 9 999 999 999 999.99 €', async () => {
    const saved = await addFunding('9999999999999.99', 2022);
    const read = await db.dataSource.getRepository(Funding).findOneByOrFail({ id: saved.id });
    expect(read.amount).toBe('9999999999999.99');
    expect(await sumOfYear(2022)).toBe('9999999999999.99');
  });

  it('sums thousands of lines with cents to the cent', async () => {
    let expected = 0n;
    const rows = [];
    for (let i = 0; i < 3000; i++) {
      const cents = BigInt(i * 1234567 + 1); // amounts from 0.01 € to about 37 M€
      expected += cents;
      rows.push(formatCents(cents));
    }
    for (let i = 0; i < rows.length; i += 500) {
      await db.dataSource
        .createQueryBuilder()
        .insert()
        .into(Funding)
        .values(
          rows.slice(i, i + 500).map((amount) => ({
            contractId: contract.id,
            funderId: funder.id,
            year: 2023,
            amount,
            stage: FundingStage.PLANNED,
            instrument: FundingInstrument.SUBSIDY,
            approximate: false,
            createdAt: new Date(),
          })),
        )
        .execute();
    }
    expect(await sumOfYear(2023)).toBe(formatCents(expected));
  });

  it('keeps an action cost exact and refuses a third decimal before it reaches the database', async () => {
    const now = new Date();
    const action = await db.dataSource.getRepository(Action).save({
      contractId: contract.id,
      orientationId: null,
      code: 'M-1',
      title: 'Coût',
      normalisedTitle: 'cout',
      description: null,
      leadId: null,
      status: ActionStatus.PLANNED,
      totalCost: '52000000.5',
      costBase: null,
      startDate: null,
      endDate: null,
      createdAt: now,
      updatedAt: now,
    });
    expect((await db.dataSource.getRepository(Action).findOneByOrFail({ id: action.id })).totalCost).toBe('52000000.50');
    await expect(db.dataSource.getRepository(Action).update(action.id, { totalCost: '1.005' })).rejects.toThrow(/deux décimales/);
    expect((await db.dataSource.getRepository(Action).findOneByOrFail({ id: action.id })).totalCost).toBe('52000000.50');
  });
});
