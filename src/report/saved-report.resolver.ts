import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, FieldResolver, Info, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { requireWriter } from '../request/authorisation';
import { RequestContext } from '../request/context';
import { recordAudit } from '../audit/audit.service';
import { Organisation } from '../organisation/organisation.entity';
import { SavedReport } from './saved-report.entity';
import { deleteReport, findReport, saveReport } from './saved-report.service';

@ObjectType({ description: 'Adresses d’un rapport enregistré, relatives au serveur, à actualiser depuis un outil de BI.' })
export class SavedReportUrls {
  @Field({ description: 'CSV (séparateur « , ») ; ajoutez ?format=fr pour « ; » et la virgule décimale' })
  csv: string;

  @Field({ description: 'Classeur Excel, montants en nombres' })
  xlsx: string;

  @Field({ description: 'Tableau JSON d’objets, une ligne par objet, montants en chaînes exactes' })
  json: string;
}

export function reportUrls(name: string): SavedReportUrls {
  const base = `/api/reports/${encodeURIComponent(name)}`;
  return { csv: `${base}.csv`, xlsx: `${base}.xlsx`, json: `${base}.json` };
}

@Resolver(() => SavedReport)
export class SavedReportResolver {
  @Query(() => [SavedReport], { description: 'Rapports enregistrés, par nom.' })
  async reports(@Ctx() ctx: RequestContext): Promise<SavedReport[]> {
    const reports = await ctx.dataSource.getRepository(SavedReport).find();
    // Sorted here rather than in SQL: the databases' collations order case and accents differently.
    return reports.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  }

  @Query(() => SavedReport, { nullable: true, description: 'Un rapport enregistré par son nom (sans distinction de casse).' })
  report(@Arg('name') name: string, @Ctx() ctx: RequestContext): Promise<SavedReport | null> {
    return findReport(ctx.dataSource, name);
  }

  @Mutation(() => SavedReport, {
    description:
      'Enregistre (ou remplace, s’il existe déjà) un rapport : une requête GraphQL de lecture et ses variables, servie en CSV, xlsx ou JSON à /api/reports/NOM.csv|.xlsx|.json. Jeton d’écriture requis ; un éditeur ne remplace que les rapports de son organisation (owner), un administrateur tous.',
  })
  async saveReport(
    @Arg('name', { description: 'Nom, qui sert d’adresse : lettres sans accents, chiffres, « - », « _ » (100 au plus)' }) name: string,
    @Arg('query', { description: 'Une seule opération GraphQL, de lecture (query)' }) query: string,
    @Arg('variables', () => String, { nullable: true, description: 'Variables de la requête, objet JSON, ex. {"contract": "CRTE-DOUAISIS"}' })
    variables: string | null | undefined,
    @Ctx() ctx: RequestContext,
    // The schema this very request runs on: the one the report will be run against.
    @Info() info: GraphQLResolveInfo,
  ): Promise<SavedReport> {
    const identity = requireWriter(ctx);
    return saveReport(ctx.dataSource, info.schema, identity, { name, query, variables }, (manager, r) =>
      recordAudit(manager, identity, { action: 'REPORT_SAVE', target: { kind: 'saved_report', id: r.id }, detail: { name: r.name } }),
    );
  }

  @Mutation(() => Boolean, {
    description: 'Supprime un rapport enregistré ; false s’il n’existait pas. Jeton d’écriture requis ; un éditeur ne supprime que les rapports de son organisation (owner), un administrateur tous.',
  })
  async deleteReport(@Arg('name') name: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    const identity = requireWriter(ctx);
    return deleteReport(ctx.dataSource, identity, name, (manager, r) =>
      recordAudit(manager, identity, { action: 'REPORT_DELETE', target: { kind: 'saved_report', id: r.id }, detail: { name: r.name } }),
    );
  }

  @FieldResolver(() => Organisation, {
    nullable: true,
    description:
      'L’organisation propriétaire : celle de l’éditeur qui a créé le rapport, dont les éditeurs peuvent le remplacer ou le supprimer. Aucune : créé par un administrateur, seuls les administrateurs le modifient.',
  })
  async owner(@Root() report: SavedReport, @Ctx() { loaders }: RequestContext): Promise<Organisation | null> {
    return report.ownerOrganisationId === null ? null : loaders.organisationById.load(report.ownerOrganisationId);
  }

  @FieldResolver(() => SavedReportUrls, { description: 'Adresses CSV, xlsx et JSON du rapport' })
  urls(@Root() report: SavedReport): SavedReportUrls {
    return reportUrls(report.name);
  }
}
