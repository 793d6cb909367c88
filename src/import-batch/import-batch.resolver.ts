import DataLoader from 'dataloader';
import { findReadableContract } from '../contract/contract.lookups';
import { GraphQLError } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Int, Query, Resolver, Root } from 'type-graphql';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { anyId, groupLoader } from '../common/batch-loader';
import { decodeCursor, Page, PageType, pageSize, toPage } from '../common/pagination';
import { Contract } from '../contract/contract.entity';
import { Organisation } from '../organisation/organisation.entity';
import { RequestContext } from '../request/context';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportKind, ImportStatus, IssueSeverity } from '../kernel/import-batch.enum';
import { whereBatchVisible } from './import-batch.visibility';
import { ImportIssue } from './import-issue.entity';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { sortedIssues } from './import-issue.order';

const VISIBILITY_NOTE =
  'Les aperçus jamais appliqués (PREVIEWED, REJECTED, ABANDONED) ne sont visibles que des administrateurs et des éditeurs de l’organisation source ; les lots appliqués (APPLIED, puis SUPERSEDED ou ROLLED_BACK) sont visibles de tous les lecteurs.';

@InputType()
export class ImportBatchFilter {
  @Field(() => String, { nullable: true, description: 'Code du contrat' })
  contract?: string;

  @Field(() => ImportKind, { nullable: true })
  kind?: ImportKind;

  @Field(() => String, { nullable: true, description: 'Organisation source (qui a envoyé le fichier) : identifiant, SIREN, nom ou sigle exact' })
  source?: string;

  @Field(() => [ImportStatus], { nullable: true, description: 'Un ou plusieurs statuts' })
  status?: ImportStatus[];
}

@ArgsType()
export class ImportBatchesArgs {
  @Field(() => ImportBatchFilter, { nullable: true })
  filter?: ImportBatchFilter;

  @Field(() => Int, { nullable: true, description: 'Taille de la page (défaut 50, maximum 500)' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Curseur de fin de la page précédente' })
  after?: string;
}

export const ImportBatchPage = PageType(ImportBatch, 'ImportBatchPage');

@Resolver(() => ImportBatch)
export class ImportBatchResolver {
  @Query(() => ImportBatchPage, {
    description: `Lots d’import (fichiers déposés), du plus récent au plus ancien, par pages. ${VISIBILITY_NOTE}`,
  })
  async importBatches(@Args(() => ImportBatchesArgs) { filter, first, after }: ImportBatchesArgs, @Ctx() ctx: RequestContext): Promise<Page<ImportBatch>> {
    const { dataSource, identity } = ctx;
    if (filter?.contract) await findReadableContract(ctx, filter.contract);
    const limit = pageSize(first);
    const query = whereBatchVisible(filteredBatches(dataSource, filter ?? {}), identity);
    const totalCount = await query.clone().getCount();
    // Newest first: the cursor walks the ids downwards.
    if (after) query.andWhere('batch.id < :afterId', { afterId: decodeCursor(after) });
    const rows = await query.orderBy('batch.id', 'DESC').take(limit + 1).getMany();
    return toPage(rows, limit, totalCount);
  }

  @Query(() => ImportBatch, {
    nullable: true,
    description: `Un lot d’import par son identifiant ; vide s’il n’existe pas ou si l’appelant ne peut pas le voir. ${VISIBILITY_NOTE}`,
  })
  async importBatch(@Arg('id', () => ID) id: string, @Ctx() { dataSource, identity }: RequestContext): Promise<ImportBatch | null> {
    if (!/^\d{1,15}$/.test(id.trim())) return null;
    const query = dataSource.getRepository(ImportBatch).createQueryBuilder('batch').where('batch.id = :id', { id: Number(id) });
    return whereBatchVisible(query, identity).getOne();
  }

  @FieldResolver(() => [ImportIssue], {
    description:
      'Anomalies relevées dans le fichier, chacune avec sa cellule : les erreurs d’abord, puis par feuille, ligne et colonne. `severity` n’en garde qu’une gravité ; `first` limite aux N premières (toutes par défaut).',
  })
  async issues(
    @Root() batch: ImportBatch,
    @Arg('severity', () => IssueSeverity, { nullable: true }) severity: IssueSeverity | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ImportIssue[]> {
    if (first !== null && first !== undefined && (!Number.isInteger(first) || first < 1)) {
      throw new GraphQLError('`first` doit être un entier positif.', { extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
    }
    const issues = sortedIssues(await issuesLoader(ctx).load(batch.id)).filter((issue) => !severity || issue.severity === severity);
    return first ? issues.slice(0, first) : issues;
  }

  @FieldResolver(() => Organisation, { description: 'L’organisation qui a envoyé le fichier' })
  async source(@Root() batch: ImportBatch, @Ctx() { loaders }: RequestContext): Promise<Organisation> {
    return (await loaders.organisationById.load(batch.sourceId))!;
  }

  @FieldResolver(() => Contract)
  async contract(@Root() batch: ImportBatch, @Ctx() { loaders }: RequestContext): Promise<Contract> {
    return (await loaders.contractById.load(batch.contractId))!;
  }

  @FieldResolver(() => [ImportCellCorrection], { description: 'Les cellules douteuses relues dans l’aperçu : le texte du fichier, la lecture retenue, qui et quand (dans l’ordre des corrections).' })
  async corrections(@Root() batch: ImportBatch, @Ctx() { dataSource }: RequestContext): Promise<ImportCellCorrection[]> {
    // One batch at a time (a detail, not a list's column): no loader needed.
    return dataSource.getRepository(ImportCellCorrection).find({ where: { batchId: batch.id }, order: { id: 'ASC' } });
  }
}

export function filteredBatches(dataSource: DataSource, filter: ImportBatchFilter): SelectQueryBuilder<ImportBatch> {
  const query = dataSource.getRepository(ImportBatch).createQueryBuilder('batch');
  if (filter.contract) {
    query.innerJoin(Contract, 'contract', 'contract.id = batch.contract_id').andWhere('contract.code = :contractCode', { contractCode: filter.contract });
  }
  if (filter.kind) query.andWhere('batch.kind = :kind', { kind: filter.kind });
  if (filter.status?.length) query.andWhere('batch.status IN (:...statuses)', { statuses: filter.status });
  if (filter.source) {
    const source = filter.source.trim();
    query.innerJoin(Organisation, 'source', 'source.id = batch.source_id').andWhere(
      new Brackets((where) => {
        if (/^\d+$/.test(source)) where.where('source.id = :sourceId', { sourceId: Number(source) }).orWhere('source.siren = :source');
        else where.where('source.name = :source').orWhere('source.short_name = :source');
      }),
      { source },
    );
  }
  return query;
}

/**
 * The issues of many batches in one statement, per request (keyed on the request's loaders, which live
 * exactly as long): a page of batches with their issues costs two statements, not one per batch.
 */
const issueLoaders = new WeakMap<object, DataLoader<number, ImportIssue[]>>();

function issuesLoader({ dataSource, loaders }: RequestContext): DataLoader<number, ImportIssue[]> {
  let loader = issueLoaders.get(loaders);
  if (!loader) {
    loader = groupLoader(
      (ids) => dataSource.getRepository(ImportIssue).find({ where: { batchId: anyId(dataSource, ids) }, order: { id: 'ASC' } }),
      (issue) => issue.batchId,
    );
    issueLoaders.set(loaders, loader);
  }
  return loader;
}
