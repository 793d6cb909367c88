import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { clearLoaders } from '../request/clear-loaders';
import { recordAudit } from '../audit/audit.service';
import { requireAdmin } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { Amendment } from '../amendment/amendment.entity';
import { AmendmentInput } from '../amendment/amendment.inputs';
import { amendContract } from '../amendment/amendment.service';
import { loadEtalabEpcis } from './contract.service';

/**
 * Here rather than in src/amendment/: an amendment may add an EPCI the database does not know yet, loaded
 * from Etalab with its communes by the seed's loader, as createContract does — a layer above amendment/
 * (docs/architecture.md, « Layers of src/ »).
 */
@Resolver()
export class AmendmentMutations {
  @Mutation(() => Amendment, {
    description:
      'Enregistre un avenant et ses modifications (axes et orientations ajoutés, renommés, fermés ; actions déplacées ; communes et EPCI entrés ou sortis du périmètre), datées de sa signature : tout ou rien. L’état antérieur reste lisible (asOf). Réservé aux administrateurs.',
  })
  async amendContract(@Arg('input', () => AmendmentInput) input: AmendmentInput, @Ctx() ctx: RequestContext): Promise<Amendment> {
    const identity = requireAdmin(ctx, 'enregistrer un avenant');
    const amendment = await amendContract(ctx.dataSource, input, {
      recordedBy: identity.name,
      caller: ctx,
      loadEpcis: loadEtalabEpcis,
      audit: (manager, a) =>
        recordAudit(manager, identity, {
          action: 'AMENDMENT_RECORD',
          target: { kind: 'amendment', id: a.id },
          detail: { contract: input.contract, number: a.number, signedOn: a.signedOn, changes: (JSON.parse(a.changesJson) as unknown[]).length },
        }),
    });
    clearLoaders(ctx);
    return amendment;
  }
}
