import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { clearLoaders } from '../request/clear-loaders';
import { RequestContext } from '../request/context';
import { recordAudit } from '../audit/audit.service';
import { Indicator } from './indicator.entity';
import { CreateIndicatorInput, DeleteIndicatorValueInput, SetIndicatorValueInput, UpdateIndicatorInput } from './indicator.inputs';
import { createIndicator, deleteIndicatorValue, setIndicatorValue, updateIndicator } from './indicator.service';

@Resolver(() => Indicator)
export class IndicatorMutations {
  @Mutation(() => Indicator, {
    description: "Crée un indicateur d'action (éditeur de son maître d'ouvrage ou administrateur) ou d'orientation (administrateur).",
  })
  async createIndicator(@Arg('input', () => CreateIndicatorInput) input: CreateIndicatorInput, @Ctx() ctx: RequestContext): Promise<Indicator> {
    const indicator = await createIndicator(ctx, input, (manager, i) =>
      recordAudit(manager, ctx.identity, { action: 'INDICATOR_CREATE', target: { kind: 'indicator', id: i.id }, detail: { code: i.code } }),
    );
    clearLoaders(ctx);
    return indicator;
  }

  @Mutation(() => Indicator, { description: 'Modifie un indicateur désigné par le code de son contrat et son code.' })
  async updateIndicator(
    @Arg('contract', { description: 'Code du contrat' }) contract: string,
    @Arg('code', { description: 'Code actuel de l’indicateur' }) code: string,
    @Arg('input', () => UpdateIndicatorInput) input: UpdateIndicatorInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Indicator> {
    const indicator = await updateIndicator(ctx, contract, code, input, (manager, i) =>
      recordAudit(manager, ctx.identity, { action: 'INDICATOR_UPDATE', target: { kind: 'indicator', id: i.id }, detail: { code: i.code, fields: Object.keys(input) } }),
    );
    clearLoaders(ctx);
    return indicator;
  }

  @Mutation(() => Indicator, {
    description: "Enregistre la valeur d'un indicateur pour une année et une étape (cible ou réalisé), en remplaçant celle qui existait ; renvoie l'indicateur.",
  })
  async setIndicatorValue(@Arg('input', () => SetIndicatorValueInput) input: SetIndicatorValueInput, @Ctx() ctx: RequestContext): Promise<Indicator> {
    const indicator = await setIndicatorValue(ctx, input, (manager, i) =>
      recordAudit(manager, ctx.identity, { action: 'INDICATOR_VALUE_SET', target: { kind: 'indicator', id: i.id }, detail: { code: i.code, year: input.year, stage: input.stage, value: input.value } }),
    );
    clearLoaders(ctx);
    return indicator;
  }

  @Mutation(() => Boolean, { description: "Supprime la valeur d'un indicateur pour une année et une étape ; false s'il n'y en avait pas." })
  async deleteIndicatorValue(@Arg('input', () => DeleteIndicatorValueInput) input: DeleteIndicatorValueInput, @Ctx() ctx: RequestContext): Promise<boolean> {
    const deleted = await deleteIndicatorValue(ctx, input, (manager, i) =>
      recordAudit(manager, ctx.identity, { action: 'INDICATOR_VALUE_DELETE', target: { kind: 'indicator', id: i.id }, detail: { code: i.code, year: input.year, stage: input.stage } }),
    );
    clearLoaders(ctx);
    return deleted;
  }
}
