import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { clearLoaders } from '../request/clear-loaders';
import { recordAudit } from '../audit/audit.service';
import { requireAdmin } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { ContractInput, ContractUpdateInput } from './contract.inputs';
import { Contract } from '../contract/contract.entity';
import { ContractWriteResult, createContract, updateContract } from './contract.service';

const auditDetail = (result: ContractWriteResult) => ({
  code: result.contract.code,
  epcis: result.epcis.map((epci) => epci.siren),
  communes: result.communes,
  organisationsCreated: result.organisations.created,
});

@Resolver(() => Contract)
export class ContractMutations {
  @Mutation(() => Contract, {
    description: 'Crée un contrat et son périmètre (EPCI par SIREN, communes des données Etalab). Réservé aux administrateurs.',
  })
  async createContract(@Arg('input', () => ContractInput) input: ContractInput, @Ctx() ctx: RequestContext): Promise<Contract> {
    const identity = requireAdmin(ctx, 'créer un contrat');
    const result = await createContract(ctx.dataSource, input, (manager, r) =>
      recordAudit(manager, identity, { action: 'CONTRACT_CREATE', target: { kind: 'contract', id: r.contract.id }, detail: auditDetail(r) }),
    );
    clearLoaders(ctx);
    return result.contract;
  }

  @Mutation(() => Contract, {
    description: 'Modifie un contrat : nom, période, date de signature, périmètre (remplacé), signataires, partenaires. Réservé aux administrateurs.',
  })
  async updateContract(
    @Arg('code', { description: 'Code du contrat' }) code: string,
    @Arg('input', () => ContractUpdateInput) input: ContractUpdateInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Contract> {
    const identity = requireAdmin(ctx, 'modifier un contrat');
    const result = await updateContract(ctx.dataSource, code, input, (manager, r) =>
      recordAudit(manager, identity, {
        action: 'CONTRACT_UPDATE',
        target: { kind: 'contract', id: r.contract.id },
        detail: { ...auditDetail(r), fields: Object.keys(input) },
      }),
    );
    clearLoaders(ctx);
    return result.contract;
  }
}
