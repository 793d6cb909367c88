/**
 * Blank workbooks that partners fill in: for each kind of import, the header row of the layout the import
 * reads best, an example row (« ex : … », skipped by the import) and an « Aide » sheet that explains each
 * column and lists the accepted words. The word lists come from the import's own vocabulary data, so a
 * spelling added there shows up here.
 *
 * Only writing happens here: xlsx's known flaws concern parsing untrusted files, not building our own.
 */
import { xlsxLibrary } from '../kernel/xlsx-library';
import { FUNDER_COLUMNS } from '../../import/detect/column-roles.data';
import { ACTION_STATUS_WORDS, CREDIT_NATURE_WORDS, FUNDING_INSTRUMENT_WORDS } from '../../import/parse/values/vocabulary.data';
import { ActionStatus } from '../kernel/action-status.enum';
import { CreditNature } from '../kernel/credit-nature.enum';
import { FundingInstrument } from '../kernel/funding.enum';
import { ImportKind } from '../kernel/import-batch.enum';

export type TemplateKind = ImportKind.ANNEX3 | ImportKind.ANNEX2 | ImportKind.DOTATIONS | ImportKind.INDICATORS;

/** Grants lists are the State's national open data: nobody fills them in, so they have no template. */
export const TEMPLATE_KINDS: readonly TemplateKind[] = [ImportKind.ANNEX3, ImportKind.ANNEX2, ImportKind.DOTATIONS, ImportKind.INDICATORS];

export function isTemplateKind(kind: string): kind is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(kind);
}

export const DEFAULT_TEMPLATE_YEARS: readonly number[] = [2021, 2022, 2023, 2024, 2025, 2026];

export interface TemplateOptions {
  /** The contract's years, for the year columns and the examples (default 2021–2026). */
  years?: readonly number[];
  /** Dotations: the territories of the contract's perimeter, one amount column each (names as written in the header). */
  territories?: readonly string[];
  /** Shown in the « Aide » sheet when the template was made for one contract. */
  contractName?: string;
}

export interface ImportTemplate {
  fileName: string;
  /** The sheet to fill in (the first one). */
  sheetName: string;
  headers: string[];
  buffer: Buffer;
}

export const TEMPLATE_FILE_NAMES: Readonly<Record<TemplateKind, string>> = {
  annex3: 'modele-annexe3.xlsx',
  annex2: 'modele-annexe2.xlsx',
  dotations: 'modele-dotations.xlsx',
  indicators: 'modele-indicateurs.xlsx',
};

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The sheet a partner fills in is named this; the help sheet is AIDE_SHEET. */
export const DATA_SHEET_NAMES: Readonly<Record<TemplateKind, string>> = {
  annex3: 'Annexe 3',
  annex2: 'Annexe 2',
  dotations: 'Dotations',
  indicators: 'Indicateurs',
};
export const AIDE_SHEET = 'Aide';

interface TemplateColumn {
  header: string;
  /** The example row's cell, without its « ex : » prefix; empty for none. */
  example: string;
  required: 'oui' | 'non' | string;
  help: string;
  width?: number;
}

interface WordList {
  title: string;
  /** One row per value: how messages name it, then every other spelling accepted. */
  rows: Array<[string, string]>;
}

interface TemplateSpec {
  title: string;
  /** What one row of the table is, for the instructions: « une ligne par action ». */
  row: string;
  columns: TemplateColumn[];
  notes: string[];
  wordLists: WordList[];
}

// ---------------------------------------------------------------------------------------------------
// accepted words, from the import's vocabulary
// ---------------------------------------------------------------------------------------------------

function capitalise(word: string): string {
  return word.charAt(0).toLocaleUpperCase('fr-FR') + word.slice(1);
}

function wordRows<K extends string>(words: Readonly<Record<K, readonly string[]>>, order: readonly K[]): Array<[string, string]> {
  return order.map((key) => {
    const [first, ...others] = words[key];
    return [capitalise(first), others.join(', ')];
  });
}

export function statusWordList(): WordList {
  return { title: 'Valeurs acceptées — colonne « Statut »', rows: wordRows(ACTION_STATUS_WORDS, Object.values(ActionStatus)) };
}

export function instrumentWordList(): WordList {
  return { title: 'Valeurs acceptées — colonne « Nature »', rows: wordRows(FUNDING_INSTRUMENT_WORDS, Object.values(FundingInstrument)) };
}

export function creditNatureWordList(): WordList {
  return { title: 'Valeurs acceptées — colonne « Nature des crédits »', rows: wordRows(CREDIT_NATURE_WORDS, Object.values(CreditNature)) };
}

/** The programmes a dotations row may name (DETR, DSIL…), with their other spellings: the detector's own list. */
export function programmeWordList(): WordList {
  const rows: Array<[string, string]> = [];
  for (const spec of FUNDER_COLUMNS) {
    if (spec.descriptor === 'AS_WRITTEN' || !spec.descriptor.programme) continue;
    const [first, ...others] = spec.synonyms;
    rows.push([first, others.join(', ')]);
  }
  return { title: 'Valeurs acceptées — colonne « Dotation »', rows };
}

// ---------------------------------------------------------------------------------------------------
// the templates
// ---------------------------------------------------------------------------------------------------

const AMOUNT_NOTE =
  'Montants en euros : « 1 250 000 », « 1250000,50 », « 2,5 M€ » ou « 300 K€ » sont acceptés. Un montant qui peut se lire de deux façons (« 1,050 000 ») est refusé plutôt que deviné : écrivez « 1050000 ». Vide ou « - » : pas de montant.';

function annex3Spec(years: readonly number[]): TemplateSpec {
  const [first, second, third] = years;
  const yearColumns: TemplateColumn[] = years.map((year) => ({
    header: String(year),
    example: year === second ? '150 000' : year === third ? '350 000' : '',
    required: 'non',
    help: `Montant prévu par votre organisation pour l’action en ${year}, en euros. Une colonne par année du contrat${year === first ? ` (${years[0]} à ${years[years.length - 1]})` : ''}.`,
    width: 12,
  }));
  return {
    title: 'Modèle — Annexe 3 : investissements financés par votre organisation, par action et par année',
    row: 'une ligne par action',
    columns: [
      { header: 'N° action', example: 'DA-01', required: 'oui, ou l’intitulé', help: 'Le numéro de l’action dans le contrat (« DA-01 », « CCCO-07 »). Pour une action nouvelle, laissez-le vide ou proposez un code : elle sera créée à classer.', width: 12 },
      { header: "Intitulé de l'action", example: 'Rénovation énergétique de l’école Jean Moulin', required: 'oui, ou le n° action', help: 'Le nom de l’action, tel qu’il figure dans le contrat si elle y est.', width: 45 },
      { header: 'Orientation CRTE', example: '1.2', required: 'non', help: 'Le code de l’orientation du contrat à laquelle l’action se rattache (« 1.1 » à « 4.5 »).', width: 14 },
      { header: "Maître d'ouvrage", example: 'Ville de Douai', required: 'non', help: 'L’organisation qui porte l’action : son nom, son sigle, son SIREN ou le code INSEE de la commune.', width: 24 },
      { header: 'Coût total HT', example: '1 250 000', required: 'non', help: 'Le coût total de l’action hors taxes, en euros. Pour un coût TTC, renommez la colonne « Coût total TTC ».', width: 16 },
      { header: 'Nature', example: 'Subvention', required: 'non', help: 'La nature de votre financement : subvention, prêt, ingénierie… (liste ci-dessous). Vide : subvention.', width: 14 },
      {
        header: 'Nature des crédits',
        example: 'Crédits contractualisés',
        required: 'non',
        help: 'Comme le contrat les nomme : crédits du plan France Relance, crédits contractualisés (nouveaux engagements) ou crédits valorisés (engagements antérieurs rappelés) (liste ci-dessous). Vide : non précisé.',
        width: 20,
      },
      ...yearColumns,
      { header: 'Total', example: '500 000', required: 'non', help: 'La somme de la ligne, pour contrôle : elle n’est pas importée, mais un écart avec les années est signalé.', width: 12 },
      { header: 'Statut', example: 'En cours', required: 'non', help: 'L’avancement de l’action (liste ci-dessous).', width: 14 },
    ],
    notes: [
      'Le financeur de chaque montant est l’organisation qui dépose le fichier (la « source » indiquée au dépôt) ; les montants sont des montants prévus.',
      'Des lignes « Sous-total » ou « Total » peuvent s’intercaler : elles ne sont pas importées, mais leurs montants sont vérifiés.',
      AMOUNT_NOTE,
    ],
    wordLists: [instrumentWordList(), creditNatureWordList(), statusWordList()],
  };
}

function annex2Spec(): TemplateSpec {
  return {
    title: 'Modèle — Annexe 2 : bilan des mesures et appels à projets du plan de relance',
    row: 'une ligne par mesure',
    columns: [
      { header: 'Mesure', example: 'DSIL classique', required: 'oui', help: 'La mesure ou l’appel à projets du plan de relance. Une ligne dont la seule cellule est « I. Volet Compétitivité » (ou « Volet 2 … ») ouvre un volet.', width: 40 },
      { header: 'Projet', example: '3 communes', required: 'non', help: 'Les projets ou bénéficiaires, en texte libre (« 3 entreprises », « Ville de Douai »).', width: 40 },
      { header: 'Aide', example: '1 200 000', required: 'oui, ou l’investissement', help: 'Le montant de l’aide de l’État, en euros. Plusieurs montants dans une cellule (« 20 M€ en prêt et 5 M€ en subv. ») sont lus un à un.', width: 18 },
      { header: 'Investissement', example: '4 500 000', required: 'oui, ou l’aide', help: 'L’investissement total que l’aide soutient, en euros.', width: 18 },
      { header: 'Commentaire', example: '', required: 'non', help: 'Texte libre, non importé.', width: 30 },
    ],
    notes: [
      'Une mesure qui a plusieurs montants (un par année ou par site) les donne sur les lignes suivantes, la cellule « Mesure » laissée vide.',
      'Une ligne « TOTAL » peut clore un volet : elle n’est pas importée, mais son montant est vérifié.',
      AMOUNT_NOTE,
    ],
    wordLists: [],
  };
}

function dotationsSpec(years: readonly number[], territories: readonly string[]): TemplateSpec {
  const names = territories.length ? territories : ['EPCI 1', 'EPCI 2'];
  const examples = ['250 000', '150 000'];
  return {
    title: 'Modèle — Dotations de l’État perçues, par année, dotation et territoire',
    row: 'une ligne par année et par dotation',
    columns: [
      { header: 'Année', example: String(years[years.length > 2 ? 2 : 0]), required: 'oui', help: 'L’année de perception, sur quatre chiffres. Elle peut être fusionnée sur les lignes de ses dotations.', width: 10 },
      { header: 'Dotation', example: 'DETR', required: 'oui', help: 'La dotation ou le fonds (liste ci-dessous).', width: 20 },
      ...names.map(
        (name, index): TemplateColumn => ({
          header: `Territoire de ${name}`,
          example: examples[index] ?? '',
          required: 'oui',
          help: territories.length
            ? `Le montant perçu sur le territoire de ${name}, en euros.`
            : `Le montant perçu sur le territoire d’un EPCI du contrat, en euros : remplacez « ${name} » par le nom de l’EPCI (« Territoire de Douaisis Agglo »).`,
          width: 22,
        }),
      ),
      { header: 'Total', example: '', required: 'non', help: 'La somme de la ligne, pour contrôle : elle n’est pas importée, mais un écart est signalé.', width: 14 },
    ],
    notes: [
      'Les montants sont des dotations perçues (payées) ; le bénéficiaire est l’EPCI de la colonne.',
      'Des lignes « TOTAL » (par année, ou pour toute la période) peuvent s’intercaler : elles ne sont pas importées, mais leurs montants sont vérifiés.',
      AMOUNT_NOTE,
    ],
    wordLists: [programmeWordList()],
  };
}

function indicatorsSpec(years: readonly number[]): TemplateSpec {
  const last = years[years.length - 1];
  return {
    title: 'Modèle — Indicateurs de suivi des actions et des orientations',
    row: 'une ligne par indicateur et par année',
    columns: [
      { header: 'Code action', example: 'DA-01', required: 'oui, ou l’orientation', help: 'Le numéro de l’action à laquelle l’indicateur se rattache (« DA-01 »).', width: 12 },
      { header: 'Orientation', example: '', required: 'oui, si pas d’action', help: 'Pour un indicateur d’orientation : le code de l’orientation (« 2.1 »), le code action restant vide.', width: 12 },
      { header: 'Code indicateur', example: 'DA-01-SURF', required: 'non', help: 'Un code court et unique dans le contrat (40 caractères au plus). S’il manque, l’indicateur est reconnu par son action et son intitulé.', width: 16 },
      { header: 'Indicateur', example: 'Surface de bâtiments publics rénovée', required: 'oui', help: 'L’intitulé de l’indicateur (255 caractères au plus).', width: 40 },
      { header: 'Unité', example: 'm²', required: 'recommandé', help: 'L’unité des valeurs, en texte libre : m², km, logements, tCO2e, %… Les valeurs s’écrivent sans unité.', width: 10 },
      { header: 'Valeur de référence', example: '0', required: 'non', help: 'La situation de départ, un nombre.', width: 14 },
      { header: 'Année de référence', example: String(years[0]), required: 'non', help: 'L’année de la valeur de référence, sur quatre chiffres.', width: 14 },
      { header: 'Cible', example: '5000', required: 'non', help: 'La valeur visée à l’échéance, un nombre.', width: 10 },
      { header: 'Année cible', example: String(last), required: 'non', help: 'L’année à laquelle la cible doit être atteinte.', width: 12 },
      { header: 'Année', example: String(years[Math.min(1, years.length - 1)]), required: 'oui dès qu’il y a une valeur', help: 'L’année de la valeur de la ligne, sur quatre chiffres.', width: 10 },
      { header: 'Valeur', example: '1250,5', required: 'non', help: 'La valeur de l’indicateur cette année-là, un nombre (virgule ou point décimal). Vide, « - », « nc » : pas de valeur.', width: 10 },
      { header: 'Type (cible/réalisé)', example: 'réalisé', required: 'non', help: '« réalisé » pour une valeur constatée, « cible » pour une étape visée. Vide : réalisé.', width: 16 },
      { header: 'Source', example: 'Services techniques', required: 'non', help: 'D’où vient la donnée ; lue pour information, non enregistrée.', width: 20 },
      { header: 'Commentaire', example: '', required: 'non', help: 'Texte libre, non enregistré.', width: 30 },
    ],
    notes: [
      'Un indicateur suivi sur plusieurs années occupe une ligne par année ; ses colonnes descriptives (intitulé, unité, référence, cible) sont recopiées ou remplies sur la première ligne seulement.',
      'Une même valeur (indicateur, année, type) donnée deux fois avec des nombres différents est refusée.',
    ],
    wordLists: [],
  };
}

function specOf(kind: TemplateKind, options: TemplateOptions): TemplateSpec {
  const years = options.years?.length ? options.years : DEFAULT_TEMPLATE_YEARS;
  switch (kind) {
    case ImportKind.ANNEX3:
      return annex3Spec(years);
    case ImportKind.ANNEX2:
      return annex2Spec();
    case ImportKind.DOTATIONS:
      return dotationsSpec(years, options.territories ?? []);
    case ImportKind.INDICATORS:
      return indicatorsSpec(years);
  }
}

// ---------------------------------------------------------------------------------------------------
// the workbook
// ---------------------------------------------------------------------------------------------------

function aideRows(kind: TemplateKind, spec: TemplateSpec, options: TemplateOptions): string[][] {
  const dataSheet = DATA_SHEET_NAMES[kind];
  const rows: string[][] = [[spec.title]];
  if (options.contractName) rows.push([`Contrat : ${options.contractName}`]);
  rows.push(
    [],
    ['Comment remplir ce modèle'],
    [`Remplissez l’onglet « ${dataSheet} », ${spec.row}, sous la ligne d’en-têtes.`],
    ['La ligne qui commence par « ex : » est un exemple : l’import l’ignore. Vous pouvez la laisser ou l’effacer.'],
    ['Gardez les intitulés des en-têtes : l’ordre des colonnes peut changer, une colonne facultative peut être retirée.'],
    ...spec.notes.map((note) => [note]),
    [`Déposez le fichier sur la page d’import, ou par l’API : POST /api/imports (champs « file », « kind » = ${kind}, « source » = votre organisation, « dryRun » = true pour un aperçu sans rien enregistrer).`],
    ['Chaque anomalie est signalée avec sa cellule ; un fichier qui contient une erreur ne modifie rien : corrigez les cellules indiquées et déposez-le à nouveau.'],
    [],
    ['Colonne', 'Obligatoire', 'Contenu', 'Exemple'],
    ...spec.columns.map((column) => [column.header, column.required, column.help, column.example]),
  );
  for (const list of spec.wordLists) {
    rows.push([], [list.title], ['Valeur', 'Autres écritures acceptées (majuscules et accents indifférents)'], ...list.rows);
  }
  return rows;
}

/** The blank workbook of one kind: the table to fill in, then the « Aide » sheet. */
export function buildImportTemplate(kind: TemplateKind, options: TemplateOptions = {}): ImportTemplate {
  const spec = specOf(kind, options);
  const headers = spec.columns.map((column) => column.header);
  const example = spec.columns.map((column) => (column.example ? `ex : ${column.example}` : null));
  const data = xlsxLibrary().utils.aoa_to_sheet([headers, example]);
  data['!cols'] = spec.columns.map((column) => ({ wch: column.width ?? Math.max(12, column.header.length + 2) }));

  const aide = xlsxLibrary().utils.aoa_to_sheet(aideRows(kind, spec, options));
  aide['!cols'] = [{ wch: 28 }, { wch: 22 }, { wch: 100 }, { wch: 36 }];

  const book = xlsxLibrary().utils.book_new();
  xlsxLibrary().utils.book_append_sheet(book, data, DATA_SHEET_NAMES[kind]);
  xlsxLibrary().utils.book_append_sheet(book, aide, AIDE_SHEET);
  book.Props = { Title: spec.title, Author: 'CRTE', Language: 'fr-FR' };
  const buffer = xlsxLibrary().write(book, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
  return { fileName: TEMPLATE_FILE_NAMES[kind], sheetName: DATA_SHEET_NAMES[kind], headers, buffer };
}
