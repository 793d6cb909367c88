import { DocumentNode, getNamedType, GraphQLSchema, Kind, TypeInfo, ValueNode, visit, visitWithTypeInfo } from 'graphql';

/** A contract code a report's query asks for, and the variable it came from (null for a code written in the query). */
export interface ReportContractCode {
  code: string;
  variable: string | null;
}

/**
 * The contract codes a report's query names: `contract(code: …)` and every String argument or input field
 * called `contract` (`action(contract: …)`, `fundings(filter: { contract: … })`), written in the query or
 * given by a variable. A code that names no contract makes an empty table that looks like "nothing
 * matched"; the report route answers it as a 404 instead.
 */
export function contractCodesOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): ReportContractCode[] {
  const found = new Map<string, ReportContractCode>();
  const add = (value: ValueNode) => {
    let code: unknown;
    let variable: string | null = null;
    if (value.kind === Kind.STRING) code = value.value;
    else if (value.kind === Kind.VARIABLE) {
      variable = value.name.value;
      code = variables[variable];
    }
    if (typeof code === 'string' && code !== '' && !found.has(code)) found.set(code, { code, variable });
  };
  const isString = (typeInfo: TypeInfo) => getNamedType(typeInfo.getInputType() ?? undefined)?.name === 'String';
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (!isString(typeInfo)) return;
        const contractField = typeInfo.getFieldDef()?.name === 'contract' && typeInfo.getParentType()?.name === schema.getQueryType()?.name;
        if (node.name.value === 'contract' || (node.name.value === 'code' && contractField)) add(node.value);
      },
      ObjectField(node) {
        if (node.name.value === 'contract' && isString(typeInfo)) add(node.value);
      },
    }),
  );
  return [...found.values()];
}
