import { GraphQLFieldResolver, GraphQLScalarType, GraphQLSchema, isObjectType } from 'graphql';
import { buildSchema, BuildSchemaOptions, getMetadataStorage } from 'type-graphql';

/**
 * Fast resolvers: type-graphql's generic field wrappers taken off the fields that do not need them.
 *
 * Why: type-graphql gives every field a resolver — for a plain property too — that allocates its
 * arguments, looks its resolver class up in a container and runs the (empty) middleware chain; on a nested
 * answer of a million fields that was a large part of the execution time and of the garbage.
 *
 * What of type-graphql 2.0.0-rc.4 this relies on (test/unit/fast-resolvers.test.ts checks each; a version
 * that changes one of them must fail that test, not this code silently):
 *  - `getMetadataStorage()` is the global store the decorators fill, and `buildSchema` builds a shallow
 *    `clone()` of it whose definition objects are the global ones: after a build, the global
 *    `objectTypes[]` have `name`, `target` and `fields[]` (the resolver classes' field resolvers among
 *    them), each field with `name` (its property), `schemaName`, `target`, `middlewares[]` and `roles`
 *    (set by @Authorized); `fieldResolvers[]` have `target`, `methodName`, `kind` ('external' for a
 *    @Resolver class's @FieldResolver), `getObjectType()`, `middlewares[]`, `roles` and `params[]` of
 *    `{ kind, index, propertyName?, getType? }`.
 *  - What its resolvers do, with no global middleware and the default container
 *    (resolvers/create.js, resolvers/helpers.js, utils/container.js):
 *    - a plain field without middlewares or roles (createBasicFieldResolver) returns `root[property]`;
 *    - an external field resolver without middlewares or roles (createAdvancedFieldResolver →
 *      createHandlerResolver) calls its method on the one instance the default container keeps per
 *      class, with @Root as is when it is already an instance of its declared type (convertToType), the
 *      context or one of its properties for @Ctx, and the GraphQLResolveInfo for @Info.
 *  - A field with roles (@Authorized) or middlewares (@UseMiddleware) keeps type-graphql's resolver, so an
 *    authChecker still guards it.
 * What it cannot see: global middlewares and a custom container apply to every field inside type-graphql's
 * resolvers, and would be skipped on the fast ones. buildStreamlinedSchema refuses them (throws).
 */

/** Options that type-graphql applies inside every field's resolver, which the fast resolvers skip. */
const REFUSED_OPTIONS = ['globalMiddlewares', 'container'] as const;

/**
 * type-graphql's buildSchema, then the fast resolvers. Throws at build, rather than skipping them on most
 * fields, when the options ask for a global middleware or a custom container.
 */
export async function buildStreamlinedSchema(options: BuildSchemaOptions): Promise<GraphQLSchema> {
  const refused = REFUSED_OPTIONS.filter((name) => {
    const value = options[name];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  if (refused.length) {
    throw new Error(
      `fast-resolvers.ts: ${refused.join(' and ')} would not run on the fields whose type-graphql resolvers are replaced; ` +
        "use @UseMiddleware on the fields concerned (they keep type-graphql's resolver), or build with type-graphql's buildSchema in getSchema (src/server/schema.ts).",
    );
  }
  return streamlineResolvers(await buildSchema(options), options.resolvers, options.validate === false);
}

type ParamKind = {
  kind: string;
  index: number;
  propertyName?: string;
  getType?: () => unknown;
  /** For kind 'arg': the argument's name, and its own validation settings (type-graphql's @Arg options). */
  name?: string;
  validateSettings?: unknown;
  validateFn?: unknown;
};

/**
 * An @Arg that type-graphql would hand over as graphql-js parsed it: convertToType returns a scalar's value,
 * a string, number, boolean or Date as is — so an enum's value too — and copies only an input object into
 * its class; validateArg returns it when validation is off and the arg sets none of its own. Input objects
 * (an @InputType class, alone or in a list) keep type-graphql's resolver. `enums`: the registered enums' objects.
 */
function isPassedAsIs(param: ParamKind, validationOff: boolean, enums: ReadonlySet<unknown>): boolean {
  if (param.kind !== 'arg' || !param.name || !validationOff || param.validateSettings !== undefined || param.validateFn !== undefined) return false;
  const type = param.getType?.();
  return type instanceof GraphQLScalarType || SCALAR_CLASSES.includes(type) || enums.has(type);
}

/** The classes type-graphql's convertToType returns a value of as it is (helpers/types.js `simpleTypes`, and Date). */
const SCALAR_CLASSES: readonly unknown[] = [String, Number, Boolean, Date];

/**
 * With no global middleware and no custom container (buildStreamlinedSchema), what type-graphql's
 * resolvers come down to:
 *  - a plain field without middleware reads its property: graphql-js's default resolver does that (a
 *    field renamed in the schema reads its property by name);
 *  - a field resolver whose parameters are only @Root, @Ctx, @Info and scalar or enum @Arg (with validation off:
 *    `asOf`, a code) is called directly on one instance of its resolver class. A root that is not an
 *    instance of its declared class (type-graphql would copy it into one) goes through type-graphql's own
 *    resolver, as do input-object arguments, middlewares and roles. (type-graphql's resolver with an @Arg
 *    also answers a promise for every row: validateArg is async even when it validates nothing.)
 * Metadata it does not find (a type-graphql that changed) leaves type-graphql's resolvers in place.
 */
function streamlineResolvers(schema: GraphQLSchema, resolverClasses: readonly unknown[], validationOff: boolean): GraphQLSchema {
  const storage = getMetadataStorage();
  const enums = new Set<unknown>(storage.enums.map((registered) => registered.enumObj));
  const resolverInstances = new Map<unknown, Record<string, (...args: unknown[]) => unknown>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const metadata = storage.objectTypes.find((objectType) => objectType.name === type.name);
    if (!metadata?.fields) continue;
    const fields = type.getFields();
    for (const fieldMetadata of metadata.fields) {
      const field = fields[fieldMetadata.schemaName];
      if (!field?.resolve) continue;
      if (fieldMetadata.middlewares?.length || fieldMetadata.roles) continue;
      // Every field resolver declared for this field, whatever its class: a base class's resolver is
      // inherited by the classes listed, so one that is not listed still counts.
      const candidates = storage.fieldResolvers.filter((candidate) => candidate.getObjectType?.() === fieldMetadata.target && candidate.methodName === fieldMetadata.name);
      if (!candidates.length) {
        const property = fieldMetadata.name;
        field.resolve = property === fieldMetadata.schemaName ? undefined : (source: Record<string, unknown>) => source[property];
        continue;
      }
      // Called directly only when there is no doubt which method type-graphql would call.
      const [resolver] = candidates;
      if (candidates.length > 1 || !resolverClasses.includes(resolver.target)) continue;
      if (resolver.kind !== 'external' || resolver.middlewares?.length || resolver.roles) continue;
      const params = [...(resolver.params as ParamKind[])].sort((a, b) => a.index - b.index);
      const simple = (param: ParamKind, i: number) =>
        param.index === i && ((param.kind === 'root' && !param.propertyName) || param.kind === 'context' || param.kind === 'info' || isPassedAsIs(param, validationOff, enums));
      if (!params.every(simple)) continue;
      const generic = field.resolve;
      const target = resolver.target as new () => Record<string, (...args: unknown[]) => unknown>;
      const method = resolver.methodName;
      const rootType = params.find((param) => param.kind === 'root')?.getType?.();
      const rootClass = typeof rootType === 'function' ? (rootType as abstract new () => unknown) : null;
      const argument = (param: ParamKind): ((source: unknown, context: Record<string, unknown>, info: unknown, args: Record<string, unknown>) => unknown) => {
        const name = param.propertyName;
        if (param.kind === 'root') return (source) => source;
        if (param.kind === 'arg') {
          const argName = param.name!;
          return (_source, _context, _info, args) => args[argName];
        }
        if (param.kind === 'context') return name ? (_source, context) => context[name] : (_source, context) => context;
        return (_source, _context, info) => info;
      };
      const readers = params.map(argument);
      field.resolve = function direct(source, args, context, info) {
        if (rootClass && source != null && !(source instanceof rootClass)) return (generic as GraphQLFieldResolver<unknown, unknown>).call(this, source, args, context, info);
        let instance = resolverInstances.get(target);
        if (!instance) resolverInstances.set(target, (instance = new target()));
        // Up to three parameters without an array per call (an action's lines: root, context, info, 5 000 calls).
        if (readers.length === 2) return instance[method](readers[0](source, context, info, args), readers[1](source, context, info, args));
        if (readers.length === 3) return instance[method](readers[0](source, context, info, args), readers[1](source, context, info, args), readers[2](source, context, info, args));
        return instance[method](...readers.map((read) => read(source, context, info, args)));
      };
    }
  }
  return schema;
}
