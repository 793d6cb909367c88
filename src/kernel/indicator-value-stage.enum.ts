import { registerEnumType } from 'type-graphql';

export enum IndicatorValueStage {
  TARGET = 'TARGET',
  ACTUAL = 'ACTUAL',
}

registerEnumType(IndicatorValueStage, {
  name: 'IndicatorValueStage',
  valuesConfig: { TARGET: { description: 'Cible' }, ACTUAL: { description: 'Réalisé' } },
});
