import { headerKey, normaliseHeader } from '../../../import/detect/header-text';

describe('normaliseHeader', () => {
  it.each([
    // [header, label, multiplier, costBase]
    ["Coût total de l'opération\n(en euros HT)", 'cout total de l operation', 1, 'HT'],
    ['Coût total de l’opération\r\n(en euros HT)', 'cout total de l operation', 1, 'HT'],
    ['Coût total HT', 'cout total', 1, 'HT'],
    ['COUT TOTAL TTC', 'cout total', 1, 'TTC'],
    ['Coût total H.T.', 'cout total', 1, 'HT'],
    ['Coût total (en k€)', 'cout total', 1000, undefined],
    ['Coût total (K€)', 'cout total', 1000, undefined],
    ['Coût (K€ TTC)', 'cout', 1000, 'TTC'],
    ["Montant en milliers d'euros", 'montant', 1000, undefined],
    ['Montant en milliers d’euros', 'montant', 1000, undefined],
    ['Montant KEUR', 'montant', 1000, undefined],
    ['Coût (M€)', 'cout', 1000000, undefined],
    ['Montant en millions', 'montant', 1000000, undefined],
    ['Montant en €', 'montant', 1, undefined],
    ['Budget prévisionnel total € HT', 'budget previsionnel total', 1, 'HT'],
    ['Total (€)', 'total', 1, undefined],
    ['2024 (€)', '2024', 1, undefined],
    ['Statut ', 'statut', 1, undefined],
    ['ÉTAT D’AVANCEMENT', 'etat d avancement', 1, undefined],
    ['Montant\u00a02023', 'montant 2023', 1, undefined],
    ['Sous-axe (x.x)', 'sous axe', 1, undefined],
    ['Hôtel de ville', 'hotel de ville', 1, undefined],
    ['Théâtre HTML', 'theatre html', 1, undefined],
  ])('%j → %j ×%j %j', (header, label, multiplier, costBase) => {
    const h = normaliseHeader(header);
    expect(h.label).toBe(label);
    expect(h.multiplier).toBe(multiplier);
    expect(h.costBase).toBe(costBase);
  });

  it('tells a stated euro from no unit at all, and keeps the display text', () => {
    expect(normaliseHeader('Montants par année (€)')).toMatchObject({ label: 'montants par annee', unitStated: true, multiplier: 1, display: 'Montants par année' });
    expect(normaliseHeader('Montant')).toMatchObject({ unitStated: false, multiplier: 1 });
    expect(normaliseHeader('Banque des Territoires (CDC)')).toMatchObject({ display: 'Banque des Territoires', parenthetical: ['cdc'] });
  });

  it('leaves no costBase when both HT and TTC are stated, and keys a units-only header by its whole text', () => {
    expect(normaliseHeader('HT/TTC').costBase).toBeUndefined();
    expect(headerKey('HT/TTC')).toBe('ht ttc');
    expect(headerKey('Coût total HT')).toBe('cout total');
  });
});
