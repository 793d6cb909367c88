import { Field, InputType, Int } from 'type-graphql';
import { ImportKind } from '../kernel/import-batch.enum';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { CreditNature } from '../kernel/credit-nature.enum';

@InputType({ description: 'Filtre des lignes de financement ; les critères se cumulent.' })
export class FundingFilter {
  @Field(() => String, { nullable: true, description: 'Code du contrat' })
  contract?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Codes de plusieurs contrats (vue d’un département ou d’une région sur plusieurs CRTE) ; à regrouper par CONTRACT pour les voir côte à côte',
  })
  contracts?: string[];

  /**
   * Not GraphQL: the contracts the caller may see (scopedFundingFilter, from the token); undefined for every
   * contract. Part of the aggregate cache's key, so two scopes never share an answer.
   */
  contractIds?: readonly number[];

  @Field(() => Int, { nullable: true, description: 'Numéro de l’axe' })
  axis?: number;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation' })
  orientation?: string;

  @Field(() => String, { nullable: true, description: 'Code de l’action' })
  action?: string;

  @Field(() => String, { nullable: true, description: 'Financeur : identifiant, SIREN, nom ou nom court' })
  funder?: string;

  @Field(() => String, { nullable: true, description: 'Code du dispositif, ex. DSIL' })
  programme?: string;

  @Field(() => String, { nullable: true, description: 'Bénéficiaire : identifiant, SIREN, nom ou nom court' })
  beneficiary?: string;

  @Field(() => Int, { nullable: true, description: 'Première année incluse' })
  yearFrom?: number;

  @Field(() => Int, { nullable: true, description: 'Dernière année incluse' })
  yearTo?: number;

  @Field(() => [FundingStage], { nullable: true })
  stage?: FundingStage[];

  @Field(() => [FundingInstrument], { nullable: true })
  instrument?: FundingInstrument[];

  @Field(() => [CreditNature], { nullable: true, description: 'Nature des crédits ; une ligne dont la source ne la dit pas n’y répond jamais' })
  creditNature?: CreditNature[];

  @Field(() => [ImportKind], { nullable: true, description: 'Nature du fichier d’où viennent les lignes, ex. dotations ou grants' })
  kind?: ImportKind[];

  @Field(() => String, { nullable: true, description: 'Organisation qui a déclaré les lignes : identifiant, SIREN, nom ou nom court' })
  source?: string;
}
