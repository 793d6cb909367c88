import { GraphQLError } from 'graphql';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { mayAccessContract, requireContractAccess, requireOrganisationWrite, requireWriter } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { batchEvent, recordAudit } from '../audit/audit.service';
import { applyStoredBatch, ImportConflictError, rollbackBatch } from './import-apply.service';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportRequestError } from './import-preview.service';

@Resolver(() => ImportBatch)
export class ImportBatchMutations {
  @Mutation(() => ImportBatch, {
    description:
      "Applique un aperçu enregistré, en relisant le fichier déposé : le lot devient APPLIED (ou UNCHANGED si c'est le fichier déjà en vigueur, REJECTED s'il contient des erreurs). Jeton requis ; un éditeur n'applique que les lots de son organisation. Un lot qui n'est plus un aperçu (appliqué ou abandonné entre-temps par une autre demande) est refusé avec le code CONFLICT.",
  })
  async applyImport(
    @Arg('id', () => ID) id: string,
    @Arg('allowPartial', { defaultValue: false, description: 'Appliquer les lignes valides et laisser celles en erreur' }) allowPartial: boolean,
    @Ctx() ctx: RequestContext,
  ): Promise<ImportBatch> {
    const batch = await writableBatch(ctx, id, 'appliquer');
    await asUserError(() =>
      applyStoredBatch(ctx.dataSource, batch.id, { allowPartial, appliedBy: ctx.identity?.name ?? null }, (manager, r) => recordAudit(manager, ctx.identity, batchEvent('IMPORT_APPLY', r))),
    );
    return ctx.dataSource.getRepository(ImportBatch).findOneByOrFail({ id: batch.id });
  }

  @Mutation(() => ImportBatch, { description: "Annule un lot appliqué : les données reviennent à l'état d'avant ce lot. Jeton requis. Un lot qui n'est pas (ou plus) appliqué est refusé avec le code CONFLICT." })
  async rollbackImport(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ImportBatch> {
    const batch = await writableBatch(ctx, id, 'annuler');
    await asUserError(() => rollbackBatch(ctx.dataSource, batch.id, (manager, r) => recordAudit(manager, ctx.identity, batchEvent('IMPORT_ROLLBACK', r))));
    return ctx.dataSource.getRepository(ImportBatch).findOneByOrFail({ id: batch.id });
  }
}

async function writableBatch(ctx: RequestContext, id: string, verb: string): Promise<ImportBatch> {
  requireWriter(ctx);
  const batch = /^\d{1,10}$/.test(id) ? await ctx.dataSource.getRepository(ImportBatch).findOne({ where: { id: Number(id) } }) : null;
  if (!batch) throw new GraphQLError(`Le lot n° ${id} n'existe pas.`, { extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
  if (!mayAccessContract(ctx, batch.contractId)) {
    const [contract] = await ctx.dataSource.query('SELECT code FROM contract WHERE id = ?', [batch.contractId]);
    requireContractAccess(ctx, { id: batch.contractId, code: String(contract?.code ?? batch.contractId) });
  }
  requireOrganisationWrite(ctx, batch.sourceId, `seule l'organisation qui a déposé le lot peut l'${verb}`);
  return batch;
}

async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // The batch is no longer in the state the request needs (another request came first): HTTP's 409.
    if (error instanceof ImportConflictError) throw new GraphQLError(error.message, { extensions: { code: 'CONFLICT', field: 'id' } });
    if (error instanceof ImportRequestError) {
      throw new GraphQLError(error.message, { extensions: error.status === 403 ? { code: 'FORBIDDEN' } : { code: 'BAD_USER_INPUT', field: 'id' } });
    }
    throw error;
  }
}
