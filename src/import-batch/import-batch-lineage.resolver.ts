import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { anyId, groupLoader, MAX_BATCH_SIZE } from '../common/batch-loader';
import { decodeCursor, encodeCursor, Page, pageSize } from '../common/pagination';
import { Funding } from '../funding/funding.entity';
import { FundingPage } from '../funding/funding.page';
import { RequestContext } from '../request/context';
import { ImportBatch } from '../provenance/import-batch.entity';
import { canSeeBatch } from './import-batch.visibility';

/**
 * A batch's lineage for the history page: the funding lines it brought, the batches whose lines it
 * replaced and the batches that replaced its lines. Supersession is recorded per funding line
 * (funding.superseded_by_batch_id), so both directions are read from there; a batch replaced by two
 * later files (one per year, say) has two successors.
 */
@Resolver(() => ImportBatch)
export class ImportBatchLineageResolver {
  @FieldResolver(() => [ImportBatch], {
    description: 'Les dépôts antérieurs dont ce lot a remplacé des lignes de financement (du plus récent au plus ancien).',
  })
  async supersedes(@Root() batch: ImportBatch, @Ctx() ctx: RequestContext): Promise<ImportBatch[]> {
    return visible(ctx, (await lineageLoaders(ctx).lineage.load(batch.id)).supersedes);
  }

  @FieldResolver(() => [ImportBatch], {
    description:
      'Les dépôts ultérieurs qui ont remplacé des lignes de ce lot (du plus récent au plus ancien), y compris ceux annulés depuis : leur statut le dit.',
  })
  async supersededBy(@Root() batch: ImportBatch, @Ctx() ctx: RequestContext): Promise<ImportBatch[]> {
    return visible(ctx, (await lineageLoaders(ctx).lineage.load(batch.id)).supersededBy);
  }

  @FieldResolver(() => FundingPage, {
    description:
      'Les lignes de financement que ce lot a apportées, dans l’ordre du fichier, chacune une fois (une ligne rétablie par l’annulation d’un lot ultérieur n’est pas comptée deux fois) ; vide pour un aperçu ou un lot rejeté, dont rien n’a été écrit.',
  })
  async lines(
    @Root() batch: ImportBatch,
    @Arg('first', () => Int, { nullable: true, description: 'Taille de la page (défaut 50, maximum 500)' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<Funding>> {
    const limit = pageSize(first);
    const lines = distinctLines(await lineageLoaders(ctx).lines.load(batch.id));
    // The cursor is the id of the line as first written, which gives the file's order.
    const start = after ? decodeCursor(after) : 0;
    const rest = lines.filter((line) => line.firstId > start);
    const nodes = rest.slice(0, limit);
    return {
      nodes: nodes.map((line) => line.funding),
      totalCount: lines.length,
      pageInfo: { hasNextPage: rest.length > limit, endCursor: nodes.length ? encodeCursor(nodes[nodes.length - 1].firstId) : null },
    };
  }
}

interface Lineage {
  supersedes: ImportBatch[];
  supersededBy: ImportBatch[];
}

interface LineageLoaders {
  lineage: DataLoader<number, Lineage>;
  lines: DataLoader<number, Funding[]>;
}

/** Per request (keyed on the request's loaders, which live exactly as long), like the issues' loader. */
const loadersByRequest = new WeakMap<object, LineageLoaders>();

function lineageLoaders({ dataSource, loaders }: RequestContext): LineageLoaders {
  let lineage = loadersByRequest.get(loaders);
  if (!lineage) {
    lineage = {
      // Both directions and the linked batches in one pass, so that a page of batches costs the same
      // two statements whatever it holds.
      lineage: new DataLoader<number, Lineage>(
        async (keys) => {
          const placeholders = keys.map(() => '?').join(', ');
          const rows: Array<{ batch_id: number | string; superseded_by_batch_id: number | string }> = await dataSource.query(
            `SELECT f.batch_id, f.superseded_by_batch_id FROM funding f WHERE f.superseded_by_batch_id IN (${placeholders})
             UNION
             SELECT f.batch_id, f.superseded_by_batch_id FROM funding f WHERE f.batch_id IN (${placeholders}) AND f.superseded_by_batch_id IS NOT NULL`,
            [...keys, ...keys],
          );
          const pairs = rows.map((row) => ({ older: Number(row.batch_id), newer: Number(row.superseded_by_batch_id) }));
          const linked = [...new Set(pairs.flatMap((pair) => [pair.older, pair.newer]))];
          const batches = new Map<number, ImportBatch>();
          for (const batch of await loaders.batchById.loadMany(linked)) {
            if (batch && !(batch instanceof Error)) batches.set(batch.id, batch);
          }
          const newestFirst = (ids: number[]) => [...new Set(ids)].sort((a, b) => b - a).flatMap((id) => batches.get(id) ?? []);
          return keys.map((key) => ({
            supersedes: newestFirst(pairs.filter((pair) => pair.newer === key).map((pair) => pair.older)),
            supersededBy: newestFirst(pairs.filter((pair) => pair.older === key).map((pair) => pair.newer)),
          }));
        },
        { maxBatchSize: MAX_BATCH_SIZE / 2 },
      ),
      lines: groupLoader(
        (ids) => dataSource.getRepository(Funding).find({ where: { batchId: anyId(dataSource, ids) }, order: { id: 'ASC' } }),
        (funding) => funding.batchId!,
      ),
    };
    loadersByRequest.set(loaders, lineage);
  }
  return lineage;
}

function visible(ctx: RequestContext, batches: ImportBatch[]): ImportBatch[] {
  return batches.filter((batch) => canSeeBatch(ctx.identity, batch));
}

/**
 * A rollback restores the lines a batch had replaced as copies carrying their original lineage (same
 * batch, sheet, cell, amount): a line and its copies are one line of the file. The latest copy stands
 * for it (the current one, when any is), in the place of the line as first written.
 */
function distinctLines(rows: Funding[]): Array<{ firstId: number; funding: Funding }> {
  const byContent = new Map<string, { firstId: number; funding: Funding }>();
  for (const row of rows) {
    const key = JSON.stringify([
      row.sourceSheet,
      row.sourceCell,
      row.rawValue,
      row.actionId,
      row.funderId,
      row.programmeId,
      row.beneficiaryId,
      row.year,
      row.stage,
      row.instrument,
      row.costBase,
      row.amount,
    ]);
    const seen = byContent.get(key);
    if (seen) seen.funding = row;
    else byContent.set(key, { firstId: row.id, funding: row });
  }
  return [...byContent.values()];
}
