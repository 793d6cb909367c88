/**
 * The nature of the credits a funding line is, as a CRTE's « Engagements des partenaires » names them:
 * « des crédits du plan France Relance ; des crédits contractualisés (nouveaux engagements) ; des crédits
 * valorisés (rappels des engagements antérieurs et des dispositifs articulés non intégrés) ». A line whose
 * file or entry does not say it has none (NULL): it is never guessed.
 */
export enum CreditNature {
  /** Crédits du plan France Relance. */
  RELANCE = 'RELANCE',
  /** Crédits contractualisés: new commitments made for the contract. */
  CONTRACTUALISED = 'CONTRACTUALISED',
  /** Crédits valorisés: earlier commitments and linked schemes, recalled in the contract. */
  VALORISED = 'VALORISED',
}
