import { EntityManager, In } from 'typeorm';
import { Axis } from '../../contract/axis.entity';
import { Orientation } from '../../contract/orientation.entity';
import { PlanStructure } from '../../../import/resolve/plan-structure';

/** What a plan's batch created and renamed, kept in its undo record for a rollback. */
export interface StructureUndo {
  axes: number[];
  orientations: number[];
  /** The titles it replaced. */
  titles: Array<{ level: 'axis' | 'orientation'; id: number; title: string }>;
}

export interface StructureOutcome {
  /** The resolve stage's ids (negative for new orientations) → the rows' ids. */
  orientationIds: Map<number, number>;
  createdAxes: number;
  createdOrientations: number;
  renamed: number;
  undo: StructureUndo;
}

/**
 * Kind `plan`: the axes and orientations of the file, in the caller's transaction (the apply's, under the
 * contract's lock): a code the contract has is that row, its title updated when the file words it
 * otherwise; any other is created (an axis numbered after the contract's last), parents before children.
 */
export async function applyStructure(manager: EntityManager, contractId: number, structure: PlanStructure): Promise<StructureOutcome> {
  const undo: StructureUndo = { axes: [], orientations: [], titles: [] };
  const orientationIds = new Map<number, number>();
  let renamed = 0;
  const axisIds = new Map<string, number>();
  const [{ last }] = await manager.query('SELECT MAX(number) AS last FROM axis WHERE contract_id = ?', [contractId]);
  let number = Number(last ?? 0);
  for (const axis of structure.axes) {
    if (axis.existingId !== null) {
      axisIds.set(axis.code, axis.existingId);
      if (axis.renamed) {
        const current = await manager.findOneByOrFail(Axis, { id: axis.existingId });
        undo.titles.push({ level: 'axis', id: current.id, title: current.title });
        await manager.update(Axis, current.id, { title: axis.title });
        renamed++;
      }
      continue;
    }
    const { identifiers } = await manager.insert(Axis, { contractId, number: ++number, code: axis.code, title: axis.title });
    const id = Number(identifiers[0].id);
    axisIds.set(axis.code, id);
    undo.axes.push(id);
  }
  const byCode = new Map<string, { id: number; axisId: number }>();
  const existing = structure.orientations.filter((o) => o.existingId !== null).map((o) => o.existingId!);
  const current = new Map((existing.length ? await manager.find(Orientation, { where: { id: In(existing) } }) : []).map((o) => [o.id, o]));
  for (const orientation of structure.orientations) {
    if (orientation.existingId !== null) {
      const row = current.get(orientation.existingId)!;
      byCode.set(orientation.code, { id: row.id, axisId: row.axisId });
      orientationIds.set(orientation.referenceId, row.id);
      if (orientation.renamed) {
        undo.titles.push({ level: 'orientation', id: row.id, title: row.title });
        await manager.update(Orientation, row.id, { title: orientation.title });
        renamed++;
      }
      continue;
    }
    // A sub-orientation sits in its parent's axis (an existing parent keeps the axis the contract gave it).
    const parent = orientation.parentCode ? byCode.get(orientation.parentCode) : undefined;
    const axisId = parent?.axisId ?? axisIds.get(orientation.axisCode)!;
    const { identifiers } = await manager.insert(Orientation, { contractId, axisId, parentId: parent?.id ?? null, code: orientation.code, title: orientation.title });
    const id = Number(identifiers[0].id);
    byCode.set(orientation.code, { id, axisId });
    orientationIds.set(orientation.referenceId, id);
    undo.orientations.push(id);
  }
  return { orientationIds, createdAxes: undo.axes.length, createdOrientations: undo.orientations.length, renamed, undo };
}

/**
 * Undoes a plan's structure after its actions went (rollbackInDatabase): titles back, then what it created
 * goes — sub-orientations before their parents, orientations before axes — unless something else now uses
 * it (an action, an indicator, an orientation of another batch or of a mutation).
 */
export async function rollbackStructure(manager: EntityManager, undo: StructureUndo): Promise<{ removedAxes: number; removedOrientations: number }> {
  for (const previous of undo.titles) {
    await manager.update(previous.level === 'axis' ? Axis : Orientation, previous.id, { title: previous.title });
  }
  let removedOrientations = 0;
  for (const id of [...undo.orientations].reverse()) {
    const used =
      (await manager.query('SELECT 1 FROM action WHERE orientation_id = ? LIMIT 1', [id])).length > 0 ||
      (await manager.query('SELECT 1 FROM indicator WHERE orientation_id = ? LIMIT 1', [id])).length > 0 ||
      (await manager.query('SELECT 1 FROM orientation WHERE parent_id = ? LIMIT 1', [id])).length > 0 ||
      // An amendment's history names it (a move from or to it, a rename): deleting it would rewrite the past.
      (await manager.query('SELECT 1 FROM amendment_change WHERE orientation_id = ? OR from_orientation_id = ? LIMIT 1', [id, id])).length > 0;
    if (used) continue;
    await manager.delete(Orientation, id);
    removedOrientations++;
  }
  let removedAxes = 0;
  for (const id of [...undo.axes].reverse()) {
    if ((await manager.query('SELECT 1 FROM orientation WHERE axis_id = ? LIMIT 1', [id])).length > 0) continue;
    if ((await manager.query('SELECT 1 FROM amendment_change WHERE axis_id = ? LIMIT 1', [id])).length > 0) continue;
    await manager.delete(Axis, id);
    removedAxes++;
  }
  return { removedAxes, removedOrientations };
}
