import { Args, ArgsType, Ctx, Field, InputType, Int, Query, Resolver } from 'type-graphql';
import { forbidden, unauthenticated } from '../request/authorisation';
import { Role } from '../kernel/role.enum';
import { decodeCursor, Page, PageType, pageSize, toPage } from '../common/pagination';
import { RequestContext } from '../request/context';
import { AuditEvent } from './audit-event.entity';

@InputType({ description: 'Filtre du journal d’audit ; les critères se cumulent.' })
export class AuditEventFilter {
  @Field(() => [String], { nullable: true, description: 'Une ou plusieurs actions : IMPORT_APPLY, ACTION_UPDATE, TOKEN_REVOKE…' })
  action?: string[];

  @Field(() => String, { nullable: true, description: 'Genre de l’objet : import_batch, action, indicator, saved_report, api_token' })
  targetKind?: string;

  @Field(() => String, { nullable: true, description: 'Identifiant de l’objet (avec targetKind)' })
  targetId?: string;

  @Field(() => Int, { nullable: true, description: 'Le jeton auteur' })
  tokenId?: number;

  @Field(() => Date, { nullable: true, description: 'Depuis (inclus, UTC)' })
  since?: Date;

  @Field(() => Date, { nullable: true, description: 'Jusqu’à (exclu, UTC)' })
  until?: Date;
}

@ArgsType()
export class AuditEventsArgs {
  @Field(() => AuditEventFilter, { nullable: true })
  filter?: AuditEventFilter;

  @Field(() => Int, { nullable: true, description: 'Taille de la page (défaut 50, maximum 500)' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Curseur de fin de la page précédente' })
  after?: string;
}

export const AuditEventPage = PageType(AuditEvent, 'AuditEventPage');

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventPage, {
    description: 'Journal d’audit : chaque écriture (import, application, annulation, modification, jeton), qui l’a faite et quand, de la plus récente à la plus ancienne. Réservé aux administrateurs.',
  })
  async auditEvents(@Args(() => AuditEventsArgs) { filter, first, after }: AuditEventsArgs, @Ctx() { dataSource, identity }: RequestContext): Promise<Page<AuditEvent>> {
    // Who wrote what is itself sensitive (token names, organisations): administrators only.
    if (!identity) throw unauthenticated('Un jeton d’administrateur est requis pour lire le journal d’audit.');
    if (identity.role !== Role.ADMIN) throw forbidden('Réservé aux administrateurs : le journal d’audit.');
    const limit = pageSize(first);
    const query = dataSource.getRepository(AuditEvent).createQueryBuilder('event');
    const f = filter ?? {};
    if (f.action?.length) query.andWhere('event.action IN (:...actions)', { actions: f.action });
    if (f.targetKind) query.andWhere('event.target_kind = :targetKind', { targetKind: f.targetKind });
    if (f.targetId) query.andWhere('event.target_id = :targetId', { targetId: f.targetId });
    if (f.tokenId !== undefined && f.tokenId !== null) query.andWhere('event.token_id = :tokenId', { tokenId: f.tokenId });
    if (f.since) query.andWhere('event.occurred_at >= :since', { since: f.since });
    if (f.until) query.andWhere('event.occurred_at < :until', { until: f.until });
    const totalCount = await query.clone().getCount();
    // Newest first: ids grow with time (one insert per write), so the cursor walks the ids downwards.
    if (after) query.andWhere('event.id < :afterId', { afterId: decodeCursor(after) });
    const rows = await query.orderBy('event.id', 'DESC').take(limit + 1).getMany();
    return toPage(rows, limit, totalCount);
  }
}
