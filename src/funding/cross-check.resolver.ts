import { Arg, Ctx, Field, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { findReadableContract } from '../contract/contract.lookups';
import { DecimalScalar } from '../common/decimal.scalar';
import { formatCents } from '../kernel/money';
import { RequestContext } from '../request/context';
import { CrossCheckGroup, CrossCheckStatus, mergeCrossCheck } from './cross-check';
import { FundingDimension, FundingGroup } from './funding-group';
import { createFundingGroupResolver } from './funding-group.fields';
import { sumFundings } from './funding-totals.service';
import { FundingFilter } from './funding.filter';

registerEnumType(CrossCheckStatus, {
  name: 'CrossCheckStatus',
  valuesConfig: {
    SAME: { description: 'Les deux sources donnent le même montant' },
    DIFFERENT: { description: 'Les deux sources donnent des montants différents' },
    LEFT_ONLY: { description: 'Seule la source de gauche a des lignes' },
    RIGHT_ONLY: { description: 'Seule la source de droite a des lignes' },
  },
});

@ObjectType({ description: 'Un groupe d’un rapprochement : les montants des deux sélections et leur écart.' })
export class CrossCheckRow extends FundingGroup {
  @Field(() => DecimalScalar)
  leftAmount: string;

  @Field(() => Int)
  leftLines: number;

  @Field(() => DecimalScalar)
  rightAmount: string;

  @Field(() => Int)
  rightLines: number;

  @Field(() => DecimalScalar, { description: 'Écart : gauche − droite' })
  difference: string;

  @Field(() => CrossCheckStatus)
  status: CrossCheckStatus;
}

@ObjectType({ description: 'Rapprochement de deux sélections de lignes de financement, groupe par groupe.' })
export class CrossCheck {
  @Field(() => [CrossCheckRow])
  rows: CrossCheckRow[];

  @Field(() => DecimalScalar)
  leftTotal: string;

  @Field(() => DecimalScalar)
  rightTotal: string;

  @Field(() => DecimalScalar, { description: 'Écart total : gauche − droite' })
  difference: string;

  @Field(() => Int, { description: 'Groupes où les deux sélections concordent' })
  agreeing: number;

  @Field(() => Int, { description: 'Groupes qui diffèrent ou n’existent que d’un côté' })
  disagreeing: number;
}

function toRow(merged: CrossCheckGroup): CrossCheckRow {
  const { cents: _cents, lines: _lines, ...dimensions } = merged.group;
  return Object.assign(new CrossCheckRow(), dimensions, {
    leftAmount: formatCents(merged.leftCents),
    leftLines: merged.leftLines,
    rightAmount: formatCents(merged.rightCents),
    rightLines: merged.rightLines,
    difference: formatCents(merged.differenceCents),
    status: merged.status,
  });
}

@Resolver(() => CrossCheckRow)
export class CrossCheckResolver extends createFundingGroupResolver(CrossCheckRow) {
  @Query(() => CrossCheck, {
    description:
      'Met deux sélections côte à côte (ex. le tableau des dotations perçues du contrat contre les listes publiées par l’État), groupe par groupe, avec les deux montants et leur écart au centime. Le contrat s’applique aux deux sélections.',
  })
  async crossCheck(
    @Arg('contract', () => String, { description: 'Code du contrat' }) contract: string,
    @Arg('groupBy', () => [FundingDimension]) groupBy: FundingDimension[],
    @Arg('left', () => FundingFilter) left: FundingFilter,
    @Arg('right', () => FundingFilter) right: FundingFilter,
    @Arg('asOf', () => Date, { nullable: true }) asOf: Date | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<CrossCheck> {
    const dataSource = ctx.dataSource;
    await findReadableContract(ctx, contract);
    const dimensions = [...new Set(groupBy)];
    const [leftSums, rightSums] = await Promise.all([
      sumFundings(dataSource, { groupBy: dimensions, filter: { ...left, contract }, asOf }),
      sumFundings(dataSource, { groupBy: dimensions, filter: { ...right, contract }, asOf }),
    ]);
    const merged = mergeCrossCheck(leftSums, rightSums, dimensions);
    const leftCents = merged.reduce((sum, row) => sum + row.leftCents, 0n);
    const rightCents = merged.reduce((sum, row) => sum + row.rightCents, 0n);
    const agreeing = merged.filter((row) => row.status === CrossCheckStatus.SAME).length;
    return {
      rows: merged.map(toRow),
      leftTotal: formatCents(leftCents),
      rightTotal: formatCents(rightCents),
      difference: formatCents(leftCents - rightCents),
      agreeing,
      disagreeing: merged.length - agreeing,
    };
  }
}
