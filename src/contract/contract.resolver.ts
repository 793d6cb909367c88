import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { Axis } from './axis.entity';
import { ContractPartyRole } from '../kernel/contract-party-role.enum';
import { Contract } from './contract.entity';
import { Orientation } from './orientation.entity';
import { axisCodeOf } from './structure.service';
import { findReadableContract, restrictToVisibleContracts } from './contract.lookups';
import { communesInForce, epcisInForce, epcisOfChanges } from './perimeter-history';
import { AS_OF_DESCRIPTION, AS_OF_STRUCTURE, structureDate, structureMoment } from './structure-date';

@Resolver(() => Contract)
export class ContractResolver {
  @Query(() => [Contract], { description: 'Les contrats que le jeton peut voir (tous sans jeton ou pour un administrateur ; ceux de son organisation sinon), par code.' })
  contracts(@Ctx() ctx: RequestContext): Promise<Contract[]> {
    // Only those the caller may see (src/auth/contract-scope.ts).
    const query = ctx.dataSource.getRepository(Contract).createQueryBuilder('contract').orderBy('contract.code', 'ASC');
    return restrictToVisibleContracts(ctx, query, 'contract.id').getMany();
  }

  @Query(() => Contract, { nullable: true, description: 'Un contrat par son code, ex. CRTE-DOUAISIS.' })
  contract(@Arg('code') code: string, @Ctx() ctx: RequestContext): Promise<Contract | null> {
    return findReadableContract(ctx, code);
  }

  @FieldResolver(() => [Axis], { description: `Axes en vigueur (aujourd’hui, ou à la date asOf). ${AS_OF_STRUCTURE}` })
  axes(
    @Root() contract: Contract,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Axis[]> {
    const moment = structureMoment(asOf, contract);
    return moment === null ? loaders.axesByContract.load(contract.id) : loaders.structureOn(moment).axesByContract.load(contract.id);
  }

  @FieldResolver(() => [Organisation], { description: 'Signataires du contrat.' })
  signatories(@Root() contract: Contract, @Ctx() ctx: RequestContext): Promise<Organisation[]> {
    return partiesWithRole(contract, ContractPartyRole.SIGNATORY, ctx);
  }

  @FieldResolver(() => [Organisation], { description: 'Partenaires nommés par le contrat.' })
  partners(@Root() contract: Contract, @Ctx() ctx: RequestContext): Promise<Organisation[]> {
    return partiesWithRole(contract, ContractPartyRole.PARTNER, ctx);
  }

  @FieldResolver(() => [Organisation], { description: 'EPCI du périmètre du contrat (aujourd’hui, ou à la date asOf : avant les entrées et sorties des avenants signés depuis).' })
  async perimeter(
    @Root() contract: Contract,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Organisation[]> {
    const today = await partiesWithRole(contract, ContractPartyRole.PERIMETER, ctx);
    const on = structureDate(asOf, contract);
    if (on === null) return today;
    const changes = await ctx.loaders.communeChangesByContract.load(contract.id);
    const then = epcisInForce(today.map((epci) => epci.id), changes, on);
    // An EPCI that left since is read from the change that names it.
    const known = new Map([...today, ...changes.map((change) => change.organisation).filter((o): o is Organisation => o !== null)].map((o) => [o.id, o]));
    return [...then].map((id) => known.get(id)!).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  }

  @FieldResolver(() => [Organisation], {
    description: 'Communes du périmètre : celles de ses EPCI, avec les entrées et sorties (de communes, d’EPCI) des avenants en vigueur (aujourd’hui, ou à la date asOf).',
  })
  async communes(
    @Root() contract: Contract,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Organisation[]> {
    const [epcis, changes] = await Promise.all([partiesWithRole(contract, ContractPartyRole.PERIMETER, ctx), ctx.loaders.communeChangesByContract.load(contract.id)]);
    const epciIds = [...new Set([...epcis.map((epci) => epci.id), ...epcisOfChanges(changes)])];
    const communes = await ctx.loaders.communesByEpci.loadMany(epciIds);
    const byEpci = new Map(epciIds.map((id, i) => [id, communes[i] instanceof Error ? [] : (communes[i] as Organisation[])]));
    return communesInForce(
      epcis.map((epci) => epci.id),
      (id) => byEpci.get(id) ?? [],
      changes,
      structureDate(asOf, contract),
    );
  }
}

async function partiesWithRole(contract: Contract, role: ContractPartyRole, { loaders }: RequestContext): Promise<Organisation[]> {
  const parties = await loaders.partiesByContract.load(contract.id);
  return parties.filter((party) => party.role === role).map((party) => party.organisation);
}

@Resolver(() => Axis)
export class AxisResolver {
  @FieldResolver(() => String, { description: 'Code de l’axe tel que le contrat l’écrit (« 1 », « A », « OS-2 »)' })
  code(@Root() axis: Axis): string {
    return axisCodeOf(axis);
  }

  @FieldResolver(() => [Orientation], { description: `Orientations de premier niveau de l’axe en vigueur ; leurs déclinaisons sont dans children. ${AS_OF_STRUCTURE}` })
  orientations(
    @Root() axis: Axis,
    @Arg('asOf', () => Date, { nullable: true, description: AS_OF_DESCRIPTION }) asOf: Date | undefined,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Orientation[]> {
    const moment = structureMoment(asOf, axis);
    return moment === null ? loaders.orientationsByAxis.load(axis.id) : loaders.structureOn(moment).orientationsByAxis.load(axis.id);
  }
}
