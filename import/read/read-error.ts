/**
 * The one error the "read" stage throws: the uploaded file cannot be turned into a grid of cells at all.
 * Its message is written for the partner who sent the file (in French, saying what to do); `detail` keeps
 * the technical cause for the logs and is never shown to the partner.
 */
import type { IssueCode } from '../common/issue-codes';
import type { IssueDraft } from '../common/model';

export type ReadErrorCode = Extract<
  IssueCode,
  | 'FILE_EMPTY'
  | 'FILE_TOO_LARGE'
  | 'FILE_CORRUPT'
  | 'FILE_ENCRYPTED'
  | 'FILE_NOT_SPREADSHEET'
  | 'FILE_ZIP_BOMB'
  | 'FILE_TIMEOUT'
  | 'FILE_TOO_COMPLEX'
>;

export const READ_ERROR_CODES: readonly ReadErrorCode[] = [
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'FILE_CORRUPT',
  'FILE_ENCRYPTED',
  'FILE_NOT_SPREADSHEET',
  'FILE_ZIP_BOMB',
  'FILE_TIMEOUT',
  'FILE_TOO_COMPLEX',
];

const ACCEPTED = 'Les formats acceptés sont .xlsx (Excel), .ods (LibreOffice, OpenOffice) et .csv.';

/** The default message of each code, used when the place that detects the problem has nothing more precise to say. */
export const READ_ERROR_MESSAGES: Record<ReadErrorCode, string> = {
  FILE_EMPTY:
    'Le fichier est vide : il ne contient aucune donnée. Vérifiez que vous avez enregistré le tableau avant de le ' +
    'déposer, puis déposez-le à nouveau.',
  FILE_TOO_LARGE:
    'Le fichier est trop volumineux pour être importé. Supprimez les onglets inutiles, les images et les lignes ' +
    'vides mises en forme, ou découpez-le en plusieurs fichiers, puis déposez-le à nouveau.',
  FILE_CORRUPT:
    'Le fichier est endommagé ou incomplet et ne peut pas être lu. Ouvrez-le dans Excel ou LibreOffice, ' +
    'enregistrez-le à nouveau (au format .xlsx, .ods ou .csv), puis déposez-le à nouveau.',
  FILE_ENCRYPTED:
    'Le fichier est protégé par un mot de passe : enregistrez-le sans mot de passe puis déposez-le à nouveau.',
  FILE_NOT_SPREADSHEET: `Ce fichier n'est pas un tableur. ${ACCEPTED}`,
  FILE_ZIP_BOMB:
    "Le fichier annonce un contenu décompressé anormalement volumineux : par précaution, il n'a pas été ouvert. " +
    'Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau, et découpez-le s’il contient réellement ' +
    'autant de données.',
  FILE_TIMEOUT:
    'La lecture du fichier a pris trop de temps et a été interrompue. Allégez-le (onglets inutiles, mises en ' +
    'forme appliquées à des lignes ou colonnes entières, très nombreuses formules) ou découpez-le, puis ' +
    'déposez-le à nouveau.',
  FILE_TOO_COMPLEX:
    'Le fichier est trop volumineux ou trop complexe pour être lu. Supprimez les onglets, images et mises en ' +
    'forme inutiles, ou découpez-le en plusieurs fichiers, puis déposez-le à nouveau.',
};

export class ReadError extends Error {
  readonly code: ReadErrorCode;
  /** Technical cause, for logs only. */
  readonly detail?: string;

  constructor(code: ReadErrorCode, message?: string, options?: { detail?: string; cause?: unknown }) {
    super(message ?? READ_ERROR_MESSAGES[code], options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ReadError';
    this.code = code;
    if (options?.detail !== undefined) this.detail = options.detail;
  }

  /** The error as the import preview shows it: a whole-file ERROR. */
  toIssue(): IssueDraft {
    return { severity: 'ERROR', code: this.code, message: this.message, sheet: null, cell: null, value: null };
  }
}

export function isReadError(error: unknown): error is ReadError {
  return error instanceof ReadError;
}

/** '20 Mo', '1,5 Go' — sizes as a French reader expects them. */
export function formatBytes(bytes: number): string {
  const units = ['octets', 'Ko', 'Mo', 'Go', 'To'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 ? String(Math.round(value)) : (Math.round(value * 10) / 10).toString().replace('.', ',');
  return `${rounded} ${units[unit]}`;
}

/** Precise messages for the cases the stage tells apart. */
export const readMessages = {
  tooLarge: (size: number, max: number) =>
    `Le fichier pèse ${formatBytes(size)}, au-delà de la limite de ${formatBytes(max)}. Supprimez les onglets ` +
    'inutiles, les images et les lignes vides mises en forme, ou découpez-le en plusieurs fichiers, puis ' +
    'déposez-le à nouveau.',
  noVisibleSheet: (hidden: number) =>
    `Le fichier ne contient aucun onglet visible (${hidden} onglet${hidden > 1 ? 's' : ''} masqué${hidden > 1 ? 's' : ''}). ` +
    "Affichez l'onglet à importer (clic droit sur un onglet, « Afficher »), enregistrez, puis déposez le fichier à nouveau.",
  noCell: () =>
    'Le fichier ne contient aucune cellule remplie dans ses onglets visibles. Vérifiez que vous avez déposé le ' +
    'bon fichier, enregistré après la saisie.',
  pdf: () =>
    `Le fichier est un document PDF, qui ne peut pas être importé. Déposez le tableau d'origine. ${ACCEPTED}`,
  image: () => `Le fichier est une image, qui ne peut pas être importée. ${ACCEPTED}`,
  word: () =>
    `Le fichier est un document de traitement de texte (Word ou Writer), pas un tableur. ${ACCEPTED}`,
  presentation: () => `Le fichier est une présentation (PowerPoint ou Impress), pas un tableur. ${ACCEPTED}`,
  archive: () =>
    "Le fichier est une archive compressée (.zip, .7z, .rar…) et non un tableur : extrayez-en le tableau et " +
    'déposez celui-ci seul.',
  emptyArchive: () => "Le fichier est une archive ZIP vide : il ne contient aucun tableau.",
  legacyXls: () =>
    "Le fichier est au format Excel 97-2003 (.xls), qui n'est pas accepté. Ouvrez-le dans Excel ou LibreOffice, " +
    'choisissez « Enregistrer sous » au format .xlsx (Classeur Excel), puis déposez ce nouveau fichier.',
  xlsb: () =>
    "Le fichier est au format Excel binaire (.xlsb), qui n'est pas accepté. Ouvrez-le dans Excel, choisissez " +
    '« Enregistrer sous » au format .xlsx (Classeur Excel), puis déposez ce nouveau fichier.',
  otherOpenDocument: () =>
    `Le fichier est un document OpenDocument qui n'est pas un classeur (texte, présentation ou dessin). ${ACCEPTED}`,
  htmlOrXml: () =>
    "Le fichier est une page web (HTML) ou un document XML, souvent produit par un logiciel qui l'a nommé " +
    '« .xls » : ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format .xlsx, puis déposez ce nouveau fichier.',
  binary: () => `Le contenu du fichier n'est ni un classeur ni un texte CSV. ${ACCEPTED}`,
  binaryWithSpreadsheetName: (extension: string) =>
    `Le fichier porte l'extension .${extension} mais son contenu ne correspond pas à ce format : il est ` +
    'probablement endommagé. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau, puis déposez-le à nouveau.',
  truncatedZip: () =>
    'Le fichier est incomplet ou endommagé (sa structure interne est tronquée) : il a peut-être été mal ' +
    'téléchargé ou mal copié. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau, puis déposez-le à nouveau.',
  zipBomb: (declared: number, max: number) =>
    `Le fichier annonce ${formatBytes(declared)} de données une fois décompressé, au-delà de la limite de ` +
    `${formatBytes(max)} : par précaution, il n'a pas été ouvert. Supprimez les onglets, images et mises en forme ` +
    'inutiles ou découpez-le, puis déposez-le à nouveau.',
  zipRatio: (name: string) =>
    `Le fichier contient un élément interne (« ${name} ») dont le taux de compression est anormal : par ` +
    "précaution, il n'a pas été ouvert. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau, puis " +
    'déposez-le à nouveau.',
  timeout: (ms: number) =>
    `La lecture du fichier a dépassé le temps autorisé (${Math.max(1, Math.round(ms / 1000))} s) et a été ` +
    'interrompue. Allégez-le (onglets inutiles, mises en forme appliquées à des lignes ou colonnes entières, très ' +
    'nombreuses formules) ou découpez-le, puis déposez-le à nouveau.',
  sharedStringsTooLarge: (declared: number, max: number) =>
    `Le classeur déclare ${formatBytes(declared)} de textes partagés, au-delà de la limite de ${formatBytes(max)} : ` +
    "par précaution, il n'a pas été ouvert. Supprimez les onglets et les textes inutiles ou découpez le classeur en " +
    'plusieurs fichiers, puis déposez-le à nouveau.',
  csvTooManyRows: (max: number) =>
    `Le fichier CSV compte plus de ${max.toLocaleString('fr-FR')} lignes, au-delà de la limite : découpez-le en ` +
    'plusieurs fichiers, puis déposez-les l’un après l’autre.',
  csvUnclosedQuote: (line: number) =>
    `Le fichier CSV contient, ligne ${line}, un guillemet (") ouvert qui n'est jamais refermé : tout le reste du ` +
    'fichier serait lu comme une seule cellule. Corrigez cette ligne (ou enregistrez à nouveau le fichier depuis ' +
    'votre tableur), puis déposez-le à nouveau.',
} as const;
