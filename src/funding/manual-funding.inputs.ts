import { Field, InputType, Int } from 'type-graphql';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { CreditNature } from '../kernel/credit-nature.enum';

@InputType({ description: 'Une ligne de financement saisie à la main.' })
export class CreateFundingInput {
  @Field({ description: 'Code du contrat' })
  contract: string;

  @Field(() => String, { nullable: true, description: 'Code de l’action ; vide pour une enveloppe territoriale sans action' })
  action?: string | null;

  @Field({ description: 'Financeur : identifiant, SIREN, nom ou nom court de l’organisation' })
  funder: string;

  @Field(() => Int)
  year: number;

  @Field(() => FundingStage)
  stage: FundingStage;

  @Field(() => FundingInstrument)
  instrument: FundingInstrument;

  @Field({ description: 'Montant en euros, en texte décimal : « 125000.50 » (pas un nombre flottant)' })
  amount: string;

  @Field(() => CreditNature, { nullable: true, description: 'Nature des crédits (France Relance, contractualisés, valorisés) ; vide quand elle n’est pas connue' })
  creditNature?: CreditNature | null;

  @Field(() => String, { nullable: true, description: 'Pourquoi cette saisie (gardé dans l’historique)' })
  note?: string | null;
}

@InputType({ description: 'La correction d’une ligne de financement : seuls les champs donnés changent.' })
export class UpdateFundingInput {
  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field(() => FundingStage, { nullable: true })
  stage?: FundingStage | null;

  @Field(() => FundingInstrument, { nullable: true })
  instrument?: FundingInstrument | null;

  @Field(() => String, { nullable: true, description: 'Montant en euros, en texte décimal : « 125000.50 »' })
  amount?: string | null;

  @Field(() => CreditNature, { nullable: true, description: 'Nature des crédits ; non donnée (ou vide) : celle de la ligne corrigée' })
  creditNature?: CreditNature | null;

  @Field(() => String, { nullable: true, description: 'Pourquoi cette correction (gardé dans l’historique)' })
  note?: string | null;
}
