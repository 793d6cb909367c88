import { graphql, GraphQLList, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, GraphQLString } from 'graphql';
import { Arg, Authorized, AuthChecker, buildSchema, Ctx, Field, FieldResolver, getMetadataStorage, ID, Info, InputType, Int, MiddlewareFn, ObjectType, Query, registerEnumType, Resolver, Root, UseMiddleware } from 'type-graphql';
import { buildStreamlinedSchema } from '../../src/server/fast-resolvers';
import { preloadFields } from '../../src/server/preloaded-fields';

/**
 * src/server/fast-resolvers.ts replaces type-graphql's field resolvers with its own, from what it reads of
 * type-graphql's internals. This builds one small schema both ways and checks that what it reads is still
 * there, with the shape it expects, that the fields it should replace are replaced, and that both schemas
 * answer the same: a type-graphql that changes under it fails here.
 */

const upper: MiddlewareFn = async (_data, next) => String(await next()).toUpperCase();

@ObjectType()
class Shelf {
  @Field(() => ID)
  id: string;

  @Field({ name: 'label' })
  title: string;

  @Field(() => Int)
  count: number;

  @Field()
  @UseMiddleware(upper)
  shout: string;

  @Authorized('ADMIN')
  @Field()
  secret: string;
}

enum Shade {
  LIGHT = 'light',
  DARK = 'dark',
}
registerEnumType(Shade, { name: 'Shade' });

/** An input object: type-graphql copies it into its class for @Arg, so the field keeps its resolver. */
@InputType()
class CountRange {
  @Field(() => Int)
  min: number;

  @Field(() => Int)
  max: number;
}

interface ShelfContext {
  reader: string;
  roles: string[];
}

function shelf(id: string, count: number): Shelf {
  return Object.assign(new Shelf(), { id, title: `Étagère ${id}`, count, shout: `crie ${id}`, secret: `secret ${id}` });
}

@Resolver(() => Shelf)
class ShelfResolver {
  @Query(() => [Shelf])
  shelves(): Shelf[] {
    return [shelf('a', 2), shelf('b', 5)];
  }

  /** Plain objects, not Shelf instances: type-graphql copies them into Shelf for @Root. */
  @Query(() => [Shelf])
  plainShelves(): Shelf[] {
    return [{ ...shelf('c', 7) }];
  }

  @FieldResolver(() => String)
  summary(@Root() root: Shelf, @Ctx() context: ShelfContext, @Info() info: GraphQLResolveInfo): string {
    return `${root.title} (${root.count}, ${root instanceof Shelf ? 'Shelf' : 'plain'}) pour ${context.reader}, champ ${info.fieldName}`;
  }

  @FieldResolver(() => String)
  reader(@Ctx('reader') reader: string): string {
    return reader;
  }

  @FieldResolver(() => Int)
  plus(@Root() root: Shelf, @Arg('n', () => Int) n: number): number {
    return root.count + n;
  }

  /** A scalar argument that may be absent (as `asOf` on the contract's tree). */
  @FieldResolver(() => String)
  seenOn(@Root() root: Shelf, @Arg('day', () => String, { nullable: true }) day?: string): string {
    return `${root.id} le ${day ?? 'aujourd’hui'}`;
  }

  /** An enum argument, and a list of them (as `fundingTotal(stage:)` and `groupBy:`). */
  @FieldResolver(() => String)
  shaded(@Root() root: Shelf, @Arg('shade', () => Shade) shade: Shade, @Arg('also', () => [Shade], { nullable: true }) also?: Shade[]): string {
    return `${root.id} ${shade} ${(also ?? []).join('+')}`;
  }

  @FieldResolver(() => Boolean)
  within(@Root() root: Shelf, @Arg('range') range: CountRange): boolean {
    return range instanceof CountRange && root.count >= range.min && root.count <= range.max;
  }
}

const authChecker: AuthChecker<ShelfContext> = ({ context }, roles) => roles.every((role) => context.roles.includes(role));
const options = { resolvers: [ShelfResolver] as [typeof ShelfResolver], authChecker, validate: false };
const VALIDATING = { ...options, validate: true };

const QUERY = `{
  shelves { id label count shout summary reader plus(n: 3) seenOn seenOn2: seenOn(day: "2024-03-15") within(range: { min: 3, max: 9 }) shaded(shade: DARK, also: [LIGHT, DARK]) }
  plainShelves { id label count shout summary reader plus(n: 1) seenOn within(range: { min: 0, max: 9 }) }
}`;
const SECRET = '{ shelves { id secret } }';

async function run(schema: GraphQLSchema, source: string, roles: string[]) {
  return graphql({ schema, source, contextValue: { reader: 'Camille', roles } satisfies ShelfContext });
}

let generic: GraphQLSchema;
let streamlined: GraphQLSchema;

beforeAll(async () => {
  generic = await buildSchema(options);
  streamlined = await buildStreamlinedSchema(options);
});

function fieldsOf(schema: GraphQLSchema) {
  return (schema.getType('Shelf') as GraphQLObjectType).getFields();
}

describe('the internals of type-graphql that fast-resolvers.ts reads', () => {
  it('keeps, after a build, the object types’ fields with their middlewares and roles in the global metadata storage', () => {
    const storage = getMetadataStorage();
    const metadata = storage.objectTypes.find((objectType) => objectType.name === 'Shelf');
    expect(metadata?.target).toBe(Shelf);
    const fields = Object.fromEntries((metadata?.fields ?? []).map((field) => [field.name, field]));
    // The resolver class's field resolvers are added to the type's fields by the build: the loop over
    // these fields is what finds them.
    expect(Object.keys(fields).sort()).toEqual(['count', 'id', 'plus', 'reader', 'secret', 'seenOn', 'shaded', 'shout', 'summary', 'title', 'within']);
    expect(fields.title).toMatchObject({ name: 'title', schemaName: 'label', target: Shelf, middlewares: [] });
    expect(fields.count.roles).toBeUndefined();
    expect(fields.shout.middlewares).toEqual([upper]);
    expect(fields.secret.roles).toEqual(['ADMIN']);
  });

  it('keeps the field resolvers with their kind, object type, middlewares, roles and parameters', () => {
    const resolvers = Object.fromEntries(getMetadataStorage().fieldResolvers.filter((resolver) => resolver.target === ShelfResolver).map((resolver) => [resolver.methodName, resolver]));
    expect(Object.keys(resolvers).sort()).toEqual(['plus', 'reader', 'seenOn', 'shaded', 'summary', 'within']);
    for (const resolver of Object.values(resolvers)) {
      expect(resolver.kind).toBe('external');
      expect(resolver.getObjectType?.()).toBe(Shelf);
      expect(resolver.middlewares).toEqual([]);
      expect(resolver.roles).toBeUndefined();
    }
    const params = (name: string) => [...(resolvers[name].params ?? [])].sort((a, b) => a.index - b.index).map((param) => ({ kind: param.kind, index: param.index, propertyName: (param as { propertyName?: string }).propertyName }));
    expect(params('summary')).toEqual([
      { kind: 'root', index: 0, propertyName: undefined },
      { kind: 'context', index: 1, propertyName: undefined },
      { kind: 'info', index: 2, propertyName: undefined },
    ]);
    expect(params('reader')).toEqual([{ kind: 'context', index: 0, propertyName: 'reader' }]);
    expect(params('plus').map((param) => param.kind)).toEqual(['root', 'arg']);
    // An @Arg: its name, its type, and no validation of its own (what isPlainScalarArg reads).
    const arg = (name: string) => resolvers[name].params!.find((param) => param.kind === 'arg') as { name?: string; getType?: () => unknown; validateSettings?: unknown; validateFn?: unknown };
    expect(arg('plus')).toMatchObject({ name: 'n', validateSettings: undefined, validateFn: undefined });
    expect(arg('plus').getType?.()).toBe(Int);
    expect(arg('seenOn').getType?.()).toBe(String);
    expect(arg('within').getType?.()).toBe(CountRange);
    // An enum's argument: its type is the enum's object, which the storage lists among the registered enums.
    expect(arg('shaded').getType?.()).toBe(Shade);
    expect(getMetadataStorage().enums.some((registered) => registered.enumObj === Shade)).toBe(true);
    const root = resolvers.summary.params!.find((param) => param.kind === 'root') as { getType?: () => unknown };
    expect(root.getType?.()).toBe(Shelf);
  });
});

describe('buildStreamlinedSchema', () => {
  it('replaces the resolvers of plain fields and of simple field resolvers, and keeps the others', () => {
    const fields = fieldsOf(streamlined);
    // Plain properties: graphql-js's default resolver, or a read of the renamed property.
    expect(fields.id.resolve).toBeUndefined();
    expect(fields.count.resolve).toBeUndefined();
    expect(fields.label.resolve?.({ title: 'lu' }, {}, {}, {} as GraphQLResolveInfo)).toBe('lu');
    // Field resolvers with @Root, @Ctx, @Info and scalar @Arg only: called directly.
    for (const name of ['summary', 'reader', 'plus', 'seenOn', 'shaded']) expect(fields[name].resolve?.name).toBe('direct');
    // Input-object arguments, middlewares and roles: type-graphql's own resolver.
    for (const name of ['within', 'shout', 'secret']) {
      expect(fields[name].resolve).toBeDefined();
      expect(fields[name].resolve?.name).not.toBe('direct');
    }
    expect(fieldsOf(generic).id.resolve).toBeDefined();
  });

  it('leaves arguments to type-graphql when it validates them', async () => {
    const validating = fieldsOf(await buildStreamlinedSchema(VALIDATING));
    for (const name of ['plus', 'seenOn', 'shaded']) expect(validating[name].resolve?.name).not.toBe('direct');
    expect(validating.summary.resolve?.name).toBe('direct');
  });

  it('answers as type-graphql does, for instances and for plain objects', async () => {
    const expected = await run(generic, QUERY, []);
    expect(expected.errors).toBeUndefined();
    expect(await run(streamlined, QUERY, [])).toEqual(expected);
    expect(expected.data).toEqual({
      shelves: [
        { id: 'a', label: 'Étagère a', count: 2, shout: 'CRIE A', summary: 'Étagère a (2, Shelf) pour Camille, champ summary', reader: 'Camille', plus: 5, seenOn: 'a le aujourd’hui', seenOn2: 'a le 2024-03-15', within: false, shaded: 'a dark light+dark' },
        { id: 'b', label: 'Étagère b', count: 5, shout: 'CRIE B', summary: 'Étagère b (5, Shelf) pour Camille, champ summary', reader: 'Camille', plus: 8, seenOn: 'b le aujourd’hui', seenOn2: 'b le 2024-03-15', within: true, shaded: 'b dark light+dark' },
      ],
      // type-graphql copies a plain root into its class: the direct call leaves that to it.
      plainShelves: [{ id: 'c', label: 'Étagère c', count: 7, shout: 'CRIE C', summary: 'Étagère c (7, Shelf) pour Camille, champ summary', reader: 'Camille', plus: 8, seenOn: 'c le aujourd’hui', within: true }],
    });
  });

  it('leaves @Authorized fields to the auth checker', async () => {
    const allowed = await run(generic, SECRET, ['ADMIN']);
    expect(allowed.data).toEqual({ shelves: [{ id: 'a', secret: 'secret a' }, { id: 'b', secret: 'secret b' }] });
    expect(await run(streamlined, SECRET, ['ADMIN'])).toEqual(allowed);
    const refused = await run(streamlined, SECRET, []);
    expect(refused.errors?.[0].message).toMatch(/Access denied/);
    expect(refused).toEqual(await run(generic, SECRET, []));
  });

  it('refuses at build what it would skip: a global middleware, a custom container', async () => {
    await expect(buildStreamlinedSchema({ ...options, globalMiddlewares: [upper] })).rejects.toThrow(/globalMiddlewares would not run/);
    await expect(buildStreamlinedSchema({ ...options, container: { get: (someClass) => new someClass() } })).rejects.toThrow(/container would not run/);
    await expect(buildStreamlinedSchema({ ...options, globalMiddlewares: [] })).resolves.toBeInstanceOf(GraphQLSchema);
  });
});

describe('preloadFields (src/server/preloaded-fields.ts)', () => {
  /** Lines with their funder read along (as an action's lines), or without it (as a mutation's answer). */
  const buildLedger = () => {
    const loaded: string[] = [];
    const Funder: GraphQLObjectType = new GraphQLObjectType({ name: 'Funder', fields: { name: { type: GraphQLString } } });
    const Line: GraphQLObjectType = new GraphQLObjectType({
      name: 'Line',
      fields: {
        amount: { type: GraphQLString },
        funder: {
          type: Funder,
          resolve: (line: { funder?: { name: string }; funderId: number }) => {
            loaded.push(`funder ${line.funderId}`);
            return line.funder ?? Promise.resolve({ name: `Financeur ${line.funderId}` });
          },
        },
      },
    });
    const Pair = new GraphQLObjectType({ name: 'Pair', fields: { counted: { type: Line }, other: { type: Line } } });
    const withFunder = { amount: '10.00', funderId: 1, funder: { name: 'État' } };
    const withoutFunder = () => ({ amount: '20.50', funderId: 2 });
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          lines: { type: new GraphQLList(Line), resolve: () => Promise.resolve([withFunder, withoutFunder()]) },
          line: { type: Line, resolve: () => withoutFunder() },
          pair: { type: Pair, resolve: () => ({ counted: withFunder, other: withoutFunder() }) },
        },
      }),
    });
    return { schema, loaded };
  };

  it('answers as the resolvers did, calling them only for rows that lack the relation, and only when asked', async () => {
    const before = buildLedger();
    const after = buildLedger();
    preloadFields(after.schema, [{ type: 'Line', field: 'funder' }]);
    const source = '{ lines { amount funder { name } } line { ...F } pair { counted { funder { name } } other { funder { name } } } } fragment F on Line { funder { name } }';
    const expected = await graphql({ schema: before.schema, source });
    expect(expected.errors).toBeUndefined();
    expect(await graphql({ schema: after.schema, source })).toEqual(expected);
    expect((expected.data as any).lines[1].funder).toEqual({ name: 'Financeur 2' });
    // Before: every row's funder through its resolver (5); after: the three rows that lacked it.
    expect(before.loaded).toHaveLength(5);
    expect(after.loaded).toEqual(['funder 2', 'funder 2', 'funder 2']);
    expect(after.schema.getType('Line') && (after.schema.getType('Line') as GraphQLObjectType).getFields().funder.resolve).toBeUndefined();
    // A query that does not ask for the funder does not load it.
    after.loaded.length = 0;
    expect(await graphql({ schema: after.schema, source: '{ lines { amount } line { amount } }' })).toEqual({ data: { lines: [{ amount: '10.00' }, { amount: '20.50' }], line: { amount: '20.50' } } });
    expect(after.loaded).toEqual([]);
  });

  it('leaves unwrapped a field whose rows are read with the relations asked (as an action\'s lines)', async () => {
    const ledger = buildLedger();
    const lines = (ledger.schema.getQueryType()!.getFields().lines);
    const read = lines.resolve;
    preloadFields(ledger.schema, [{ type: 'Line', field: 'funder' }], [{ type: 'Query', field: 'lines' }]);
    expect(lines.resolve).toBe(read);
    // The other fields answering lines still complete theirs.
    expect(ledger.schema.getQueryType()!.getFields().line.resolve).not.toBeUndefined();
    const answer = await graphql({ schema: ledger.schema, source: '{ line { funder { name } } }' });
    expect(answer).toEqual({ data: { line: { funder: { name: 'Financeur 2' } } } });
  });

  it('refuses a field without a resolver or with arguments', () => {
    expect(() => preloadFields(buildLedger().schema, [{ type: 'Line', field: 'amount' }])).toThrow(/no resolver/);
  });
});
