import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { findReadableContract } from '../contract/contract.lookups';
import { DataSource } from 'typeorm';
import { Action } from '../action/action.entity';
import { cachedAggregate } from '../cache/aggregate-cache';
import { DecimalScalar } from '../common/decimal.scalar';
import { formatCents, parseCents } from '../kernel/money';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { validSql } from './funding-visibility';
import { Funding } from './funding.entity';
import { fundingWithRelations } from './funding.query';
import { FundingStage } from '../kernel/funding.enum';

@ObjectType({ description: 'Deux sources déclarent le même financement avec des montants différents : celui du financeur compte.' })
export class FundingConflict {
  @Field(() => Action, { nullable: true })
  action: Action | null;

  @Field(() => Organisation)
  funder: Organisation;

  @Field(() => Int)
  year: number;

  @Field(() => FundingStage)
  stage: FundingStage;

  @Field(() => Funding, { description: 'La déclaration du financeur lui-même, comptée' })
  counted: Funding;

  @Field(() => Funding, { description: 'L’autre déclaration, conservée mais non comptée' })
  notCounted: Funding;

  @Field(() => DecimalScalar, { description: 'Écart : montant non compté moins montant compté' })
  difference: string;
}

@Resolver()
export class FundingConflictResolver {
  @Query(() => [FundingConflict], { description: 'Désaccords entre sources sur un même financement (action, financeur, année, étape).' })
  async fundingConflicts(@Arg('contract') contractCode: string, @Ctx() ctx: RequestContext): Promise<FundingConflict[]> {
    const { dataSource, loaders } = ctx;
    await findReadableContract(ctx, contractCode);
    // Read by every dashboard, changed only by writes: cached by the contract's data version (src/cache).
    return cachedAggregate(dataSource, 'fundingConflicts', contractCode, {}, () => contractConflicts(dataSource, loaders, contractCode));
  }
}

/** The contract's conflicts; shared through the cache, so never mutated once returned. */
async function contractConflicts(dataSource: DataSource, loaders: RequestContext['loaders'], contractCode: string): Promise<FundingConflict[]> {
  const pairs: Array<{ counted: number | string; other: number | string }> = await dataSource.query(
    `SELECT own.id AS counted, other.id AS other
       FROM funding other
       JOIN funding own ON own.action_id = other.action_id AND own.funder_id = other.funder_id AND own.year = other.year AND own.stage = other.stage
       JOIN contract c ON c.id = other.contract_id
      WHERE c.code = ? AND own.source_id = own.funder_id AND other.source_id <> other.funder_id
        AND ${validSql('own', false)} AND ${validSql('other', false)}
        AND ROUND(own.amount * 100) <> ROUND(other.amount * 100)
      ORDER BY other.action_id, other.funder_id, other.year, other.stage, other.id`,
    [contractCode],
  );
  if (!pairs.length) return [];
  const ids = [...new Set(pairs.flatMap((pair) => [Number(pair.counted), Number(pair.other)]))];
  // Both sides, the one not counted included: not through fundingQuery, which keeps only counted lines.
  const lines = await fundingWithRelations(dataSource).where('funding.id IN (:...ids)', { ids }).getMany();
  const byId = new Map(lines.map((line) => [line.id, line]));
  return Promise.all(
    pairs.map(async (pair) => {
      const counted = byId.get(Number(pair.counted))!;
      const other = byId.get(Number(pair.other))!;
      return {
        action: counted.actionId ? await loaders.actionById.load(counted.actionId) : null,
        funder: counted.funder,
        year: counted.year,
        stage: counted.stage,
        counted,
        notCounted: other,
        difference: formatCents(parseCents(other.amount) - parseCents(counted.amount)),
      };
    }),
  );
}
