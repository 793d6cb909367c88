/**
 * admin: everything; editor: writes for its own organisation only; reader: never writes.
 * The keys are the GraphQL names (ADMIN…); the values are what api_token.role stores and `crte token --role` takes.
 */
export enum Role {
  ADMIN = 'admin',
  EDITOR = 'editor',
  READER = 'reader',
}
