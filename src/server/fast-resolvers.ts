import { GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type ParamKind = { kind: string; index: number; propertyName?: string; getType?: () => unknown };

/**
 * Takes type-graphql's generic wrappers off the fields that do not need them. type-graphql gives every
 * field a resolver — for a plain property too — that allocates its arguments, looks its resolver class
 * up in a list and runs the (empty) middleware chain; on a nested answer of a million fields that was a
 * large part of the execution time and of the garbage. With no global middleware, no auth checker and
 * no custom container (see getSchema), this is what they come down to:
 *  - a plain field without middleware reads its property: graphql-js's default resolver does that (a
 *    field renamed in the schema reads its property by name);
 *  - a field resolver whose parameters are only @Root, @Ctx and @Info is called directly on one instance
 *    of its resolver class. A root that is not an instance of its declared class (type-graphql would copy
 *    it into one) goes through type-graphql's own resolver, as do arguments, middlewares and roles.
 */
export function streamlineResolvers(schema: GraphQLSchema, resolverClasses: readonly unknown[]): GraphQLSchema {
  const storage = getMetadataStorage();
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
      const simple = (param: ParamKind, i: number) => param.index === i && ((param.kind === 'root' && !param.propertyName) || param.kind === 'context' || param.kind === 'info');
      if (!params.every(simple)) continue;
      const generic = field.resolve;
      const target = resolver.target as new () => Record<string, (...args: unknown[]) => unknown>;
      const method = resolver.methodName;
      const rootType = params.find((param) => param.kind === 'root')?.getType?.();
      const rootClass = typeof rootType === 'function' ? (rootType as abstract new () => unknown) : null;
      const argument = (param: ParamKind): ((source: unknown, context: Record<string, unknown>, info: unknown) => unknown) => {
        const name = param.propertyName;
        if (param.kind === 'root') return (source) => source;
        if (param.kind === 'context') return name ? (_source, context) => context[name] : (_source, context) => context;
        return (_source, _context, info) => info;
      };
      const readers = params.map(argument);
      field.resolve = function direct(source, args, context, info) {
        if (rootClass && source != null && !(source instanceof rootClass)) return (generic as GraphQLFieldResolver<unknown, unknown>).call(this, source, args, context, info);
        let instance = resolverInstances.get(target);
        if (!instance) resolverInstances.set(target, (instance = new target()));
        if (readers.length === 2) return instance[method](readers[0](source, context, info), readers[1](source, context, info));
        return instance[method](...readers.map((read) => read(source, context, info)));
      };
    }
  }
  return schema;
}
