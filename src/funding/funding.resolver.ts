import { Args, ArgsType, Ctx, Field, FieldResolver, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { Action } from '../action/action.entity';
import { decodeCursor, Page, PageType, pageSize, toPage } from '../common/pagination';
import { Contract } from '../contract/contract.entity';
import { ImportBatch } from '../import-batch/import-batch.entity';
import { ImportKind } from '../kernel/import-batch.enum';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { RequestContext } from '../server/context';
import { Funding } from './funding.entity';
import { FundingInstrument, FundingStage } from '../kernel/funding.enum';
import { countedFundings, fundingQuery } from './funding.loaders';

@InputType({ description: 'Filtre des lignes de financement ; les critères se cumulent.' })
export class FundingFilter {
  @Field(() => String, { nullable: true, description: 'Code du contrat' })
  contract?: string;

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

  @Field(() => [ImportKind], { nullable: true, description: 'Nature du fichier d’où viennent les lignes, ex. dotations ou grants' })
  kind?: ImportKind[];

  @Field(() => String, { nullable: true, description: 'Organisation qui a déclaré les lignes : identifiant, SIREN, nom ou nom court' })
  source?: string;
}

@ArgsType()
export class FundingsArgs {
  @Field(() => FundingFilter, { nullable: true })
  filter?: FundingFilter;

  @Field(() => Int, { nullable: true, description: 'Taille de la page (défaut 50, maximum 500)' })
  first?: number;

  @Field(() => String, { nullable: true })
  after?: string;

  @Field(() => Date, { nullable: true, description: 'Les données telles qu’elles étaient à ce moment (ISO 8601)' })
  asOf?: Date;
}

export const FundingPage = PageType(Funding, 'FundingPage');

@ObjectType({ description: 'D’où vient un montant : le fichier, la feuille, la cellule et son texte.' })
export class FundingSource {
  batchId: number | null;
  /** The batch when the line was read with it joined. */
  batch?: ImportBatch | null;
  declaredById: number | null;

  @Field(() => String, { nullable: true })
  sheet: string | null;

  @Field(() => String, { nullable: true, description: 'Cellule, ex. I7' })
  cell: string | null;

  @Field(() => String, { nullable: true, description: 'Référence complète, ex. \'Programmation 2023\'!I7' })
  reference: string | null;

  @Field(() => String, { nullable: true, description: 'Le texte de la cellule tel qu’écrit' })
  rawValue: string | null;
}

/** Batch and declaring organisation are read only when asked for: a list of lines rarely wants both. */
@Resolver(() => FundingSource)
export class FundingSourceResolver {
  @FieldResolver(() => ImportBatch, { nullable: true, description: 'Le dépôt qui a apporté la ligne' })
  batch(@Root() source: FundingSource, @Ctx() { loaders }: RequestContext): Promise<ImportBatch | null> | ImportBatch | null {
    if (source.batch !== undefined) return source.batch;
    return source.batchId ? loaders.batchById.load(source.batchId) : null;
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'L’organisation qui a déclaré ce montant' })
  declaredBy(@Root() source: FundingSource, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> | null {
    return source.declaredById ? loaders.organisationById.load(source.declaredById) : null;
  }
}

@Resolver(() => Funding)
export class FundingResolver {
  @Query(() => FundingPage, { description: 'Lignes de financement en vigueur, filtrées, par pages.' })
  async fundings(@Args(() => FundingsArgs) { filter, first, after, asOf }: FundingsArgs, @Ctx() { dataSource }: RequestContext): Promise<Page<Funding>> {
    const limit = pageSize(first);
    const query = filteredFundings(dataSource, filter ?? {}, asOf ?? null);
    const totalCount = await query.clone().getCount();
    if (after) query.andWhere('funding.id > :afterId', { afterId: decodeCursor(after) });
    const rows = await query.orderBy('funding.id', 'ASC').take(limit + 1).getMany();
    return toPage(rows, limit, totalCount);
  }

  // Relations read with the line are returned as they are, not wrapped in promises: graphql-js then
  // completes a whole list of lines synchronously, which is most of a large nested query's time.
  @FieldResolver(() => Action, { nullable: true, description: 'Vide pour une enveloppe territoriale sans action' })
  action(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Action | null> | null {
    return funding.actionId ? loaders.actionById.load(funding.actionId) : null;
  }

  @FieldResolver(() => Organisation)
  funder(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> | Organisation {
    return funding.funder ?? loaders.organisationById.load(funding.funderId);
  }

  @FieldResolver(() => Programme, { nullable: true })
  programme(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Programme | null> | Programme | null {
    if (funding.programme !== undefined) return funding.programme;
    return funding.programmeId ? loaders.programmeById.load(funding.programmeId) : null;
  }

  @FieldResolver(() => Organisation, { nullable: true })
  beneficiary(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> | Organisation | null {
    if (funding.beneficiary !== undefined) return funding.beneficiary;
    return funding.beneficiaryId ? loaders.organisationById.load(funding.beneficiaryId) : null;
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'Territoire : l’EPCI du bénéficiaire (lui-même, ou celui de sa commune)' })
  async territory(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    const beneficiary = funding.beneficiary ?? (funding.beneficiaryId ? await loaders.organisationById.load(funding.beneficiaryId) : null);
    if (!beneficiary) return null;
    if (beneficiary.kind === OrganisationKind.EPCI) return beneficiary;
    return beneficiary.parentId ? loaders.organisationById.load(beneficiary.parentId) : null;
  }

  @FieldResolver(() => FundingSource, { description: 'Lignée : d’où vient ce montant' })
  source(@Root() funding: Funding): FundingSource {
    return {
      batchId: funding.batchId,
      ...(funding.batch !== undefined ? { batch: funding.batch } : {}),
      declaredById: funding.sourceId,
      sheet: funding.sourceSheet,
      cell: funding.sourceCell,
      reference: funding.sourceCell ? (funding.sourceSheet ? `'${funding.sourceSheet.replace(/'/g, "''")}'!${funding.sourceCell}` : funding.sourceCell) : null,
      rawValue: funding.rawValue,
    };
  }

}

/** Matches an organisation given as an id, a SIREN, or a name as written. */
function organisationMatch(alias: string, parameter: string, value: string): Brackets {
  return new Brackets((where) => {
    if (/^\d+$/.test(value)) where.where(`${alias}.id = :${parameter}Id`, { [`${parameter}Id`]: Number(value) }).orWhere(`${alias}.siren = :${parameter}`, { [parameter]: value });
    else where.where(`${alias}.name = :${parameter}`, { [parameter]: value }).orWhere(`${alias}.short_name = :${parameter}`, { [parameter]: value });
  });
}

export type FundingRelationAlias = 'funder' | 'programme' | 'beneficiary';

/**
 * The counted lines matching `filter`. By default each line comes with its funder, programme,
 * beneficiary and batch selected (for lists of entities). Aggregates pass `lean`: no relation selected,
 * and only the joins that the filter and the caller's own expressions need — SQLite does not drop an
 * unused LEFT JOIN, and every extra one costs on a million lines.
 */
export function filteredFundings(
  dataSource: DataSource,
  filter: FundingFilter,
  asOf: Date | null = null,
  lean?: { join: readonly FundingRelationAlias[] },
): SelectQueryBuilder<Funding> {
  const query = lean ? countedFundings(dataSource, 'funding', asOf) : fundingQuery(dataSource, 'funding', asOf);
  if (lean) {
    const joins = new Set<FundingRelationAlias>(lean.join);
    if (filter.funder) joins.add('funder');
    if (filter.programme) joins.add('programme');
    if (filter.beneficiary) joins.add('beneficiary');
    for (const alias of joins) query.leftJoin(`funding.${alias}`, alias);
  }
  if (filter.contract) {
    query.innerJoin(Contract, 'contract', 'contract.id = funding.contract_id').andWhere('contract.code = :contractCode', { contractCode: filter.contract });
  }
  const needsAction = filter.action || filter.orientation || (filter.axis !== undefined && filter.axis !== null);
  if (needsAction) query.innerJoin('funding.action', 'action');
  if (filter.action) query.andWhere('action.code = :actionCode', { actionCode: filter.action });
  if (filter.orientation || (filter.axis !== undefined && filter.axis !== null)) query.innerJoin('action.orientation', 'orientation');
  if (filter.orientation) query.andWhere('orientation.code = :orientationCode', { orientationCode: filter.orientation });
  if (filter.axis !== undefined && filter.axis !== null) {
    query.innerJoin('orientation.axis', 'axis').andWhere('axis.number = :axisNumber', { axisNumber: filter.axis });
  }
  if (filter.funder) query.andWhere(organisationMatch('funder', 'funder', filter.funder));
  if (filter.beneficiary) query.andWhere(organisationMatch('beneficiary', 'beneficiary', filter.beneficiary));
  if (filter.programme) query.andWhere('programme.code = :programmeCode', { programmeCode: filter.programme });
  if (filter.yearFrom !== undefined && filter.yearFrom !== null) query.andWhere('funding.year >= :yearFrom', { yearFrom: filter.yearFrom });
  if (filter.yearTo !== undefined && filter.yearTo !== null) query.andWhere('funding.year <= :yearTo', { yearTo: filter.yearTo });
  if (filter.stage?.length) query.andWhere('funding.stage IN (:...stages)', { stages: filter.stage });
  if (filter.instrument?.length) query.andWhere('funding.instrument IN (:...instruments)', { instruments: filter.instrument });
  if (filter.kind?.length) query.andWhere('funding.import_kind IN (:...importKinds)', { importKinds: filter.kind });
  if (filter.source) {
    query.innerJoin(Organisation, 'declarer', 'declarer.id = funding.source_id').andWhere(organisationMatch('declarer', 'declarer', filter.source));
  }
  return query;
}
