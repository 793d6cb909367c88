import { Field, ObjectType } from 'type-graphql';
import { AmendmentChangeKind } from '../kernel/amendment-change-kind.enum';

@ObjectType({ description: 'Une modification d’un avenant.' })
export class AmendmentChange {
  @Field(() => AmendmentChangeKind)
  kind: AmendmentChangeKind;

  @Field({ description: 'Le code de l’axe, de l’orientation ou de l’action, ou le code INSEE de la commune' })
  code: string;

  @Field(() => String, { nullable: true, description: 'Intitulé (ajout, nouveau titre d’un renommage) ou nom de la commune' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Intitulé remplacé (renommage) ; orientation de départ (déplacement)' })
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Orientation d’arrivée (déplacement) ; axe ou orientation parente (ajout d’une orientation)' })
  to?: string | null;
}
