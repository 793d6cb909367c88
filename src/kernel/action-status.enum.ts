/** Statuses as French follow-up tools name them. */
export enum ActionStatus {
  IDEA = 'IDEA',
  STUDY = 'STUDY',
  PLANNED = 'PLANNED',
  UNDERWAY = 'UNDERWAY',
  DONE = 'DONE',
  PAUSED = 'PAUSED',
  BLOCKED = 'BLOCKED',
  ABANDONED = 'ABANDONED',
}
