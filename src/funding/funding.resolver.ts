import { Args, ArgsType, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Action } from '../action/action.entity';
import { decodeCursor, Page, pageSize, toPage } from '../common/pagination';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { OrganisationKind } from '../kernel/organisation-kind.enum';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { RequestContext } from '../request/context';
import { Funding } from './funding.entity';
import { cellKey } from './funding.loaders';
import { FundingFilter } from './funding.filter';
import { FundingPage } from './funding.page';
import { filteredFundings, scopedFundingFilter } from './funding.query';

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
  async fundings(@Args(() => FundingsArgs) { filter, first, after, asOf }: FundingsArgs, @Ctx() ctx: RequestContext): Promise<Page<Funding>> {
    const limit = pageSize(first);
    const query = filteredFundings(ctx.dataSource, await scopedFundingFilter(ctx, filter), asOf ?? null);
    const totalCount = await query.clone().getCount();
    if (after) query.andWhere('funding.id > :afterId', { afterId: decodeCursor(after) });
    const rows = await query.orderBy('funding.id', 'ASC').take(limit + 1).getMany();
    // At a past moment, each line's action answers where it stood then (its orientation, its axis).
    if (asOf) for (const row of rows) row.structureAsOf = asOf;
    return toPage(rows, limit, totalCount);
  }

  // Relations read with the line are returned as they are, not wrapped in promises: graphql-js then
  // completes a whole list of lines synchronously, which is most of a large nested query's time.
  @FieldResolver(() => Action, {
    nullable: true,
    description: 'Vide pour une enveloppe territoriale sans action. Dans fundings(asOf), l’action telle qu’elle était classée ce jour-là (son orientation d’alors).',
  })
  action(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Action | null> | null {
    if (!funding.actionId) return null;
    if (funding.structureAsOf) return loaders.structureOn(funding.structureAsOf).actionById.load(funding.actionId);
    return loaders.actionById.load(funding.actionId);
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

  @FieldResolver(() => Organisation, {
    nullable: true,
    description: 'Territoire : l’EPCI du bénéficiaire (lui-même, ou celui de sa commune), sinon celui de la commune où se tient le projet',
  })
  async territory(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    const beneficiary = funding.beneficiary ?? (funding.beneficiaryId ? await loaders.organisationById.load(funding.beneficiaryId) : null);
    if (beneficiary?.kind === OrganisationKind.EPCI) return beneficiary;
    if (beneficiary?.parentId) return loaders.organisationById.load(beneficiary.parentId);
    // A beneficiary in no EPCI (a syndicate, a SEM met in a national grants list): the EPCI of the
    // commune where its project stands, as the totals count it (territorySql).
    if (funding.actionId === null || funding.actionId === undefined) return null;
    for (const { organisation: place } of await loaders.communesByAction.load(funding.actionId)) {
      if (place.kind === OrganisationKind.EPCI) return place;
      if (place.parentId) return loaders.organisationById.load(place.parentId);
    }
    return null;
  }

  @FieldResolver(() => ImportCellCorrection, {
    nullable: true,
    description: 'La correction de sa cellule faite dans l’aperçu du dépôt (texte du fichier, lecture retenue, qui, quand) ; null si la cellule a été lue telle quelle ou pour une saisie',
  })
  correction(@Root() funding: Funding, @Ctx() { loaders }: RequestContext): Promise<ImportCellCorrection | null> | null {
    if (!funding.batchId || !funding.sourceSheet || !funding.sourceCell) return null;
    return loaders.correctionByCell.load(cellKey(funding.batchId, funding.sourceSheet, funding.sourceCell));
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
