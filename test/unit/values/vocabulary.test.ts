import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { CostBase, FundingInstrument, FundingStage } from '../../../src/kernel/funding.enum';
import {
  ACTION_STATUS_VOCABULARY,
  Vocabulary,
  parseCostBase,
  parseCreditNature,
  parseInstrument,
  parseStage,
  parseStatus,
  vocabularyKey,
} from '../../../import/parse/values/vocabulary';
import {
  ACTION_STATUS_WORDS,
  COST_BASE_WORDS,
  FUNDING_INSTRUMENT_WORDS,
  FUNDING_STAGE_WORDS,
} from '../../../import/parse/values/vocabulary.data';

describe('parseStatus', () => {
  it.each([
    ['idée', ActionStatus.IDEA],
    ['Idées', ActionStatus.IDEA],
    ['en projet', ActionStatus.IDEA],
    ['en étude', ActionStatus.STUDY],
    ['Étude', ActionStatus.STUDY],
    ["à l'étude", ActionStatus.STUDY],
    ["En cours d'étude", ActionStatus.STUDY],
    ['à venir', ActionStatus.PLANNED],
    ['A venir', ActionStatus.PLANNED],
    ['À venir', ActionStatus.PLANNED],
    ['A VENIR', ActionStatus.PLANNED],
    ['a venir', ActionStatus.PLANNED],
    ['prévu', ActionStatus.PLANNED],
    ['Prévue', ActionStatus.PLANNED],
    ['programmé', ActionStatus.PLANNED],
    ['en cours', ActionStatus.UNDERWAY],
    ['en cours ', ActionStatus.UNDERWAY],
    ['En Cours', ActionStatus.UNDERWAY],
    ['EN COURS', ActionStatus.UNDERWAY],
    ['en\u00a0cours', ActionStatus.UNDERWAY],
    ['engagé', ActionStatus.UNDERWAY],
    ['démarré', ActionStatus.UNDERWAY],
    ['En cours de réalisation', ActionStatus.UNDERWAY],
    ['réalisé', ActionStatus.DONE],
    ['Réalisé', ActionStatus.DONE],
    ['Réalisée', ActionStatus.DONE],
    ['REALISEES', ActionStatus.DONE],
    ['terminé', ActionStatus.DONE],
    ['achevé', ActionStatus.DONE],
    ['livré', ActionStatus.DONE],
    ['suspendu', ActionStatus.PAUSED],
    ['en pause', ActionStatus.PAUSED],
    ['bloqué', ActionStatus.BLOCKED],
    ['Bloquée', ActionStatus.BLOCKED],
    ['abandonné', ActionStatus.ABANDONED],
    ['annulé', ActionStatus.ABANDONED],
    ['Annulée.', ActionStatus.ABANDONED],
  ])('%j → %s', (text, value) => {
    expect(parseStatus(text)).toEqual({ status: 'ok', value });
    expect(parseStatus({ kind: 'string', value: text })).toEqual({ status: 'ok', value });
  });

  it.each([null, undefined, '', '  ', '-'])('%j is empty', (input) => {
    expect(parseStatus(input)).toEqual({ status: 'empty' });
  });

  it('refuses unknown words, quoting the value and listing the accepted words', () => {
    const result = parseStatus('en cours de validation');
    expect(result).toEqual({
      status: 'error',
      code: 'STATUS_UNKNOWN',
      message:
        "« en cours de validation » n'est pas un état d'avancement connu : écrivez l'un de ces mots : " +
        'idée, en étude, à venir, en cours, réalisé, suspendu, bloqué, abandonné.',
    });
    expect(parseStatus('x'.repeat(1000)).status).toBe('error');
    expect(parseStatus({ kind: 'number', value: 3 })).toMatchObject({ status: 'error', code: 'STATUS_UNKNOWN', message: expect.stringContaining('« 3 »') });
    expect(parseStatus({ kind: 'error', value: '#N/A' })).toMatchObject({ status: 'error', code: 'FORMULA_ERROR' });
  });
});

describe('parseStage', () => {
  it.each([
    ['prévu', FundingStage.PLANNED],
    ['prévisionnel', FundingStage.PLANNED],
    ['Programmé', FundingStage.PLANNED],
    ['montant prévu', FundingStage.PLANNED],
    ['demandé', FundingStage.REQUESTED],
    ['sollicité', FundingStage.REQUESTED],
    ['Montant demandé', FundingStage.REQUESTED],
    ['montant_demande', FundingStage.REQUESTED],
    ['Subvention sollicitée', FundingStage.REQUESTED],
    ['attribué', FundingStage.GRANTED],
    ['accordé', FundingStage.GRANTED],
    ['engagé', FundingStage.GRANTED],
    ['notifié', FundingStage.GRANTED],
    ['Montant attribué', FundingStage.GRANTED],
    ['montant_attribue', FundingStage.GRANTED],
    ['payé', FundingStage.PAID],
    ['versé', FundingStage.PAID],
    ['mandaté', FundingStage.PAID],
    ['perçu', FundingStage.PAID],
    ['perçues', FundingStage.PAID],
    ['montant_paye', FundingStage.PAID],
  ])('%j → %s', (text, value) => {
    expect(parseStage(text)).toEqual({ status: 'ok', value });
  });

  it('refuses unknown stages with the list', () => {
    expect(parseStage('montant')).toEqual({
      status: 'error',
      code: 'STAGE_UNKNOWN',
      message: "« montant » n'est pas une étape de financement connue : écrivez l'un de ces mots : prévu, demandé, attribué, payé.",
    });
    expect(parseStage('rêvé')).toMatchObject({ status: 'error', code: 'STAGE_UNKNOWN', message: expect.stringContaining('« rêvé »') });
  });
});

describe('parseInstrument', () => {
  it.each([
    ['Prêt', FundingInstrument.LOAN],
    ['prêts', FundingInstrument.LOAN],
    ['avance remboursable', FundingInstrument.LOAN],
    ['Subvention', FundingInstrument.SUBSIDY],
    ['subv.', FundingInstrument.SUBSIDY],
    ['Aide', FundingInstrument.SUBSIDY],
    ['Ingénierie', FundingInstrument.ENGINEERING],
    ['AMO', FundingInstrument.ENGINEERING],
    ['études', FundingInstrument.ENGINEERING],
    ['Fonds propres', FundingInstrument.OWN_FUNDS],
    ['autofinancement', FundingInstrument.OWN_FUNDS],
    ['exonération', FundingInstrument.TAX_RELIEF],
    ['dégrèvement', FundingInstrument.TAX_RELIEF],
    ['Autre', FundingInstrument.OTHER],
    ['autres', FundingInstrument.OTHER],
  ])('%j → %s', (text, value) => {
    expect(parseInstrument(text)).toEqual({ status: 'ok', value });
  });

  it('refuses unknown instruments with the list', () => {
    expect(parseInstrument('don')).toEqual({
      status: 'error',
      code: 'INSTRUMENT_UNKNOWN',
      message:
        "« don » n'est pas une nature de financement connue : écrivez l'un de ces mots : " +
        'subvention, prêt, ingénierie, fonds propres, exonération, autre.',
    });
  });
});

describe('parseCostBase', () => {
  it.each([
    ['HT', CostBase.HT],
    ['ht', CostBase.HT],
    ['H.T.', CostBase.HT],
    ['hors taxes', CostBase.HT],
    ['€ HT', CostBase.HT],
    ['TTC', CostBase.TTC],
    ['T.T.C', CostBase.TTC],
    ['toutes taxes comprises', CostBase.TTC],
  ])('%j → %s', (text, value) => {
    expect(parseCostBase(text)).toEqual({ status: 'ok', value });
  });

  it('refuses anything else with COST_BASE_UNKNOWN', () => {
    expect(parseCostBase('TVA')).toEqual({
      status: 'error',
      code: 'COST_BASE_UNKNOWN',
      message: "« TVA » n'est pas une base de coût connue : écrivez HT (hors taxes) ou TTC (toutes taxes comprises).",
    });
  });
});

describe('parseCreditNature', () => {
  it.each([
    ['Relance', 'RELANCE'],
    ['France Relance', 'RELANCE'],
    ['crédits du plan France Relance', 'RELANCE'],
    ['Crédits contractualisés', 'CONTRACTUALISED'],
    ['CONTRACTUALISÉ', 'CONTRACTUALISED'],
    ['Nouveaux engagements', 'CONTRACTUALISED'],
    ['Crédits valorisés', 'VALORISED'],
    ['Valorisé', 'VALORISED'],
    ['Engagement antérieur', 'VALORISED'],
    ['engagements antérieurs', 'VALORISED'],
  ])('%j → %s', (text, value) => {
    expect(parseCreditNature(text)).toEqual({ status: 'ok', value });
  });

  it('leaves an empty cell unsaid and refuses an unknown word with CREDIT_NATURE_UNKNOWN, in French', () => {
    expect(parseCreditNature('  ')).toEqual({ status: 'empty' });
    expect(parseCreditNature('crédits magiques')).toEqual({
      status: 'error',
      code: 'CREDIT_NATURE_UNKNOWN',
      message:
        "« crédits magiques » n'est pas une nature de crédits connue : écrivez « Relance » (plan France Relance), « Crédits contractualisés » (nouveaux engagements) ou « Crédits valorisés » (engagements antérieurs), ou laissez la cellule vide.",
    });
  });
});

describe('vocabulary data', () => {
  it('compares spellings without accents, case, punctuation, final s or e', () => {
    expect(vocabularyKey('Réalisées')).toBe(vocabularyKey('realise'));
    expect(vocabularyKey("  À l'étude ")).toBe(vocabularyKey('a l etude'));
    expect(vocabularyKey('en cours')).not.toBe(vocabularyKey('en cour de validation'));
  });

  it('gives every enum value at least one word, and no word two values', () => {
    const tables: Array<[Record<string, readonly string[]>, object]> = [
      [ACTION_STATUS_WORDS, ActionStatus],
      [FUNDING_STAGE_WORDS, FundingStage],
      [FUNDING_INSTRUMENT_WORDS, FundingInstrument],
      [COST_BASE_WORDS, CostBase],
    ];
    for (const [words, enumObject] of tables) {
      expect(Object.keys(words).sort()).toEqual(Object.values(enumObject).sort());
      for (const list of Object.values(words)) expect(list.length).toBeGreaterThan(0);
      // Building a vocabulary throws on a conflict.
      expect(() => new Vocabulary({ what: 'x', code: 'STATUS_UNKNOWN', words })).not.toThrow();
    }
    expect(ACTION_STATUS_VOCABULARY.accepted).toHaveLength(8);
  });

  it('refuses a spelling listed under two values', () => {
    expect(
      () => new Vocabulary({ what: 'x', code: 'STATUS_UNKNOWN', words: { A: ['en cours'], B: ['En Cours'] } }),
    ).toThrow(/both A and B/);
  });
});
