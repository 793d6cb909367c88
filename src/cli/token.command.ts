import { DataSource } from 'typeorm';
import { ApiToken } from '../auth/api-token.entity';
import { Role } from '../kernel/role.enum';
import { createToken, revokeToken } from '../auth/token.service';
import { cliActor, recordAudit } from '../audit/audit.service';
import { normaliseText } from '../kernel/normalise-text';
import { OrganisationAlias } from '../organisation/organisation-alias.entity';
import { Organisation } from '../organisation/organisation.entity';
import { UsageError } from './usage-error';

export type TokenCommand =
  | { command: 'create'; role: Role; organisation: string | null; name: string | null }
  | { command: 'list' }
  | { command: 'revoke'; id: number };

/** Where the command writes: the secret alone goes to `out` so that scripts can capture it. */
export interface TokenCommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: TokenCommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const ROLES = Object.values(Role) as string[];
const NAME_MAX = 100;

/** Pure: turns `token …` arguments into a command, or throws a UsageError that says what is wrong. */
export function parseTokenArgs(args: string[]): TokenCommand {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return parseCreate(rest);
    case 'list':
      if (rest.length) throw new UsageError(`token list : argument inattendu « ${rest[0]} ».`);
      return { command: 'list' };
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError('token revoke : indiquez un seul identifiant de jeton (voir « crte token list »).');
      if (!/^[1-9]\d{0,9}$/.test(rest[0])) throw new UsageError(`token revoke : « ${rest[0]} » n'est pas un identifiant de jeton (un entier positif).`);
      return { command: 'revoke', id: Number(rest[0]) };
    }
    case undefined:
      throw new UsageError('token : sous-commande manquante (create, list ou revoke).');
    default:
      throw new UsageError(`token : sous-commande inconnue « ${sub} » (create, list ou revoke).`);
  }
}

function parseCreate(args: string[]): TokenCommand {
  const options: Record<'role' | 'organisation' | 'name', string | undefined> = { role: undefined, organisation: undefined, name: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    // Both "--role admin" and "--role=admin".
    const match = /^--(role|organisation|organization|name)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`token create : option inconnue « ${arg} ».`);
    const key = match[1] === 'organization' ? 'organisation' : (match[1] as 'role' | 'organisation' | 'name');
    let value = match[2];
    if (value === undefined) {
      if (i + 1 >= args.length || args[i + 1].startsWith('--')) throw new UsageError(`token create : valeur manquante après --${key}.`);
      value = args[++i];
    }
    if (options[key] !== undefined) throw new UsageError(`token create : --${key} est indiqué deux fois.`);
    value = value.trim();
    if (!value) throw new UsageError(`token create : --${key} ne peut pas être vide.`);
    options[key] = value;
  }
  if (!options.role) throw new UsageError('token create : --role est obligatoire (admin, editor ou reader).');
  if (!ROLES.includes(options.role)) throw new UsageError(`token create : rôle « ${options.role} » inconnu (admin, editor ou reader).`);
  const role = options.role as Role;
  if (role === Role.EDITOR && !options.organisation) {
    throw new UsageError("token create : un jeton editor n'écrit que pour son organisation ; indiquez-la avec --organisation.");
  }
  if (options.name && options.name.length > NAME_MAX) throw new UsageError(`token create : --name dépasse ${NAME_MAX} caractères.`);
  return { command: 'create', role, organisation: options.organisation ?? null, name: options.name ?? null };
}

/** `crte token create|list|revoke`; returns the process exit code. */
export async function runTokenCommand(dataSource: DataSource, args: string[], output: TokenCommandOutput = consoleOutput): Promise<number> {
  const command = parseTokenArgs(args);
  switch (command.command) {
    case 'create':
      return create(dataSource, command, output);
    case 'list':
      return list(dataSource, output);
    case 'revoke':
      return revoke(dataSource, command.id, output);
  }
}

async function create(dataSource: DataSource, command: Extract<TokenCommand, { command: 'create' }>, output: TokenCommandOutput): Promise<number> {
  const organisation = command.organisation ? await resolveOrganisation(dataSource, command.organisation) : null;
  const name = command.name ?? [`jeton ${command.role}`, organisation ? displayName(organisation) : null].filter(Boolean).join(' – ').slice(0, NAME_MAX);
  const { secret, token } = await createToken(dataSource, { name, role: command.role, organisationId: organisation?.id ?? null }, (manager, token) =>
    recordAudit(manager, cliActor(), { action: 'TOKEN_CREATE', target: { kind: 'api_token', id: token.id }, detail: { name: token.name, role: token.role, organisationId: token.organisationId } }),
  );
  output.err(
    `Jeton n° ${token.id} « ${token.name} » créé : rôle ${token.role}` +
      (organisation ? `, organisation ${describe(organisation)}` : '') +
      `. Le secret ci-dessous ne sera plus jamais affiché : conservez-le maintenant (en-tête « Authorization: Bearer … »).`,
  );
  output.out(secret);
  return 0;
}

async function list(dataSource: DataSource, output: TokenCommandOutput): Promise<number> {
  const tokens = await dataSource.getRepository(ApiToken).find({ relations: { organisation: true }, order: { id: 'ASC' } });
  if (!tokens.length) {
    output.err('Aucun jeton.');
    return 0;
  }
  // Never the hash: the prefix is enough to recognise a token.
  const rows = [
    ['ID', 'NOM', 'RÔLE', 'ORGANISATION', 'PRÉFIXE', 'CRÉÉ LE', 'DERNIER USAGE', 'RÉVOQUÉ LE'],
    ...tokens.map((token) => [
      String(token.id),
      token.name,
      token.role,
      token.organisation ? displayName(token.organisation) : '-',
      `${token.tokenPrefix}…`,
      formatTimestamp(token.createdAt),
      formatTimestamp(token.lastUsedAt),
      formatTimestamp(token.revokedAt),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) output.out(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  return 0;
}

async function revoke(dataSource: DataSource, id: number, output: TokenCommandOutput): Promise<number> {
  const revoked = await revokeToken(dataSource, id, (manager, token) =>
    recordAudit(manager, cliActor(), { action: 'TOKEN_REVOKE', target: { kind: 'api_token', id: token.id }, detail: { name: token.name, role: token.role } }),
  );
  if (!revoked) throw new Error(`Aucun jeton n° ${id} (voir « crte token list »).`);
  const { token } = revoked;
  if (revoked.alreadyRevoked) {
    output.err(`Le jeton n° ${id} « ${token.name} » était déjà révoqué (${formatTimestamp(token.revokedAt)}).`);
    return 0;
  }
  output.err(`Jeton n° ${id} « ${token.name} » révoqué : il est refusé dès maintenant.`);
  return 0;
}

/**
 * Finds the one organisation a user means: exact name, short name or SIREN first, then a known
 * spelling (organisation_alias, global or of any contract). Unknown or ambiguous is an error, never a guess.
 */
export async function resolveOrganisation(dataSource: DataSource, text: string): Promise<Organisation> {
  const repository = dataSource.getRepository(Organisation);
  const exact = await repository.find({
    where: [{ name: text }, { shortName: text }, ...(/^\d{9}$/.test(text) ? [{ siren: text }] : [])],
    order: { id: 'ASC' },
  });
  let candidates = distinctById(exact);
  if (!candidates.length) {
    const normalised = normaliseText(text);
    const aliases = normalised
      ? await dataSource.getRepository(OrganisationAlias).find({ where: { normalised }, relations: { organisation: true }, order: { organisationId: 'ASC' } })
      : [];
    candidates = distinctById(aliases.map((alias) => alias.organisation));
  }
  if (candidates.length === 1) return candidates[0];
  if (!candidates.length) {
    throw new Error(`Organisation inconnue : « ${text} ». Indiquez son nom exact, son nom court, son SIREN ou une appellation connue.`);
  }
  throw new Error(
    `« ${text} » désigne plusieurs organisations : ${candidates.map(describe).join(' ; ')}. Précisez avec le SIREN ou le nom exact.`,
  );
}

function distinctById(organisations: Organisation[]): Organisation[] {
  const byId = new Map<number, Organisation>();
  for (const organisation of organisations) byId.set(organisation.id, organisation);
  return [...byId.values()];
}

const displayName = (organisation: Organisation) => organisation.shortName ?? organisation.name;
const describe = (organisation: Organisation) => `${organisation.name}${organisation.siren ? ` (SIREN ${organisation.siren})` : ''}`;

function formatTimestamp(value: Date | null): string {
  return value ? value.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '-';
}
