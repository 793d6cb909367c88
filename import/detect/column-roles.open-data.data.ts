/**
 * DATA — headers of two families of public files, kept apart from column-roles.data.ts (which spreads
 * them into its kinds) so that each family reads as one block.
 *
 * ─── Kind `grants`, layout `scdl` — the open-data grants format (SCDL « subventions », décret 2017-779)
 * Published by ADEME, Régions, Départements for every grant over 23 000 €, one row per grant:
 *
 *   nomAttribuant | idAttribuant | dateConvention | referenceDecision | nomBeneficiaire | idBeneficiaire |
 *   objet | montant | nature | conditionsVersement | datesPeriodeVersement | idRAE | notificationUE |
 *   pourcentageSubvention
 *
 * Schema 2.1 adds `rnaBeneficiaire` (after `idBeneficiaire`) and `dispositifAide` (last), both unread.
 * `idAttribuant` and `idBeneficiaire` are SIRETs (14 digits, the first nine the SIREN); `montant` has a
 * decimal point; `dateConvention` is ISO (2023-05-12). Hand-made copies write « Nom de l attribuant »,
 * French dates and decimal commas; some publish the schema's labels (« Objet de la subvention »,
 * « Identifiant RAE », « Pourcentage de la subvention ») instead of its names. The columns nobody reads
 * here (`nature`, `conditionsVersement`…) are known, so they raise no COLUMN_UNKNOWN.
 *
 * ─── Kind `indicators`, layout `indicators-pairs` — indicator tables of value/year pairs ──────────────
 *
 *   N° Mesure (or N° action) | Nom de l'indicateur (unit in parentheses) | Valeur 1 | Année 1 |
 *   Commentaires 1 | … | Valeur 4 | Année 4 | Commentaires 4
 */
import type { RoleSpec } from './types';

export const SCDL_GRANT_ROLES: readonly RoleSpec[] = [
  { role: 'grantor', label: "Nom de l'attribuant", synonyms: ['nomAttribuant', "Nom de l'attribuant", 'Attribuant', 'Nom attribuant', 'Organisme attribuant'], expects: 'text' },
  { role: 'grantorId', label: "Identifiant de l'attribuant", synonyms: ['idAttribuant', "Identifiant de l'attribuant", "SIRET de l'attribuant", 'id attribuant'], expects: 'text' },
  { role: 'agreementDate', label: 'Date de la convention', synonyms: ['dateConvention', 'Date de convention', 'Date de la convention', 'date convention'], expects: 'any' },
  { role: 'decisionReference', label: 'Référence de la décision', synonyms: ['referenceDecision', 'Référence de la décision', 'Référence décision', 'reference decision'], expects: 'text' },
  { role: 'beneficiary', label: 'Bénéficiaire', synonyms: ['nomBeneficiaire', 'Nom bénéficiaire'], expects: 'text' },
  { role: 'sirenCode', label: 'SIRET du bénéficiaire', synonyms: ['idBeneficiaire', 'Identifiant du bénéficiaire', 'SIRET du bénéficiaire', 'SIRET bénéficiaire', 'SIRET'], expects: 'text' },
  { role: 'amount', label: 'Montant', synonyms: ['montant'], expects: 'number' },
  { role: 'rate', label: 'Taux de subvention', synonyms: ['pourcentageSubvention', 'Pourcentage de subvention', 'Pourcentage de la subvention', 'Pourcentage subvention'], expects: 'number' },
  {
    role: 'ignored',
    label: 'Colonne non lue',
    synonyms: ['nature', 'conditionsVersement', 'Conditions de versement', 'datesPeriodeVersement', 'Dates de la période de versement', 'Dates période versement', 'idRAE', 'Identifiant RAE', 'notificationUE', 'Notification UE', 'Nature de la subvention',
      // Schema 2.1: an association's RNA number (never a commune nor an EPCI), the aid scheme.
      'rnaBeneficiaire', 'dispositifAide'],
    expects: 'any',
    repeatable: true,
    weak: true,
  },
];

export const INDICATOR_PAIR_ROLES: readonly RoleSpec[] = [
  { role: 'actionCode', label: 'N° mesure', synonyms: ['N° Mesure', 'N° de mesure', 'Numéro de mesure', 'Numéro mesure', 'Mesure n°', 'Code mesure', "N° de l'action"], expects: 'text' },
  { role: 'pairValue', label: 'Valeur n', synonyms: [], prefixes: ['Valeur', 'Valeur n°'], capture: 'index', expects: 'number', repeatable: true },
  { role: 'pairYear', label: 'Année n', synonyms: [], prefixes: ['Année', 'Année n°', 'Année de la valeur'], capture: 'index', expects: 'year', repeatable: true },
  { role: 'pairComment', label: 'Commentaires n', synonyms: [], prefixes: ['Commentaires', 'Commentaire', 'Commentaires n°', 'Commentaire n°'], capture: 'index', expects: 'any', repeatable: true, weak: true },
];
