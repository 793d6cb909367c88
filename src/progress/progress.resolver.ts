import { findReadableContract } from '../contract/contract.lookups';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { cachedAggregate } from '../cache/aggregate-cache';
import { RequestContext } from '../request/context';
import { contractProgress } from './progress.service';
import { ContractProgress } from './progress.types';

@Resolver()
export class ProgressResolver {
  @Query(() => ContractProgress, {
    description:
      'Revue annuelle pour le COPIL : par axe et orientation, les actions par statut, les financements par étape, les taux d’attribution et de réalisation (payé / prévu) et les indicateurs face à leur cible. Avec year : financements et valeurs jusqu’à cette année incluse (les statuts sont ceux d’aujourd’hui).',
  })
  async progress(
    @Arg('contract', () => String, { description: 'Code du contrat' }) code: string,
    @Arg('year', () => Int, { nullable: true }) year: number | undefined,
    @Arg('asOf', () => Date, { nullable: true, description:
        'Les financements tels qu’ils étaient à ce moment, et la structure de ce jour-là : axes et orientations en vigueur sous leurs intitulés d’alors, chaque action (ses financements, ses indicateurs) dans l’orientation où elle était (la revue figée d’un COPIL est celle-ci, à son reviewAsOf)',
    }) asOf: Date | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<ContractProgress> {
    const dataSource = ctx.dataSource;
    await findReadableContract(ctx, code);
    // The same review is read by every dashboard until the contract's data changes (src/cache).
    return cachedAggregate(dataSource, 'progress', code, { year: year ?? null, asOf: asOf ? asOf.toISOString() : null }, () => contractProgress(dataSource, code, year ?? null, asOf ?? null));
  }
}
