import { groupLoader } from '../../../src/common/batch-loader';

/** Lines of actions, as an action's lines are read: a fetch that records the keys of each batch. */
function linesLoader(rows: Array<{ id: number; actionId: number; year: number }>, fail = false, gate?: Promise<void>) {
  const batches: number[][] = [];
  const loader = groupLoader(
    async (keys) => {
      batches.push([...keys]);
      await gate;
      if (fail) throw new Error('base indisponible');
      return rows.filter((row) => keys.includes(row.actionId));
    },
    (row) => row.actionId,
    { order: (a, b) => a.year - b.year || a.id - b.id },
  );
  return { loader, batches };
}

const ROWS = [
  { id: 3, actionId: 1, year: 2023 },
  { id: 1, actionId: 1, year: 2022 },
  { id: 2, actionId: 2, year: 2021 },
];

describe('groupLoader.settle (src/common/batch-loader.ts)', () => {
  it('reads the keys of every call of a tick in one batch, then answers them from memory', async () => {
    const { loader, batches } = linesLoader(ROWS);
    await Promise.all([loader.settle([1, 2]), loader.settle([3])]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(loader.settled(1)!.map((row) => row.id)).toEqual([1, 3]);
    expect(loader.settled(3)).toEqual([]);
    // Neither settle nor load reads a settled key again.
    await loader.settle([1, 2, 3]);
    expect(await loader.load(2)).toEqual([ROWS[2]]);
    expect(batches).toHaveLength(1);
    // Forgotten after a write (clearLoaders): read again.
    loader.clearAll();
    expect(loader.settled(1)).toBeUndefined();
    await loader.settle([1]);
    expect(batches).toEqual([[1, 2, 3], [1]]);
  });

  it('does not read twice a key that a batch under way reads', async () => {
    let open = () => {};
    const { loader, batches } = linesLoader(ROWS, false, new Promise<void>((resolve) => (open = resolve)));
    const first = loader.settle([1, 2]);
    // A later call, while the first batch is still reading (its statement not answered yet).
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2]]);
    const second = loader.settle([2, 3]);
    open();
    await Promise.all([first, second]);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(loader.settled(2)).toEqual([ROWS[2]]);
  });

  it('leaves the keys of a failed batch to load, which answers the failure', async () => {
    const { loader, batches } = linesLoader(ROWS, true);
    await expect(loader.settle([1])).resolves.toBeUndefined();
    expect(loader.settled(1)).toBeUndefined();
    await expect(loader.load(1)).rejects.toThrow('base indisponible');
    expect(batches).toEqual([[1], [1]]);
  });
});
