import { registerEnumType } from 'type-graphql';

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

registerEnumType(ActionStatus, {
  name: 'ActionStatus',
  description: "Avancement de l'action",
  valuesConfig: {
    IDEA: { description: 'Idée' },
    STUDY: { description: 'En étude' },
    PLANNED: { description: 'À venir' },
    UNDERWAY: { description: 'En cours' },
    DONE: { description: 'Réalisée' },
    PAUSED: { description: 'Suspendue' },
    BLOCKED: { description: 'Bloquée' },
    ABANDONED: { description: 'Abandonnée' },
  },
});
