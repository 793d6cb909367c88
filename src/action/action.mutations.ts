import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { RequestContext } from '../request/context';
import { recordAudit } from '../audit/audit.service';
import { Action } from './action.entity';
import { CreateActionInput, UpdateActionInput } from './action.inputs';
import { createAction, updateAction } from './action.service';
import { clearLoaders } from '../request/clear-loaders';

@Resolver(() => Action)
export class ActionMutations {
  @Mutation(() => Action, {
    description: "Crée une fiche action. Jeton requis ; un éditeur ne crée que des actions dont son organisation est maître d'ouvrage.",
  })
  async createAction(@Arg('input', () => CreateActionInput) input: CreateActionInput, @Ctx() ctx: RequestContext): Promise<Action> {
    const action = await createAction(ctx, input, (manager, a) =>
      recordAudit(manager, ctx.identity, { action: 'ACTION_CREATE', target: { kind: 'action', id: a.id }, detail: { code: a.code } }),
    );
    clearLoaders(ctx);
    return action;
  }

  @Mutation(() => Action, {
    description: "Modifie une fiche action désignée par le code de son contrat et son code. Un éditeur ne modifie que les actions de son organisation.",
  })
  async updateAction(
    @Arg('contract', { description: 'Code du contrat' }) contract: string,
    @Arg('code', { description: 'Code actuel de l’action' }) code: string,
    @Arg('input', () => UpdateActionInput) input: UpdateActionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Action> {
    const action = await updateAction(ctx, contract, code, input, (manager, a) =>
      recordAudit(manager, ctx.identity, { action: 'ACTION_UPDATE', target: { kind: 'action', id: a.id }, detail: { code: a.code, fields: Object.keys(input) } }),
    );
    clearLoaders(ctx);
    return action;
  }
}
