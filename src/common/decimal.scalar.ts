import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { MoneyFormatError, normaliseMoney } from '../kernel/money';

/**
 * Exact amounts in euros as strings with two decimals ("1234.50"). Accepts strings (and integers, for
 * convenience) as input; never floats, which would already have lost the cents.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'Montant exact en euros, chaîne décimale à deux chiffres après la virgule (ex. "1234.50").',
  serialize(value) {
    if (typeof value === 'string') return normaliseMoney(value);
    if (typeof value === 'bigint') throw new GraphQLError('Decimal: bigint must be formatted before output');
    throw new GraphQLError(`Decimal: cannot serialise ${typeof value}`);
  },
  parseValue(value) {
    if (typeof value === 'number' && Number.isInteger(value)) return normaliseMoney(String(value));
    if (typeof value !== 'string') throw new GraphQLError('Un montant doit être une chaîne décimale, par exemple "1234.50".');
    return parseMoneyInput(value);
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.INT) return normaliseMoney(ast.value);
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Un montant doit être une chaîne décimale, par exemple "1234.50".');
    return parseMoneyInput(ast.value);
  },
});

function parseMoneyInput(value: string): string {
  try {
    return normaliseMoney(value);
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new GraphQLError(`Montant invalide : ${error.message}.`);
    throw error;
  }
}
