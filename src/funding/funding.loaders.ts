import DataLoader from 'dataloader';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { anyId, byIdLoader, groupLoader, GroupLoader, idsIn, loadersByKey, MAX_BATCH_SIZE, nextTurn } from '../common/batch-loader';
import { rawRowsYielding } from '../sql/sqlite-streamed-read';
import { mapRows, readArrayRows } from '../sql/array-rows';
import { selectColumns } from '../sql/raw-rows';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { FundingDimension } from './funding-group';
import { FundingGroupSum, sumFundings } from './funding-totals.service';
import { Funding } from './funding.entity';
import { columnsFor, mergeSelections, Selection } from '../request/selection';
import type { FundingFilter } from './funding.filter';
import { countedFundings } from './funding.query';

/** Parents (actions) past which an action's lines are read by rawRowsYielding (~100 000 lines and more). */
export const STREAMED_READ_PARENTS = 10_000;

export interface FundingLoaders {
  /**
   * An action's lines with their funder, programme and beneficiary, in one statement, read as plain
   * objects (each organisation or programme built once per batch); the batch comes from its loader
   * only when asked for. Only the columns that the query's selection needs are read: on a large
   * contract, the width of the rows (every column of four tables) was most of the statement's time.
   * One loader per distinct selection, so the lines of a query are still read in one statement. With a
   * `moment` (an action read in a tree dated asOf): the lines valid and counted then, as fundings(asOf)
   * lists them and stageTotalsByActionAt counts them, each line's action answered as it stood then.
   */
  fundingsByAction(selection: Selection, moment?: Date | null): GroupLoader<Funding>;
  programmeById: DataLoader<number, Programme | null>;
  batchById: DataLoader<number, ImportBatch | null>;
  /** The correction made in a preview to a batch's cell (key: cellKey(batch, sheet, cell)): all the batches' corrections in one statement. */
  correctionByCell: DataLoader<string, ImportCellCorrection | null>;
  /**
   * Totals of many axes (or orientations) in one statement: one loader per distinct (scope, groupBy,
   * filter) asked for in the request, each grouping by the scope's id first.
   */
  fundingTotalsWithin(scope: ScopeDimension, groupBy: readonly FundingDimension[], filter: FundingFilter | null, asOf?: Date | null): DataLoader<number, FundingGroupSum[]>;
}

/** The request context's loaders include these (src/request/context.ts). */
declare module '../request/context' {
  interface Loaders extends FundingLoaders {}
}

export function createFundingLoaders(dataSource: DataSource): FundingLoaders {
  return {
    fundingsByAction: loadersByKey(
      // Today's key is the columns' own string: no string built per call (once per action of a nested query).
      (selection: Selection, moment: Date | null = null) => (moment ? `${lineColumns(dataSource, selection).key}@${moment.toISOString()}` : lineColumns(dataSource, selection).key),
      (selection, moment = null) => linesByAction(dataSource, lineColumns(dataSource, selection), moment),
    ),
    programmeById: byIdLoader((ids) => dataSource.getRepository(Programme).find({ where: { id: anyId(dataSource, ids) } })),
    batchById: byIdLoader((ids) => dataSource.getRepository(ImportBatch).find({ where: { id: anyId(dataSource, ids) } })),
    correctionByCell: correctionLoader(dataSource),
    fundingTotalsWithin: scopedTotalsLoaders(dataSource),
  };
}

/** A batch's cell, as the correction loader's key. */
export function cellKey(batchId: number, sheet: string, cell: string): string {
  return `${batchId}\u0000${sheet}\u0000${cell}`;
}

function correctionLoader(dataSource: DataSource): DataLoader<string, ImportCellCorrection | null> {
  return new DataLoader<string, ImportCellCorrection | null>(
    async (keys) => {
      await nextTurn(keys.length);
      const batchIds = [...new Set(keys.map((key) => Number(key.split('\u0000')[0])))];
      // A batch has a handful of corrections at most: read them all, match the cells here.
      const rows = await dataSource.getRepository(ImportCellCorrection).find({ where: { batchId: anyId(dataSource, batchIds) } });
      const byCell = new Map(rows.map((row) => [cellKey(row.batchId, row.sheet, row.cell), row]));
      return keys.map((key) => byCell.get(key) ?? null);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

type ScopeDimension = FundingDimension.AXIS | FundingDimension.ORIENTATION;

function scopedTotalsLoaders(dataSource: DataSource): FundingLoaders['fundingTotalsWithin'] {
  return loadersByKey(
    (scope: ScopeDimension, groupBy: readonly FundingDimension[], filter: FundingFilter | null, asOf: Date | null = null) =>
      JSON.stringify([scope, groupBy, filter, asOf?.toISOString() ?? null]),
    (scope, groupBy, filter, asOf = null) =>
      new DataLoader<number, FundingGroupSum[]>(
        async (ids) => {
          await nextTurn(ids.length);
          // At a moment, each action's lines are counted under the orientation it was in then (sumFundings).
          const sums = await sumFundings(dataSource, { groupBy: [scope, ...groupBy], filter, asOf, scope: { dimension: scope, ids } });
          const byScope = new Map<number, FundingGroupSum[]>();
          for (const sum of sums) {
            const id = (scope === FundingDimension.AXIS ? sum.axisId : sum.orientationId) as number;
            const group = byScope.get(id);
            if (group) group.push(sum);
            else byScope.set(id, [sum]);
          }
          return ids.map((id) => byScope.get(id) ?? []);
        },
      ),
  );
}

/** The columns of a funding line and of each related row that a selection of `Funding` needs. */
interface LineColumns {
  funding: ColumnMetadata[];
  /** Null when the relation is not asked for: it is not joined. */
  funder: ColumnMetadata[] | null;
  programme: ColumnMetadata[] | null;
  beneficiary: ColumnMetadata[] | null;
  key: string;
}

/** Column metadata belongs to one data source (its driver's types): cached per data source. */
const lineColumnsCache = new WeakMap<DataSource, WeakMap<Selection, LineColumns>>();

/** What each field resolver of Funding, Organisation and Programme reads of its row. */
const FUNDING_RESOLVERS: Partial<Record<string, ReadonlyArray<keyof Funding & string>>> = {
  action: ['actionId'],
  funder: ['funderId'],
  programme: ['programmeId'],
  beneficiary: ['beneficiaryId'],
  territory: ['beneficiaryId'],
  source: ['batchId', 'sourceId', 'sourceSheet', 'sourceCell', 'rawValue'],
  correction: ['batchId', 'sourceSheet', 'sourceCell'],
};
/** What each field of FundingSource (built by Funding.source) reads of the line. */
const SOURCE_FIELDS: Record<string, ReadonlyArray<keyof Funding & string>> = {
  __typename: [],
  sheet: ['sourceSheet'],
  cell: ['sourceCell'],
  reference: ['sourceSheet', 'sourceCell'],
  rawValue: ['rawValue'],
  batch: ['batchId'],
  declaredBy: ['sourceId'],
};

/** The lineage columns that a selection of `source` needs (all of them for a field not listed). */
function sourceColumns(selection: Selection): ReadonlyArray<keyof Funding & string> {
  const columns = new Set<keyof Funding & string>();
  for (const field of selection.keys()) {
    const needs = SOURCE_FIELDS[field];
    if (!needs) return FUNDING_RESOLVERS.source!;
    needs.forEach((column) => columns.add(column));
  }
  return [...columns];
}
const ORGANISATION_RESOLVERS: Partial<Record<string, ReadonlyArray<keyof Organisation & string>>> = {
  aliases: [],
  parent: ['parentId'],
  communes: [],
};

function lineColumns(dataSource: DataSource, selection: Selection): LineColumns {
  let cache = lineColumnsCache.get(dataSource);
  if (!cache) lineColumnsCache.set(dataSource, (cache = new WeakMap()));
  let columns = cache.get(selection);
  if (columns) return columns;
  const organisation = (sub: Selection | undefined, extra: ReadonlyArray<keyof Organisation & string> = []) =>
    sub ? columnsFor(dataSource, Organisation, sub, extra, ORGANISATION_RESOLVERS) : null;
  // The territory is the beneficiary's EPCI, read from its kind and parent; an EPCI beneficiary is its
  // own territory, so it answers the territory's selection too.
  const territorySelection = selection.get('territory');
  const territory = territorySelection !== undefined;
  const beneficiary = territory ? mergeSelections(selection.get('beneficiary'), territorySelection) : selection.get('beneficiary');
  const source = selection.get('source');
  const resolvers = source ? { ...FUNDING_RESOLVERS, source: sourceColumns(source) } : FUNDING_RESOLVERS;
  // The action's id groups the lines, their year orders them; every other key is read only for the
  // relation asked for (FUNDING_RESOLVERS).
  const funding = columnsFor(dataSource, Funding, selection, ['actionId', 'year'], resolvers);
  const funder = organisation(selection.get('funder'));
  const programmeSelection = selection.get('programme');
  const programme = programmeSelection ? columnsFor(dataSource, Programme, programmeSelection, [], {}) : null;
  const beneficiaryColumns = organisation(beneficiary, territory ? ['kind', 'parentId'] : []);
  const names = (list: ColumnMetadata[] | null) => (list ? list.map((column) => column.propertyName).join(',') : '-');
  columns = {
    funding,
    funder,
    programme,
    beneficiary: beneficiaryColumns,
    key: [funding, funder, programme, beneficiaryColumns].map(names).join('|'),
  };
  cache.set(selection, columns);
  return columns;
}

function linesByAction(dataSource: DataSource, columns: LineColumns, moment: Date | null): GroupLoader<Funding> {
  return groupLoader(
    async (ids) => {
      const query = countedFundings(dataSource, 'funding', moment);
      const slots: string[] = (['funder', 'programme', 'beneficiary'] as const).filter((relation) => columns[relation]);
      if (moment) slots.push('structureAsOf');
      const readFunding = selectColumns(dataSource, Funding, query, 'funding', columns.funding, { first: true, slots });
      query.andWhere(...idsIn(dataSource, 'funding.action_id', ids));
      // The lines of a very large contract: one statement that yields on SQLite. Below, one plain read on the
      // shared connection: 50 000 lines (5 000 actions) hold the loop ~50 ms, and stepping them on a connection
      // of its own cost a tenth of the nested query's time (bench:peer).
      const lines =
        ids.length > STREAMED_READ_PARENTS
          ? await rawRowsYielding(dataSource, query, (names) => readFunding.at(names) as (row: readonly unknown[]) => Funding)
          : await readArrayRows(dataSource, query).then(({ columns: names, rows }) => mapRows(rows, readFunding.at(names) as (row: readonly unknown[]) => Funding));
      // Each relation asked for is one statement of its own for the distinct rows the lines point to (a
      // level of the query), not a join: joined, its columns came again with each of the lines (the same
      // few funders' names 50 000 times, each a string to build), a third of the lines' values.
      await Promise.all([
        columns.funder && attachRelation(dataSource, Organisation, columns.funder, lines, 'funderId', 'funder'),
        columns.programme && attachRelation(dataSource, Programme, columns.programme, lines, 'programmeId', 'programme'),
        columns.beneficiary && attachRelation(dataSource, Organisation, columns.beneficiary, lines, 'beneficiaryId', 'beneficiary'),
      ]);
      // Each line's action answers as it stood at that moment (Funding.action), as in fundings(asOf).
      if (moment) for (const line of lines) line.structureAsOf = moment;
      return lines;
    },
    (funding) => funding.actionId!,
    // An action's lines by year, then as written.
    { order: (a, b) => a.year - b.year || a.id - b.id },
  );
}

/** Reads the distinct rows that `lines` point to by `key` (one statement) and sets them as `property`. */
async function attachRelation<T extends ObjectLiteral & { id: number }>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  list: ColumnMetadata[],
  lines: Funding[],
  key: 'funderId' | 'programmeId' | 'beneficiaryId',
  property: 'funder' | 'programme' | 'beneficiary',
): Promise<void> {
  const ids = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const id = lines[i][key];
    if (id !== null && id !== undefined) ids.add(id);
  }
  const byId = new Map<number, T>();
  if (ids.size) {
    const query = dataSource.getRepository(entity).createQueryBuilder('related');
    const read = selectColumns(dataSource, entity, query, 'related', list, { first: true });
    query.where(...idsIn(dataSource, 'related.id', [...ids]));
    const { columns: names, rows } = await readArrayRows(dataSource, query);
    const readAt = read.at(names);
    for (const row of rows) {
      const related = readAt(row)!;
      byId.set(related.id, related);
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as unknown as Record<string, unknown>;
    const id = line[key] as number | null | undefined;
    line[property] = id === null || id === undefined ? null : (byId.get(id) ?? null);
  }
}
