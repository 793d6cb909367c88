import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { CreditNature } from '../kernel/credit-nature.enum';

/**
 * A group of funding lines, as totals and cross-checks return them: one value per dimension asked for.
 * Objects (axis, funder…) are read through the request's loaders, so a list of groups costs one statement
 * per kind of object, not one per group.
 */

/** The keys are the GraphQL names (FUNDER_KIND…); the values name the group's fields and SQL aliases (funderKind…). */
export enum FundingDimension {
  CONTRACT = 'contract',
  AXIS = 'axis',
  ORIENTATION = 'orientation',
  ACTION = 'action',
  FUNDER = 'funder',
  FUNDER_KIND = 'funderKind',
  PROGRAMME = 'programme',
  BENEFICIARY = 'beneficiary',
  TERRITORY = 'territory',
  YEAR = 'year',
  STAGE = 'stage',
  INSTRUMENT = 'instrument',
  /** France Relance, contractualised, valorised; the lines whose source does not say make a group without one. */
  CREDIT_NATURE = 'creditNature',
}
registerEnumType(FundingDimension, { name: 'FundingDimension', description: 'Dimension de regroupement des montants' });

/**
 * SQL: the territory of a funding line, the EPCI of the perimeter — its beneficiary's (itself or its
 * commune's), else its action's lead's (joined as `leadAlias`), else its action's place's (the EPCI of
 * the commune where the project stands: a syndicate's grant met in a national list). The beneficiary is
 * joined as `beneficiary`.
 */
export function territorySql(leadAlias: string): string {
  return `COALESCE(CASE WHEN beneficiary.kind = 'EPCI' THEN beneficiary.id ELSE beneficiary.parent_id END,
    CASE WHEN ${leadAlias}.kind = 'EPCI' THEN ${leadAlias}.id ELSE ${leadAlias}.parent_id END,
    (SELECT MIN(CASE WHEN place.kind = 'EPCI' THEN place.id ELSE place.parent_id END) FROM action_commune place_link
      JOIN organisation place ON place.id = place_link.organisation_id WHERE place_link.action_id = funding.action_id))`;
}

/** SQL for each dimension, over the joins that `sumFundings` adds. */
export const DIMENSION_SQL: Record<FundingDimension, string> = {
  contract: 'funding.contract_id',
  axis: 't_orientation.axis_id',
  orientation: 't_action.orientation_id',
  action: 'funding.action_id',
  funder: 'funding.funder_id',
  funderKind: 'funder.kind',
  programme: 'funding.programme_id',
  beneficiary: 'funding.beneficiary_id',
  territory: territorySql('t_lead'),
  year: 'funding.year',
  stage: 'funding.stage',
  instrument: 'funding.instrument',
  creditNature: 'funding.credit_nature',
};

@ObjectType()
export abstract class FundingGroup {
  contractId?: number | null;
  axisId?: number | null;
  orientationId?: number | null;
  actionId?: number | null;
  funderId?: number | null;
  programmeId?: number | null;
  beneficiaryId?: number | null;
  territoryId?: number | null;

  @Field(() => OrganisationKind, { nullable: true })
  funderKind?: OrganisationKind | null;

  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field(() => FundingStage, { nullable: true })
  stage?: FundingStage | null;

  @Field(() => FundingInstrument, { nullable: true })
  instrument?: FundingInstrument | null;

  @Field(() => CreditNature, { nullable: true, description: 'Nature des crédits ; vide quand la source ne la dit pas (ou quand on ne regroupe pas par CREDIT_NATURE)' })
  creditNature?: CreditNature | null;
}

/** Sets on `group` the value of each dimension read from a raw SQL row (aliased by dimension name). */
export function assignDimensions(group: FundingGroup, dimensions: readonly FundingDimension[], row: Record<string, unknown>): void {
  for (const dimension of dimensions) {
    const value = row[dimension];
    if (dimension === 'year') group.year = value === null || value === undefined ? null : Number(value);
    else if (dimension === 'stage') group.stage = (value ?? null) as FundingStage | null;
    else if (dimension === 'instrument') group.instrument = (value ?? null) as FundingInstrument | null;
    else if (dimension === 'funderKind') group.funderKind = (value ?? null) as OrganisationKind | null;
    else if (dimension === 'creditNature') group.creditNature = (value ?? null) as CreditNature | null;
    else (group as unknown as Record<string, number | null>)[`${dimension}Id`] = value === null || value === undefined ? null : Number(value);
  }
}

/** The identity of a group over `dimensions`: equal keys, same group. */
export function groupKey(group: FundingGroup, dimensions: readonly FundingDimension[]): string {
  return dimensions
    .map((dimension) => {
      const value = OBJECT_DIMENSIONS.has(dimension) ? (group as unknown as Record<string, unknown>)[`${dimension}Id`] : (group as unknown as Record<string, unknown>)[dimension];
      return value === null || value === undefined ? '∅' : String(value);
    })
    .join('|');
}

const OBJECT_DIMENSIONS = new Set<FundingDimension>([
  FundingDimension.CONTRACT,
  FundingDimension.AXIS,
  FundingDimension.ORIENTATION,
  FundingDimension.ACTION,
  FundingDimension.FUNDER,
  FundingDimension.PROGRAMME,
  FundingDimension.BENEFICIARY,
  FundingDimension.TERRITORY,
]);
