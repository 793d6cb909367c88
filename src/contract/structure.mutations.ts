import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { clearLoaders } from '../request/clear-loaders';
import { recordAudit } from '../audit/audit.service';
import { requireAdmin } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { Axis } from './axis.entity';
import { Orientation } from './orientation.entity';
import { createAxis, createOrientation } from './structure.service';

@Resolver()
export class StructureMutations {
  @Mutation(() => Axis, { description: 'Ajoute un axe à un contrat, avec son code tel que le contrat l’écrit (« 1 », « A », « OS-2 »). Réservé aux administrateurs.' })
  async createAxis(
    @Arg('contract', { description: 'Code du contrat' }) contract: string,
    @Arg('code', { description: 'Code de l’axe, unique dans le contrat' }) code: string,
    @Arg('title') title: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Axis> {
    const identity = requireAdmin(ctx, 'modifier la structure d’un contrat');
    const axis = await createAxis(ctx.dataSource, contract, { code, title }, (manager, a) =>
      recordAudit(manager, identity, { action: 'AXIS_CREATE', target: { kind: 'axis', id: a.id }, detail: { contract, code: a.code } }),
    );
    clearLoaders(ctx);
    return axis;
  }

  @Mutation(() => Orientation, {
    description:
      'Ajoute une orientation à un contrat : sous un axe (axisCode) ou comme déclinaison d’une autre orientation (parentCode), à toute profondeur. Réservé aux administrateurs.',
  })
  async createOrientation(
    @Arg('contract', { description: 'Code du contrat' }) contract: string,
    @Arg('code', { description: 'Code de l’orientation, unique dans le contrat, tel qu’écrit (« 3.1.2 », « OS-2 », « A »)' }) code: string,
    @Arg('title') title: string,
    @Arg('axisCode', () => String, { nullable: true, description: 'Code de l’axe (inutile avec parentCode : celui du parent)' }) axisCode: string | null | undefined,
    @Arg('parentCode', () => String, { nullable: true, description: 'Code de l’orientation parente' }) parentCode: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Orientation> {
    const identity = requireAdmin(ctx, 'modifier la structure d’un contrat');
    const orientation = await createOrientation(ctx.dataSource, contract, { code, title, axisCode, parentCode }, (manager, o) =>
      recordAudit(manager, identity, { action: 'ORIENTATION_CREATE', target: { kind: 'orientation', id: o.id }, detail: { contract, code: o.code, parentCode: parentCode ?? null } }),
    );
    clearLoaders(ctx);
    return orientation;
  }
}
