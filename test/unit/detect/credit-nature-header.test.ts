import { matchHeader } from '../../../import/detect/role-matcher';

/** Annex 3's « Nature des crédits » (France Relance, contractualised, valorised) beside its « Nature » (the instrument). */
describe('the credit nature column of annex 3', () => {
  it.each(['Nature des crédits', 'NATURE DES CREDITS', 'Type de crédits', 'Nature de crédits', 'Catégorie de crédits'])('%j → creditNature', (header) => {
    expect(matchHeader(header, 'annex3')?.role).toBe('creditNature');
  });

  it('leaves « Nature » and « Type de financement » to the instrument', () => {
    expect(matchHeader('Nature', 'annex3')?.role).toBe('instrument');
    expect(matchHeader('Type de financement', 'annex3')?.role).toBe('instrument');
  });
});
