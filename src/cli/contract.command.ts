import { GraphQLError } from 'graphql';
import { DataSource } from 'typeorm';
import { cliActor, recordAudit } from '../audit/audit.service';
import { FieldError } from '../common/field-validation';
import { ContractWriteResult, createContract } from '../contract-admin/contract.service';
import { UsageError } from './usage-error';

export interface ContractCreateCommand {
  command: 'create';
  code: string;
  name: string;
  epcis: string[];
  fromYear: number;
  toYear: number;
  signedOn: string | null;
  json: boolean;
}

const VALUED = ['code', 'name', 'epci', 'from', 'to', 'signed-on'] as const;
type Valued = (typeof VALUED)[number];

/** Pure: turns `contract …` arguments into a command, or throws a UsageError that says what is wrong. */
export function parseContractArgs(args: string[]): ContractCreateCommand {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError('contract : sous-commande manquante (create).');
  if (sub !== 'create') throw new UsageError(`contract : sous-commande inconnue « ${sub} » (create).`);
  const values: Record<Valued, string[]> = { code: [], name: [], epci: [], from: [], to: [], 'signed-on': [] };
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--json') {
      json = true;
      continue;
    }
    // Both "--code X" and "--code=X".
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const key = match && (VALUED as readonly string[]).includes(match[1]) ? (match[1] as Valued) : null;
    if (!match || !key) throw new UsageError(`contract create : option inconnue « ${arg} ».`);
    let value = match[2];
    if (value === undefined) {
      if (i + 1 >= rest.length || rest[i + 1].startsWith('--')) throw new UsageError(`contract create : valeur manquante après --${key}.`);
      value = rest[++i];
    }
    value = value.trim();
    if (!value) throw new UsageError(`contract create : --${key} ne peut pas être vide.`);
    if (key !== 'epci' && values[key].length) throw new UsageError(`contract create : --${key} est indiqué deux fois.`);
    values[key].push(value);
  }
  for (const key of ['code', 'name', 'epci', 'from', 'to'] as const) {
    if (!values[key].length) throw new UsageError(`contract create : --${key} est obligatoire.`);
  }
  const year = (key: 'from' | 'to'): number => {
    const text = values[key][0];
    if (!/^\d{4}$/.test(text)) throw new UsageError(`contract create : --${key} « ${text} » n’est pas une année (AAAA).`);
    return Number(text);
  };
  return {
    command: 'create',
    code: values.code[0],
    name: values.name[0],
    // "--epci 200042190,245901160" as well as a repeated --epci.
    epcis: values.epci.flatMap((value) => value.split(',')).map((siren) => siren.trim()).filter(Boolean),
    fromYear: year('from'),
    toYear: year('to'),
    signedOn: values['signed-on'][0] ?? null,
    json,
  };
}

/** `crte contract create`: 0 when created, 1 when the input is refused (each mistake printed, nothing written). */
export async function runContractCommand(dataSource: DataSource, command: ContractCreateCommand): Promise<number> {
  let result: ContractWriteResult;
  try {
    result = await createContract(
      dataSource,
      { code: command.code, name: command.name, fromYear: command.fromYear, toYear: command.toYear, signedOn: command.signedOn, epcis: command.epcis },
      (manager, r) =>
        recordAudit(manager, cliActor(), {
          action: 'CONTRACT_CREATE',
          target: { kind: 'contract', id: r.contract.id },
          detail: { code: r.contract.code, epcis: r.epcis.map((epci) => epci.siren), communes: r.communes, organisationsCreated: r.organisations.created },
        }),
    );
  } catch (error) {
    const fields = error instanceof GraphQLError ? (error.extensions.fields as FieldError[] | undefined) : undefined;
    if (!fields) throw error;
    console.error(`Contrat non créé (rien n’a été écrit) :\n${fields.map((field) => `  - ${field.message}`).join('\n')}`);
    return 1;
  }
  if (command.json) {
    console.log(JSON.stringify({ code: result.contract.code, communes: result.communes, epcis: result.epcis, organisations: result.organisations }));
    return 0;
  }
  const { contract, epcis, communes, organisations } = result;
  console.log(
    [
      `Contrat ${contract.code} créé : « ${contract.name} », ${contract.startYear}–${contract.endYear}.`,
      `Périmètre : ${epcis.length} EPCI, ${communes} commune${communes > 1 ? 's' : ''}.`,
      ...epcis.map((epci) => `  - ${epci.name} (SIREN ${epci.siren}) : ${epci.communes} commune${epci.communes > 1 ? 's' : ''}`),
      `Organisations : ${organisations.created} créée${organisations.created > 1 ? 's' : ''}, ` +
        `${organisations.unchanged + organisations.updated} déjà connue${organisations.unchanged + organisations.updated > 1 ? 's' : ''} (reprise${organisations.unchanged + organisations.updated > 1 ? 's' : ''} telle${organisations.unchanged + organisations.updated > 1 ? 's' : ''} quelle${organisations.unchanged + organisations.updated > 1 ? 's' : ''}).`,
    ].join('\n'),
  );
  return 0;
}
