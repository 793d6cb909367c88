import { Field, InputType } from 'type-graphql';
import { CostBase } from '../kernel/funding.enum';
import { ActionStatus } from '../kernel/action-status.enum';

/*
 * Inputs name things as users know them (contract code, orientation "1.2", SIREN, INSEE codes), not by
 * database ids. Amounts and dates are strings checked by the service, so that every mistake of one
 * input is reported together, each naming its field, rather than the first one rejected by GraphQL.
 */

@InputType({ description: 'Nouvelle fiche action.' })
export class CreateActionInput {
  @Field({ description: 'Code du contrat, ex. CRTE-DOUAISIS' })
  contract: string;

  @Field({ description: 'Code de l’action, unique dans le contrat (40 caractères au plus), ex. DA-01' })
  code: string;

  @Field({ description: 'Intitulé (500 caractères au plus)' })
  title: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation, ex. "1.2" ; vide pour une action à classer' })
  orientation?: string | null;

  @Field(() => String, { nullable: true, description: 'Maître d’ouvrage : identifiant, SIREN, nom exact, nom court ou appellation connue' })
  lead?: string | null;

  @Field(() => [String], { nullable: true, description: 'Codes INSEE des communes concernées' })
  communes?: string[] | null;

  @Field(() => ActionStatus, { nullable: true, description: 'Avancement (défaut : PLANNED, à venir)' })
  status?: ActionStatus | null;

  @Field(() => String, { nullable: true, description: 'Coût total en euros, chaîne décimale exacte, ex. "1250000.00"' })
  totalCost?: string | null;

  @Field(() => CostBase, { nullable: true })
  costBase?: CostBase | null;

  @Field(() => String, { nullable: true, description: 'Date de début (AAAA-MM-JJ)' })
  startDate?: string | null;

  @Field(() => String, { nullable: true, description: 'Date de fin (AAAA-MM-JJ)' })
  endDate?: string | null;
}

@InputType({ description: 'Modification d’une fiche action : seuls les champs indiqués changent ; null efface un champ facultatif.' })
export class UpdateActionInput {
  @Field(() => String, { nullable: true, description: 'Nouveau code de l’action' })
  code?: string | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation ; null pour « à classer »' })
  orientation?: string | null;

  @Field(() => String, { nullable: true, description: 'Maître d’ouvrage : identifiant, SIREN, nom exact, nom court ou appellation connue' })
  lead?: string | null;

  @Field(() => [String], { nullable: true, description: 'Codes INSEE : remplacent la liste entière ; [] ou null la vide' })
  communes?: string[] | null;

  @Field(() => ActionStatus, { nullable: true })
  status?: ActionStatus | null;

  @Field(() => String, { nullable: true, description: 'Coût total en euros, chaîne décimale exacte' })
  totalCost?: string | null;

  @Field(() => CostBase, { nullable: true })
  costBase?: CostBase | null;

  @Field(() => String, { nullable: true, description: 'AAAA-MM-JJ' })
  startDate?: string | null;

  @Field(() => String, { nullable: true, description: 'AAAA-MM-JJ' })
  endDate?: string | null;
}
