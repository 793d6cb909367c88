import { ClassType, Field, Int, ObjectType } from 'type-graphql';
import { GraphQLError } from 'graphql';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true, description: 'Curseur à passer dans `after` pour la page suivante' })
  endCursor: string | null;

  @Field()
  hasNextPage: boolean;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A cursor-paginated list type: `nodes`, `pageInfo` and `totalCount`. */
export function PageType<T extends object>(itemType: ClassType<T>, name: string) {
  @ObjectType(name)
  abstract class PageClass {
    @Field(() => [itemType])
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'Nombre total d’éléments correspondant au filtre' })
    totalCount: number;
  }
  return PageClass;
}

export function encodeCursor(id: number): string {
  return Buffer.from(`id:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^id:(\d+)$/.exec(decoded);
  if (!match) throw new GraphQLError('Curseur de pagination invalide.', { extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  return Number(match[1]);
}

/** A position in a list sorted by a value (not by id). */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`at:${offset}`, 'utf8').toString('base64url');
}

export function decodeOffsetCursor(cursor: string): number {
  const match = /^at:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new GraphQLError('Curseur de pagination invalide pour ce tri.', { extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  return Number(match[1]);
}

export function pageSize(first: number | undefined | null): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`La taille de page doit être comprise entre 1 et ${MAX_PAGE_SIZE}.`, {
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
  }
  return first;
}

/** Builds a page from rows fetched with `limit + 1` to know whether another page follows. */
export function toPage<T extends { id: number }>(rows: T[], limit: number, totalCount: number): Page<T> {
  const nodes = rows.slice(0, limit);
  return {
    nodes,
    totalCount,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: nodes.length ? encodeCursor(nodes[nodes.length - 1].id) : null },
  };
}

/** A page of a list sorted by a value, fetched with `limit + 1` rows from `offset`. */
export function toOffsetPage<T>(rows: T[], limit: number, totalCount: number, offset: number): Page<T> {
  const nodes = rows.slice(0, limit);
  return { nodes, totalCount, pageInfo: { hasNextPage: rows.length > limit, endCursor: nodes.length ? encodeOffsetCursor(offset + nodes.length) : null } };
}
