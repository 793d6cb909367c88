import { Field, InputType, Int } from 'type-graphql';

/*
 * A contract as its team knows it: a code, a name, a period of years and a perimeter given by the SIRENs
 * of its EPCIs (the communes come from Etalab's lists). Signatories and partners name organisations already
 * known (SIREN, exact name…). Checked by the service, which reports every mistake of one input at once.
 */

@InputType({ description: 'Nouveau contrat (CRTE).' })
export class ContractInput {
  @Field({ description: 'Code du contrat, unique (40 caractères au plus), ex. CRTE-PORTE-DU-HAINAUT' })
  code: string;

  @Field({ description: 'Nom du contrat (255 caractères au plus)' })
  name: string;

  @Field(() => Int, { description: 'Première année de la période du contrat' })
  fromYear: number;

  @Field(() => Int, { description: 'Dernière année de la période (égale ou postérieure à fromYear)' })
  toYear: number;

  @Field(() => String, { nullable: true, description: 'Date de signature (AAAA-MM-JJ)' })
  signedOn?: string | null;

  @Field(() => [String], { description: 'SIREN des EPCI du périmètre ; leurs communes viennent des données Etalab' })
  epcis: string[];

  @Field(() => [String], { nullable: true, description: 'Signataires : SIREN, nom exact ou identifiant d’organisations connues' })
  signatories?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Partenaires nommés : SIREN, nom exact ou identifiant d’organisations connues' })
  partners?: string[] | null;
}

@InputType({ description: 'Modification d’un contrat : seuls les champs indiqués changent.' })
export class ContractUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  fromYear?: number | null;

  @Field(() => Int, { nullable: true })
  toYear?: number | null;

  @Field(() => String, { nullable: true, description: 'Date de signature (AAAA-MM-JJ) ; vide pour l’effacer' })
  signedOn?: string | null;

  @Field(() => [String], { nullable: true, description: 'Le périmètre entier (remplace l’actuel) : SIREN de ses EPCI' })
  epcis?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Les signataires (remplacent les actuels)' })
  signatories?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Les partenaires nommés (remplacent les actuels)' })
  partners?: string[] | null;
}
