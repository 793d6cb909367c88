import { GraphQLError } from 'graphql';
import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { In } from 'typeorm';
import { DecimalScalar } from '../common/decimal.scalar';
import { findReadableContract } from '../contract/contract.lookups';
import { FundingInstrument } from '../kernel/funding.enum';
import { RelanceAmountKind } from '../kernel/relance-amount-kind.enum';
import { formatCents, parseCents } from '../kernel/money';
import { RequestContext } from '../request/context';
import { RelanceAmount } from './relance-amount.entity';
import { RelanceMeasure } from './relance-measure.entity';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';

@ObjectType({ description: 'Volet du plan de relance, tel que l’annexe 2 l’écrit.' })
export class RelanceVolet {
  @Field({ description: 'Numéro en chiffres romains (I … VII)' })
  number: string;

  @Field()
  title: string;
}

@ObjectType({ description: 'Total d’un volet du plan de relance pour un instrument (prêt, subvention…) et une nature de montant (aide ou investissement soutenu).' })
export class RelanceTotal {
  @Field(() => RelanceVolet)
  volet: RelanceVolet;

  @Field(() => FundingInstrument)
  instrument: FundingInstrument;

  @Field(() => RelanceAmountKind, { description: 'AID : l’aide de l’État ; INVESTMENT : l’investissement qu’elle soutient (jamais additionnés).' })
  kind: RelanceAmountKind;

  @Field(() => DecimalScalar)
  amount: string;

  @Field(() => Int, { description: 'Mesures qui ont un montant de ce total' })
  measures: number;
}

/** An amount with the correction of its cell made in the preview, if any (read with the list). */
type AmountWithCorrection = RelanceAmount & { correction?: ImportCellCorrection | null };
/** A measure as the query answers it: its amounts read with the list (three statements for the whole annex). */
type MeasureWithAmounts = RelanceMeasure & { amounts?: AmountWithCorrection[] };

async function contractIdOf(context: RequestContext, code: string): Promise<number> {
  const contract = await findReadableContract(context, code);
  if (!contract) throw new GraphQLError(`Contrat (contract) : le contrat « ${code} » n’existe pas.`, { extensions: { code: 'BAD_USER_INPUT', field: 'contract' } });
  return contract.id;
}

/** The measures of the annex 2 in force (the last applied file's), in the file's order, with their amounts. */
async function currentMeasures(context: RequestContext, contractId: number): Promise<MeasureWithAmounts[]> {
  const measures: MeasureWithAmounts[] = await context.dataSource
    .getRepository(RelanceMeasure)
    .createQueryBuilder('m')
    .where('m.contract_id = :contractId AND m.superseded_at IS NULL', { contractId })
    .orderBy('m.position', 'ASC')
    .addOrderBy('m.id', 'ASC')
    .getMany();
  if (!measures.length) return measures;
  const amounts = await context.dataSource
    .getRepository(RelanceAmount)
    .createQueryBuilder('a')
    .innerJoin(RelanceMeasure, 'm', 'm.id = a.measure_id')
    .where('m.contract_id = :contractId AND m.superseded_at IS NULL', { contractId })
    .orderBy('a.id', 'ASC')
    .getMany();
  const byMeasure = new Map<number, AmountWithCorrection[]>(measures.map((measure) => [measure.id, []]));
  for (const amount of amounts) byMeasure.get(amount.measureId)?.push(amount);
  // The lineage of a corrected cell: the file's text, the reading applied, who and when.
  const batchIds = [...new Set(measures.map((measure) => measure.batchId).filter((id): id is number => id !== null))];
  const corrections = batchIds.length ? await context.dataSource.getRepository(ImportCellCorrection).find({ where: { batchId: In(batchIds) } }) : [];
  const correctionAt = new Map(corrections.map((correction) => [`${correction.batchId}\u0000${correction.sheet}\u0000${correction.cell}`, correction]));
  const measureBatch = new Map(measures.map((measure) => [measure.id, measure.batchId]));
  for (const amount of amounts) (amount as AmountWithCorrection).correction = correctionAt.get(`${measureBatch.get(amount.measureId)}\u0000${amount.sourceSheet}\u0000${amount.sourceCell}`) ?? null;
  for (const measure of measures) measure.amounts = byMeasure.get(measure.id) ?? [];
  return measures;
}

@Resolver(() => RelanceMeasure)
export class RelanceResolver {
  @Query(() => [RelanceMeasure], { description: 'Les mesures du plan de relance du contrat (annexe 2 en vigueur), dans l’ordre du fichier.' })
  async relanceMeasures(@Arg('contract') contract: string, @Ctx() context: RequestContext): Promise<RelanceMeasure[]> {
    return currentMeasures(context, await contractIdOf(context, contract));
  }

  @Query(() => [RelanceTotal], {
    description: 'Les montants du plan de relance du contrat par volet, instrument et nature (aide ou investissement), sommés exactement ; dans l’ordre des volets.',
  })
  async relanceTotals(@Arg('contract') contract: string, @Ctx() context: RequestContext): Promise<RelanceTotal[]> {
    const measures = await currentMeasures(context, await contractIdOf(context, contract));
    const totals = new Map<string, Omit<RelanceTotal, 'amount' | 'measures'> & { cents: bigint; measureIds: Set<number> }>();
    for (const measure of measures) {
      for (const amount of measure.amounts ?? []) {
        const key = `${measure.voletNumber}\u0000${amount.instrument}\u0000${amount.kind}`;
        let total = totals.get(key);
        if (!total) {
          total = { volet: { number: measure.voletNumber, title: measure.voletTitle }, instrument: amount.instrument, kind: amount.kind, cents: 0n, measureIds: new Set() };
          totals.set(key, total);
        }
        total.cents += parseCents(String(amount.amount));
        total.measureIds.add(measure.id);
      }
    }
    return [...totals.values()].map(({ measureIds, cents, ...total }) => ({ ...total, amount: formatCents(cents), measures: measureIds.size }));
  }

  @FieldResolver(() => RelanceVolet)
  volet(@Root() measure: RelanceMeasure): RelanceVolet {
    return { number: measure.voletNumber, title: measure.voletTitle };
  }

  @FieldResolver(() => [RelanceAmount], { description: 'Ses montants : aide ou investissement, instrument, année, texte lu et approximation.' })
  async amounts(@Root() measure: MeasureWithAmounts, @Ctx() context: RequestContext): Promise<RelanceAmount[]> {
    if (measure.amounts) return measure.amounts;
    return context.dataSource.getRepository(RelanceAmount).find({ where: { measureId: measure.id }, order: { id: 'ASC' } });
  }
}

@Resolver(() => RelanceAmount)
export class RelanceAmountResolver {
  @FieldResolver(() => ImportCellCorrection, { nullable: true, description: 'La correction de sa cellule faite dans l’aperçu (texte du fichier, lecture retenue, qui, quand) ; null si la cellule a été lue telle quelle.' })
  async correction(@Root() amount: AmountWithCorrection, @Ctx() context: RequestContext): Promise<ImportCellCorrection | null> {
    if (amount.correction !== undefined) return amount.correction;
    const [row] = await context.dataSource.query('SELECT batch_id FROM relance_measure WHERE id = ?', [amount.measureId]);
    if (!row?.batch_id || !amount.sourceSheet || !amount.sourceCell) return null;
    return context.dataSource.getRepository(ImportCellCorrection).findOne({ where: { batchId: Number(row.batch_id), sheet: amount.sourceSheet, cell: amount.sourceCell } });
  }
}
