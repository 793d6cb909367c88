import { checkDate, checkMoney, checkText, CODE_MAX, FieldError, INSEE_CODE, TITLE_MAX } from '../common/field-validation';
import { ActionStatus } from '../kernel/action-status.enum';
import { CreateActionInput, UpdateActionInput } from './action.inputs';

// An action's input checked without the database: pure, tested alone (test/unit/action-validation.test.ts).

/** The input once checked: undefined = unchanged (update) or absent, null = cleared. */
export interface CheckedActionInput {
  contract?: string;
  code?: string;
  title?: string;
  description?: string | null;
  orientation?: string | null;
  lead?: string | null;
  communes?: string[];
  status?: ActionStatus;
  totalCost?: string | null;
  costBase?: CreateActionInput['costBase'];
  startDate?: string | null;
  endDate?: string | null;
}

/**
 * Checks everything an action input can be checked for without the database. `existing` gives the
 * dates an update keeps, so that "end before start" is seen whichever of the two changes.
 */
export function validateActionInput(
  input: CreateActionInput | UpdateActionInput,
  options: { mode: 'create' | 'update'; existing?: { startDate: string | null; endDate: string | null } },
): { errors: FieldError[]; value: CheckedActionInput } {
  const errors: FieldError[] = [];
  const create = options.mode === 'create';
  const value: CheckedActionInput = {};
  if (create) value.contract = checkText(errors, 'contract', 'Le code du contrat', (input as CreateActionInput).contract, { max: CODE_MAX, required: true });
  value.code = checkText(errors, 'code', 'Le code de l’action', input.code, { max: CODE_MAX, required: create || input.code === null });
  value.title = checkText(errors, 'title', 'L’intitulé', input.title, { max: TITLE_MAX, required: create || input.title === null });
  if (input.description !== undefined) value.description = input.description?.trim() || null;
  value.orientation = optionalRef(input.orientation);
  value.lead = optionalRef(input.lead);

  if (input.communes !== undefined) {
    const codes = [...new Set((input.communes ?? []).map((code) => code.trim()))];
    const bad = codes.filter((code) => !INSEE_CODE.test(code));
    if (bad.length) {
      errors.push({
        field: 'communes',
        message: `Communes (communes) : ${bad.map((code) => `« ${code} »`).join(', ')} ${bad.length > 1 ? 'ne sont pas des codes INSEE' : "n'est pas un code INSEE"} (5 caractères, ex. 59178).`,
      });
    } else value.communes = codes;
  }

  if (input.status === null && !create) errors.push({ field: 'status', message: 'L’avancement (status) ne peut pas être effacé.' });
  else if (input.status) value.status = input.status;
  else if (create) value.status = ActionStatus.PLANNED;

  value.totalCost = checkMoney(errors, 'totalCost', 'Le coût total', input.totalCost);
  if (input.costBase !== undefined) value.costBase = input.costBase;
  value.startDate = checkDate(errors, 'startDate', 'La date de début', input.startDate);
  value.endDate = checkDate(errors, 'endDate', 'La date de fin', input.endDate);

  // Compare the dates the action will have, when both are known and valid.
  const start = input.startDate === undefined ? options.existing?.startDate : value.startDate;
  const end = input.endDate === undefined ? options.existing?.endDate : value.endDate;
  const startOk = !errors.some((e) => e.field === 'startDate');
  const endOk = !errors.some((e) => e.field === 'endDate');
  if (start && end && startOk && endOk && end < start) {
    errors.push({ field: 'endDate', message: `La date de fin (endDate) ${end} précède la date de début (startDate) ${start}.` });
  }
  return { errors, value };
}

/** An optional reference (a code, a name) being set: trimmed; empty counts as cleared. */
function optionalRef(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed || null;
}
