import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { recordAudit } from '../audit/audit.service';
import { ImportBatch } from '../provenance/import-batch.entity';
import { clearLoaders } from '../request/clear-loaders';
import { RequestContext } from '../request/context';
import { Funding } from './funding.entity';
import { CreateFundingInput, UpdateFundingInput } from './manual-funding.inputs';
import { createManualFunding, endManualFunding, ManualFundingResult, updateManualFunding } from './manual-funding.service';

type Event = 'FUNDING_CREATE' | 'FUNDING_UPDATE' | 'FUNDING_END';

/** The audit row of an entry: its batch (what rollbackImport undoes), the line it brought and the one it replaced. */
function audited(ctx: RequestContext, action: Event) {
  return (manager: Parameters<typeof recordAudit>[0], result: ManualFundingResult) =>
    recordAudit(manager, ctx.identity, {
      action,
      target: { kind: 'import_batch', id: result.batch.id },
      detail: { funding: result.funding?.id ?? null, replaced: result.replaced?.id ?? null, amount: result.funding?.amount ?? null, note: result.batch.fileName },
    });
}

@Resolver(() => Funding)
export class ManualFundingMutations {
  @Mutation(() => Funding, {
    description:
      'Saisit à la main une ligne de financement (lot de nature MANUAL, « Saisie », appliqué aussitôt ; rollbackImport sur ce lot l’annule). Jeton requis ; un éditeur déclare, comme à l’import, les financements des actions dont son organisation est maître d’ouvrage et ceux qu’elle apporte.',
  })
  async createFunding(@Arg('input', () => CreateFundingInput) input: CreateFundingInput, @Ctx() ctx: RequestContext): Promise<Funding> {
    const result = await createManualFunding(ctx, input, audited(ctx, 'FUNDING_CREATE'));
    clearLoaders(ctx);
    return result.funding!;
  }

  @Mutation(() => Funding, {
    description:
      'Corrige une ligne de financement en vigueur : une nouvelle ligne la remplace (lot MANUAL), l’ancienne reste dans l’historique (asOf). Renvoie la nouvelle ligne. Un éditeur ne corrige que les lignes que son organisation a déclarées, et qu’elle peut déclarer.',
  })
  async updateFunding(
    @Arg('id', () => ID, { description: 'La ligne en vigueur à corriger' }) id: string,
    @Arg('input', () => UpdateFundingInput) input: UpdateFundingInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Funding> {
    const result = await updateManualFunding(ctx, id, input, audited(ctx, 'FUNDING_UPDATE'));
    clearLoaders(ctx);
    return result.funding!;
  }

  @Mutation(() => ImportBatch, {
    description:
      'Clôt une ligne de financement en vigueur : elle ne compte plus à partir de maintenant mais reste dans l’historique (asOf). Renvoie le lot MANUAL de la clôture (rollbackImport l’annule).',
  })
  async endFunding(
    @Arg('id', () => ID, { description: 'La ligne en vigueur à clore' }) id: string,
    @Arg('note', () => String, { nullable: true, description: 'Pourquoi (gardé dans l’historique)' }) note: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ImportBatch> {
    const result = await endManualFunding(ctx, id, note, audited(ctx, 'FUNDING_END'));
    clearLoaders(ctx);
    return result.batch;
  }
}
