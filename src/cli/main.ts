import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { openDataSource } from '../db/data-source';
import { refreshPlannerStatistics } from '../sql/planner-statistics';
import { revertLastMigration } from '../db/migration-revert';
import { startServer } from '../server/app';
import { printSchemaFile } from '../server/schema';
import { formatSeedSummary, isSeeded, seedReferenceData } from '../seed/seed.service';
import { loadSampleIndicators } from '../seed/sample-indicators';
import { runBackupCommand, runRestoreCommand } from './backup.command';
import { parseContractArgs, runContractCommand } from './contract.command';
import { parseCorrectArgs, runApplyCommand, runImportCommand, runRollbackCommand } from './import.command';
import { runTokenCommand } from './token.command';
import { UsageError } from './usage-error';

const USAGE = `Usage : crte <commande>

  serve                 migre la base, charge le contrat de référence s'il manque, sert l'API GraphQL
  migrate [--revert]    applique les migrations en attente ; --revert annule la dernière (avant de revenir
                        à la version précédente de l’application ; sauvegardez d’abord)
  seed [--json]         charge (ou met à jour) les données de référence du CRTE du Douaisis
  contract create --code CODE --name NOM --epci SIREN [--epci SIREN…] --from AAAA --to AAAA
         [--signed-on AAAA-MM-JJ] [--json]
                        crée un contrat ; ses communes sont celles de ses EPCI dans les données Etalab
  schema [FICHIER] [--check]  écrit le schéma GraphQL (défaut : schema/schema.graphql) ;
                        --check échoue s'il diffère du code
  token create --role admin|editor|reader [--organisation NOM] [--name LIBELLÉ]
  import FICHIER --kind annex3|annex2|dotations|grants|indicators --source ORGANISATION
         [--year AAAA] [--contract CODE] [--by "Prénom Nom"] [--token JETON] [--dry-run] [--allow-partial] [--json]
                        lit un fichier de partenaire ; avec --dry-run, enregistre seulement un aperçu ;
                        sans, l'applique (sortie 0 : aperçu ou appliqué, 1 : rejeté, 2 : commande incorrecte) ;
                        --by : qui importe, inscrit au lot et au journal (défaut : cli:UTILISATEUR) ;
                        --token : importe avec les droits d'un jeton, sous son nom (comme le dépôt web)
  import correct LOT --cell C10 [--sheet FEUILLE] --value "1 050 000 €" [--by "Prénom Nom"] [--token JETON] [--json]
                        corrige la lecture d'une cellule douteuse d'un aperçu (le texte du fichier est gardé) ;
                        sortie 0 : aperçu prêt, 1 : des erreurs restent, 2 : commande ou correction refusée
  import corrections LOT [--json]                            liste les corrections d'un lot
  apply LOT [--by "Prénom Nom"] [--allow-partial] [--json]   applique un aperçu enregistré
  rollback LOT [--by "Prénom Nom"] [--json]                  annule un lot appliqué
  token list
  token revoke ID
  backup FICHIER [--json]
                        sauvegarde cohérente de toute la base, même en service (SQLite : copie en ligne ;
                        MySQL/MariaDB : export compressé lu dans un instantané) ; ne migre pas la base
  restore FICHIER [--force] [--json]
                        restaure une sauvegarde dans une base vide (--force : efface d’abord la base),
                        vérifie chaque table, puis applique les migrations plus récentes que la sauvegarde

Configuration : DATABASE_URL (défaut sqlite:./data/crte.sqlite), PORT (défaut 4000),
READ_REQUIRES_TOKEN=true pour exiger un jeton en lecture.`;

export { UsageError };

async function withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const dataSource = await openDataSource(config.database);
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve': {
      const config = loadConfig();
      const dataSource = await openDataSource(config.database);
      await dataSource.runMigrations({ transaction: 'each' });
      if (!(await isSeeded(dataSource))) {
        console.log(formatSeedSummary(await seedReferenceData(dataSource)));
        // Only on the first run: a later seed never adds them back once rolled back.
        const sample = await loadSampleIndicators(dataSource);
        if (sample) console.log(sample);
      }
      await refreshPlannerStatistics(dataSource);
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(dataSource, config);
      } catch (error) {
        // A busy port: its one French line is printed by runCommandLine, exit code 1.
        await dataSource.destroy();
        throw error;
      }
      console.log(`API GraphQL prête : ${server.url} (base : ${config.database.type})`);
      const stop = async () => {
        await server.close();
        await dataSource.destroy();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return new Promise<number>(() => undefined); // runs until a signal stops it
    }
    case 'migrate':
      if (args.includes('--revert')) {
        const dataSource = await openDataSource(loadConfig().database);
        try {
          const reverted = await revertLastMigration(dataSource);
          console.log(reverted ? `Migration annulée : ${reverted}.` : 'Aucune migration à annuler.');
        } finally {
          await dataSource.destroy();
        }
        return 0;
      }
      await withDatabase(async (dataSource) => {
        console.log('Migrations appliquées.');
        return dataSource;
      });
      return 0;
    case 'seed': {
      const unknown = args.find((arg) => arg !== '--json');
      if (unknown !== undefined) {
        throw new UsageError(`seed : ${unknown.startsWith('-') ? 'option inconnue' : 'argument inattendu'} « ${unknown} » (seule --json est acceptée ; seed charge les données du Douaisis, écrites dans le code).`);
      }
      await withDatabase(async (dataSource) => {
        const summary = await seedReferenceData(dataSource);
        console.log(args.includes('--json') ? JSON.stringify(summary) : formatSeedSummary(summary));
      });
      return 0;
    }
    case 'contract': {
      // Parsed before the database is opened: a wrong command line touches nothing.
      const parsed = parseContractArgs(args);
      return withDatabase((dataSource) => runContractCommand(dataSource, parsed));
    }
    case 'schema': {
      const check = args.includes('--check');
      const target = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'schema/schema.graphql');
      const printed = await printSchemaFile();
      if (check) {
        const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
        if (committed === printed) return 0;
        console.error(`${target} ne correspond pas au code : lancez « npm run schema » et validez le fichier.`);
        return 1;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, printed);
      console.log(`Schéma écrit dans ${target}`);
      return 0;
    }
    case 'token':
      return withDatabase((dataSource) => runTokenCommand(dataSource, args));
    case 'import':
      // A wrong correction command line is refused before the database is opened, as `contract` is.
      if (args[0] === 'correct' && args[1] !== undefined && /^\d+$/.test(args[1])) parseCorrectArgs(args.slice(1));
      return withDatabase((dataSource) => runImportCommand(dataSource, args));
    case 'apply':
      return withDatabase((dataSource) => runApplyCommand(dataSource, args));
    case 'backup':
      return runBackupCommand(loadConfig().database, args);
    case 'restore':
      return runRestoreCommand(loadConfig().database, args);
    case 'rollback':
      return withDatabase((dataSource) => runRollbackCommand(dataSource, args));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command ? 0 : 2;
    default:
      throw new UsageError(`Commande inconnue : « ${command} ».`);
  }
}

/**
 * The whole command line as `crte` runs it: the command's exit code, or 2 after a usage error and 1 after a
 * failure, their message on stderr (no stack trace unless DEBUG is set). bin/crte.js exits with it.
 */
export async function runCommandLine(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\nAide : npx crte help`);
      return 2;
    }
    console.error(error instanceof Error ? error.message : error);
    if (process.env.DEBUG) console.error(error);
    return 1;
  }
}

if (require.main === module) {
  runCommandLine(process.argv.slice(2)).then((code) => process.exit(code));
}
