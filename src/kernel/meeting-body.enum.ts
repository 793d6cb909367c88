/** The two bodies that steer a CRTE: the technical committee prepares, the steering committee decides. */
export enum MeetingBody {
  /** Comité technique: the services of the State and of the territory. */
  COTECH = 'COTECH',
  /** Comité de pilotage: the signatories, chaired by the préfet or sous-préfet; it looks at the yearly review. */
  COPIL = 'COPIL',
}
