import { mergeAt, mergedOriginAt, mergedValueAt } from '../../../import/detect';
import { grid } from './grid-from-xlsx';

describe('merged cells', () => {
  const sheet = grid(
    'Dotations',
    [
      [2017, 'DETR', 1],
      [null, 'DSIL', 2],
      [null, 'TOTAL', 3],
      ['TOTAL 2017', null, 3],
    ],
    ['A1:A3', 'A4:B4'],
  );

  it('reads a merged cell anywhere in its merge, and names where it lives', () => {
    expect(mergedValueAt(sheet, 2, 0)?.value).toBe(2017);
    expect(mergedOriginAt(sheet, 2, 0)).toEqual({ row: 0, col: 0 });
    expect(mergedValueAt(sheet, 3, 1)?.value).toBe('TOTAL 2017');
    expect(mergeAt(sheet, 1, 0)).toEqual({ startRow: 0, startCol: 0, endRow: 2, endCol: 0 });
  });

  it('reads an unmerged cell as itself', () => {
    expect(mergedValueAt(sheet, 1, 1)?.value).toBe('DSIL');
    expect(mergedValueAt(sheet, 1, 5)).toBeNull();
    expect(mergeAt(sheet, 1, 1)).toBeNull();
    expect(mergedOriginAt(sheet, 1, 2)).toEqual({ row: 1, col: 2 });
  });
});
