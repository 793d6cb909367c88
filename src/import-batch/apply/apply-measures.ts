import { EntityManager, In } from 'typeorm';
import { formatCents } from '../../kernel/money';
import { ImportKind } from '../../kernel/import-batch.enum';
import { RelanceAmountKind } from '../../kernel/relance-amount-kind.enum';
import { RelanceAmount } from '../../relance/relance-amount.entity';
import { RelanceMeasure } from '../../relance/relance-measure.entity';
import { ParsedMeasure } from '../../../import/parse/parsed.types';

/**
 * Annex 2: the recovery-plan measures replace the measures of the same source's earlier annex 2 (kept,
 * marked superseded); returns the ids it superseded, for a rollback. `leftOut` says which cells are on a
 * row in error left out (allowPartial): their amounts are not written, and a measure named on such a row
 * is not written unless an amount of another row is left to it — so what goes missing is exactly the
 * amounts the preview lists on those rows.
 */
export async function applyMeasures(
  manager: EntityManager,
  input: { batchId: number; contractId: number; sourceId: number; measures: ParsedMeasure[]; leftOut?: (source: { sheet: string; cell: string }) => boolean; now: Date },
): Promise<{ inserted: number; amounts: number; supersededIds: number[] }> {
  const previous: Array<{ id: number | string }> = await manager.query(
    `SELECT m.id FROM relance_measure m JOIN import_batch b ON b.id = m.batch_id
      WHERE m.contract_id = ? AND m.superseded_at IS NULL AND b.source_id = ? AND b.kind = ? AND m.batch_id <> ?`,
    [input.contractId, input.sourceId, ImportKind.ANNEX2, input.batchId],
  );
  const supersededIds = previous.map((row) => Number(row.id));
  if (supersededIds.length) await manager.update(RelanceMeasure, { id: In(supersededIds) }, { supersededAt: input.now });
  let amounts = 0;
  let inserted = 0;
  const leftOut = input.leftOut ?? (() => false);
  for (const [position, whole] of input.measures.entries()) {
    const measure = { ...whole, amounts: whole.amounts.filter((amount) => !leftOut(amount.source)) };
    if (leftOut(measure.source) && measure.amounts.length === 0) continue;
    const saved = await manager.save(RelanceMeasure, {
      contractId: input.contractId,
      batchId: input.batchId,
      voletNumber: measure.voletNumber.slice(0, 8),
      voletTitle: measure.voletTitle.slice(0, 255),
      name: measure.name.slice(0, 500),
      beneficiaries: measure.beneficiaries,
      rawTexts: JSON.stringify(measure.rawTexts),
      position,
      sourceSheet: measure.source.sheet.slice(0, 100),
      sourceCell: measure.source.cell,
      supersededAt: null,
      createdAt: input.now,
    });
    inserted++;
    if (measure.amounts.length) {
      await manager.insert(
        RelanceAmount,
        measure.amounts.map((amount) => ({
          measureId: saved.id,
          kind: amount.kind === 'AID' ? RelanceAmountKind.AID : RelanceAmountKind.INVESTMENT,
          instrument: amount.instrument,
          amount: formatCents(amount.cents),
          year: amount.year,
          approximate: amount.approximate,
          rawValue: amount.source.raw,
          sourceSheet: amount.source.sheet.slice(0, 100),
          sourceCell: amount.source.cell,
        })),
      );
      amounts += measure.amounts.length;
    }
  }
  return { inserted, amounts, supersededIds };
}

/** Undoes applyMeasures: the batch's measures are withdrawn, the ones it replaced count again. */
export async function rollbackMeasures(manager: EntityManager, batchId: number, supersededIds: number[], now: Date): Promise<void> {
  await manager.createQueryBuilder().update(RelanceMeasure).set({ supersededAt: now }).where('batch_id = :batchId AND superseded_at IS NULL', { batchId }).execute();
  if (supersededIds.length) await manager.update(RelanceMeasure, { id: In(supersededIds) }, { supersededAt: null });
}
