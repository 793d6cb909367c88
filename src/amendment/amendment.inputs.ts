import { Field, InputType } from 'type-graphql';

/*
 * An amendment as the national team reads it: a number, a date of signature, a title, and its changes by
 * kind. Codes are those the contract writes (axes « 1 », « A »; orientations « 1.2 », « 3.1.2 »; actions
 * « DA-41 »); communes by INSEE code. Checked by amendment.service.ts, which reports every mistake at once.
 */

@InputType({ description: 'Un axe ajouté par l’avenant.' })
export class AmendmentAxisInput {
  @Field({ description: 'Code de l’axe, nouveau dans le contrat' })
  code: string;

  @Field()
  title: string;
}

@InputType({ description: 'Une orientation ajoutée par l’avenant : sous un axe (axisCode) ou comme déclinaison d’une autre (parentCode).' })
export class AmendmentOrientationInput {
  @Field({ description: 'Code de l’orientation, nouveau dans le contrat' })
  code: string;

  @Field()
  title: string;

  @Field(() => String, { nullable: true, description: 'Code de l’axe (un axe en vigueur, ou ajouté par le même avenant)' })
  axisCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation parente (en vigueur, ou ajoutée plus haut dans la liste)' })
  parentCode?: string | null;
}

@InputType({ description: 'Un nouvel intitulé pour un axe ou une orientation en vigueur.' })
export class AmendmentRenameInput {
  @Field({ description: 'Code de l’axe ou de l’orientation' })
  code: string;

  @Field({ description: 'Le nouvel intitulé' })
  title: string;
}

@InputType({ description: 'Une action déplacée vers une autre orientation.' })
export class AmendmentMoveInput {
  @Field({ description: 'Code de l’action, ex. DA-41' })
  action: string;

  @Field({ description: 'Code de l’orientation d’arrivée (en vigueur, ou ajoutée par le même avenant)' })
  toOrientation: string;
}

@InputType({ description: 'Les modifications d’un avenant ; au moins une.' })
export class AmendmentChangesInput {
  @Field(() => [AmendmentAxisInput], { nullable: true })
  addAxes?: AmendmentAxisInput[] | null;

  @Field(() => [AmendmentRenameInput], { nullable: true })
  renameAxes?: AmendmentRenameInput[] | null;

  @Field(() => [String], { nullable: true, description: 'Codes des axes fermés ; leurs orientations doivent être fermées par le même avenant' })
  closeAxes?: string[] | null;

  @Field(() => [AmendmentOrientationInput], { nullable: true })
  addOrientations?: AmendmentOrientationInput[] | null;

  @Field(() => [AmendmentRenameInput], { nullable: true })
  renameOrientations?: AmendmentRenameInput[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Codes des orientations fermées ; leurs déclinaisons doivent être fermées et leurs actions déplacées (moveActions) par le même avenant',
  })
  closeOrientations?: string[] | null;

  @Field(() => [AmendmentMoveInput], { nullable: true })
  moveActions?: AmendmentMoveInput[] | null;

  @Field(() => [String], { nullable: true, description: 'Codes INSEE des communes qui entrent dans le périmètre' })
  addCommunes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Codes INSEE des communes qui sortent du périmètre (une commune qui quitte son EPCI, par exemple)' })
  removeCommunes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'SIREN des EPCI qui entrent dans le périmètre, avec leurs communes (un EPCI déjà connu de la base)' })
  addEpcis?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'SIREN des EPCI qui sortent du périmètre, avec leurs communes' })
  removeEpcis?: string[] | null;
}

@InputType({ description: 'Un avenant au contrat et ses modifications, enregistrés ensemble (tout ou rien).' })
export class AmendmentInput {
  @Field({ description: 'Code du contrat' })
  contract: string;

  @Field({ description: 'Numéro de l’avenant tel que le contrat l’écrit (40 caractères au plus), unique dans le contrat' })
  number: string;

  @Field({
    description:
      'Date de signature (AAAA-MM-JJ), à partir de laquelle les modifications sont en vigueur : au plus tôt le début du contrat et la date du dernier avenant, au plus tard aujourd’hui',
  })
  signedOn: string;

  @Field({ description: 'Objet de l’avenant (500 caractères au plus)' })
  title: string;

  @Field(() => AmendmentChangesInput)
  changes: AmendmentChangesInput;
}
