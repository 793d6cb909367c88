import { foldAccents, normaliseText } from '../../src/kernel/normalise-text';

describe('normaliseText', () => {
  it.each([
    ['Cœur d’Ostrevent', 'coeur d ostrevent'],
    ["COEUR-D'OSTREVENT ", 'coeur d ostrevent'],
    ['Communauté de communes\nCœur d’Ostrevent', 'communaute de communes coeur d ostrevent'],
    ['Région', 'region'],
    ['RÉGION HAUTS-DE-FRANCE', 'region hauts de france'],
    ['État', 'etat'],
    ['Département', 'departement'],
    ['Gœulzin', 'goeulzin'],
    ['ÆTHER', 'aether'],
    ['Flines-lez-Râches', 'flines lez raches'],
    ['Écaillon', 'ecaillon'],
    ['Banque des Territoires (CDC)', 'banque des territoires cdc'],
    ['Réf.', 'ref'],
    ['N° action', 'n action'],
    ['Nº action', 'n action'],
    ['Coût total HT\r\n(en k€)', 'cout total ht en k'],
    ['Montant\u00a02023', 'montant 2023'],
    ['1\u202f500\u00a0000', '1 500 000'],
    ['  multiple   spaces\t\tand tabs ', 'multiple spaces and tabs'],
    ['Sous-axe (x.x)', 'sous axe x x'],
    ['Maître d’ouvrage / Porteur', 'maitre d ouvrage porteur'],
    ['59178', '59178'],
    ['CD59', 'cd59'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });

  it('gives an empty string for blanks and punctuation only', () => {
    expect(normaliseText('')).toBe('');
    expect(normaliseText(' \u00a0 - / ’ ')).toBe('');
  });

  it('is idempotent', () => {
    const once = normaliseText('Établissement public foncier « Nord – Pas-de-Calais »');
    expect(once).toBe('etablissement public foncier nord pas de calais');
    expect(normaliseText(once)).toBe(once);
  });
});

describe('foldAccents', () => {
  it.each([
    ['Prêts', 'prets'],
    ['ŒUVRE', 'oeuvre'],
    ['subv', 'subv'],
    // A word keeps what normaliseText would fold further: only accents and œ / æ go.
    ['straße', 'straße'],
    ['nº', 'nº'],
    ['ﬁnancement', 'ﬁnancement'],
  ])('%j → %j', (input, expected) => {
    expect(foldAccents(input)).toBe(expected);
  });
});
