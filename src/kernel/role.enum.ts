/** admin: everything; editor: writes for its own organisation only; reader: never writes. */
export enum Role {
  admin = 'admin',
  editor = 'editor',
  reader = 'reader',
}
