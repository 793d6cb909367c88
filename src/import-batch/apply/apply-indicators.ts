import { EntityManager } from 'typeorm';
import { Indicator } from '../../indicator/indicator.entity';
import { IndicatorValueStage } from '../../kernel/indicator-value-stage.enum';
import { IndicatorValue } from '../../indicator/indicator-value.entity';
import { ParsedIndicator } from '../../../import/parse/parsed.types';
import { normaliseOrientationCode } from '../../../import/resolve/resolve';

export interface IndicatorUndo {
  createdIndicatorIds: number[];
  updatedIndicators: Array<Pick<Indicator, 'id' | 'name' | 'unit' | 'baseline' | 'target' | 'targetYear'>>;
  insertedValueIds: number[];
  updatedValues: Array<Pick<IndicatorValue, 'id' | 'value' | 'batchId' | 'sourceSheet' | 'sourceCell' | 'rawValue'>>;
}

/**
 * Indicators and their yearly values: an indicator is found by its code in the contract (created when
 * new, its definition updated when the file gives it), a value by (indicator, year, stage). What was
 * there before is recorded for a rollback.
 */
export async function applyIndicators(
  manager: EntityManager,
  input: { batchId: number; contractId: number; indicators: ParsedIndicator[]; now: Date },
): Promise<{ indicators: number; values: number; undo: IndicatorUndo }> {
  const undo: IndicatorUndo = { createdIndicatorIds: [], updatedIndicators: [], insertedValueIds: [], updatedValues: [] };
  const actions = new Map<string, number>(
    (await manager.query('SELECT id, code FROM action WHERE contract_id = ?', [input.contractId])).map((row: { id: number; code: string }) => [row.code.toUpperCase(), Number(row.id)]),
  );
  const orientations = new Map<string, number>(
    (await manager.query('SELECT id, code FROM orientation WHERE contract_id = ?', [input.contractId])).map((row: { id: number; code: string }) => [normaliseOrientationCode(row.code) ?? row.code, Number(row.id)]),
  );
  let values = 0;
  for (const parsed of input.indicators) {
    const actionId = parsed.actionCode ? (actions.get(parsed.actionCode.trim().toUpperCase()) ?? null) : null;
    const orientationCode = parsed.orientationCode ? normaliseOrientationCode(parsed.orientationCode) : null;
    const orientationId = !actionId && orientationCode ? (orientations.get(orientationCode) ?? null) : null;
    let indicator = await manager.findOne(Indicator, { where: { contractId: input.contractId, code: parsed.code } });
    const definition = {
      ...(parsed.name ? { name: parsed.name.slice(0, 255) } : {}),
      ...(parsed.unit ? { unit: parsed.unit.slice(0, 40) } : {}),
      ...(parsed.baseline !== null ? { baseline: parsed.baseline } : {}),
      ...(parsed.target !== null ? { target: parsed.target } : {}),
      ...(parsed.targetYear !== null ? { targetYear: parsed.targetYear } : {}),
    };
    if (!indicator) {
      indicator = await manager.save(Indicator, {
        contractId: input.contractId,
        actionId,
        orientationId,
        code: parsed.code.slice(0, 40),
        name: definition.name ?? parsed.code,
        unit: definition.unit ?? '',
        baseline: definition.baseline ?? null,
        target: definition.target ?? null,
        targetYear: definition.targetYear ?? null,
        createdAt: input.now,
        updatedAt: input.now,
      });
      undo.createdIndicatorIds.push(indicator.id);
    } else {
      const { id, name, unit, baseline, target, targetYear } = indicator;
      undo.updatedIndicators.push({ id, name, unit, baseline, target, targetYear });
      await manager.update(Indicator, id, { ...definition, updatedAt: input.now });
    }
    for (const value of parsed.values) {
      const stage = value.stage === 'TARGET' ? IndicatorValueStage.TARGET : IndicatorValueStage.ACTUAL;
      const lineage = { batchId: input.batchId, sourceSheet: value.source.sheet.slice(0, 100), sourceCell: value.source.cell, rawValue: value.source.raw.slice(0, 500) };
      const existing = await manager.findOne(IndicatorValue, { where: { indicatorId: indicator.id, year: value.year, stage } });
      if (existing) {
        undo.updatedValues.push({ id: existing.id, value: existing.value, batchId: existing.batchId, sourceSheet: existing.sourceSheet, sourceCell: existing.sourceCell, rawValue: existing.rawValue });
        await manager.update(IndicatorValue, existing.id, { value: value.value, ...lineage, updatedAt: input.now });
      } else {
        const saved = await manager.save(IndicatorValue, { indicatorId: indicator.id, year: value.year, stage, value: value.value, ...lineage, createdAt: input.now, updatedAt: input.now });
        undo.insertedValueIds.push(saved.id);
      }
      values++;
    }
  }
  return { indicators: input.indicators.length, values, undo };
}

/** Undoes applyIndicators from what it recorded. */
export async function rollbackIndicators(manager: EntityManager, undo: IndicatorUndo, now: Date): Promise<void> {
  for (const id of undo.insertedValueIds) await manager.delete(IndicatorValue, id);
  for (const { id, ...previous } of undo.updatedValues) await manager.update(IndicatorValue, id, { ...previous, updatedAt: now });
  for (const { id, ...previous } of undo.updatedIndicators) await manager.update(Indicator, id, { ...previous, updatedAt: now });
  for (const id of undo.createdIndicatorIds) {
    const [{ n }] = await manager.query('SELECT COUNT(*) AS n FROM indicator_value WHERE indicator_id = ?', [id]);
    if (Number(n) === 0) await manager.delete(Indicator, id);
  }
}
