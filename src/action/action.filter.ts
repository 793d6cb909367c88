import { Field, InputType, Int } from 'type-graphql';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { ActionStatus } from '../kernel/action-status.enum';
import { normaliseText } from '../kernel/normalise-text';
import { Contract } from '../contract/contract.entity';
import { Action } from './action.entity';

@InputType()
export class ActionFilter {
  @Field(() => String, { nullable: true, description: 'Code du contrat' })
  contract?: string;

  @Field(() => Int, { nullable: true, description: 'Numéro de l’axe' })
  axis?: number;

  @Field(() => String, { nullable: true, description: 'Code de l’orientation, ex. "1.2"; "none" pour les actions à classer' })
  orientation?: string;

  @Field(() => String, { nullable: true, description: 'Maître d’ouvrage : identifiant, SIREN ou nom exact' })
  lead?: string;

  @Field(() => [ActionStatus], { nullable: true })
  status?: ActionStatus[];

  @Field(() => String, { nullable: true, description: 'Recherche dans le code et l’intitulé (sans accents ni casse)' })
  text?: string;
}

export function filteredActions(dataSource: DataSource, filter: ActionFilter): SelectQueryBuilder<Action> {
  const query = dataSource.getRepository(Action).createQueryBuilder('action');
  if (filter.contract) {
    query.innerJoin(Contract, 'contract', 'contract.id = action.contract_id').andWhere('contract.code = :contractCode', { contractCode: filter.contract });
  }
  if (filter.axis !== undefined && filter.axis !== null) {
    query
      .innerJoin('action.orientation', 'axisOrientation')
      .innerJoin('axisOrientation.axis', 'axis')
      .andWhere('axis.number = :axisNumber', { axisNumber: filter.axis });
  }
  if (filter.orientation === 'none') query.andWhere('action.orientation_id IS NULL');
  else if (filter.orientation) {
    query.innerJoin('action.orientation', 'orientation').andWhere('orientation.code = :orientationCode', { orientationCode: filter.orientation });
  }
  if (filter.lead) {
    query.innerJoin('action.lead', 'lead').andWhere(
      new Brackets((where) => {
        if (/^\d+$/.test(filter.lead!)) where.where('lead.id = :leadId', { leadId: Number(filter.lead) }).orWhere('lead.siren = :lead');
        else where.where('lead.name = :lead').orWhere('lead.short_name = :lead');
      }),
      { lead: filter.lead },
    );
  }
  if (filter.status?.length) query.andWhere('action.status IN (:...statuses)', { statuses: filter.status });
  if (filter.text) {
    const pattern = `%${normaliseText(filter.text)}%`;
    query.andWhere(new Brackets((where) => where.where('action.normalised_title LIKE :pattern').orWhere('LOWER(action.code) LIKE :code')), {
      pattern,
      code: `%${filter.text.toLowerCase()}%`,
    });
  }
  return query;
}
