export enum IndicatorValueStage {
  TARGET = 'TARGET',
  ACTUAL = 'ACTUAL',
}
