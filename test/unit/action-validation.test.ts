import { CreateActionInput, UpdateActionInput } from '../../src/action/action.inputs';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { validateActionInput } from '../../src/action/action.validation';
import { fieldErrorsToGraphQLError, isIsoDate } from '../../src/common/field-validation';
import { CostBase } from '../../src/kernel/funding.enum';
import { validateIndicatorInput } from '../../src/indicator/indicator.validation';
import { CreateIndicatorInput } from '../../src/indicator/indicator.inputs';

const create = (fields: Partial<CreateActionInput>) =>
  validateActionInput(Object.assign(new CreateActionInput(), { contract: 'CRTE-DOUAISIS', code: 'DA-99', title: 'Piste cyclable', ...fields }), { mode: 'create' });
const update = (fields: Partial<UpdateActionInput>, existing = { startDate: null as string | null, endDate: null as string | null }) =>
  validateActionInput(Object.assign(new UpdateActionInput(), fields), { mode: 'update', existing });
const fields = (result: { errors: { field: string }[] }) => result.errors.map((error) => error.field);

describe('action input validation (no database)', () => {
  it('accepts a complete input and returns it canonical', () => {
    const result = create({
      code: ' DA-99 ',
      title: ' Piste cyclable ',
      communes: ['59178', '59178', '59008'],
      totalCost: '1250000.5',
      costBase: CostBase.HT,
      startDate: '2024-02-29',
      endDate: '2026-12-31',
      orientation: ' 1.2 ',
      lead: '',
    });
    expect(result.errors).toEqual([]);
    expect(result.value).toEqual({
      contract: 'CRTE-DOUAISIS',
      code: 'DA-99',
      title: 'Piste cyclable',
      orientation: '1.2',
      lead: null,
      communes: ['59178', '59008'],
      status: ActionStatus.PLANNED,
      totalCost: '1250000.50',
      costBase: CostBase.HT,
      startDate: '2024-02-29',
      endDate: '2026-12-31',
    });
  });

  it.each([
    [{ code: '' }, 'code', /code de l’action \(code\) est obligatoire/],
    [{ code: '   ' }, 'code', /est obligatoire/],
    [{ code: 'X'.repeat(41) }, 'code', /dépasse 40 caractères \(41\)/],
    [{ title: '' }, 'title', /intitulé \(title\) est obligatoire/],
    [{ title: 'é'.repeat(501) }, 'title', /dépasse 500 caractères/],
    [{ contract: ' ' }, 'contract', /contrat \(contract\) est obligatoire/],
    [{ totalCost: '-1.00' }, 'totalCost', /\(totalCost\) : « -1.00 » est négatif/],
    [{ totalCost: '12.345' }, 'totalCost', /plus de deux décimales/],
    [{ totalCost: '1 200,50' }, 'totalCost', /n'est pas un montant décimal/],
    [{ totalCost: '1e6' }, 'totalCost', /n'est pas un montant décimal/],
    [{ totalCost: '99999999999999999' }, 'totalCost', /dépasse le montant maximal/],
    [{ startDate: '2023-02-29' }, 'startDate', /\(startDate\) : « 2023-02-29 » n'est pas une date valide/],
    [{ startDate: '01/02/2023' }, 'startDate', /AAAA-MM-JJ/],
    [{ endDate: '1850-01-01' }, 'endDate', /n'est pas une date valide/],
    [{ startDate: '2025-01-01', endDate: '2024-12-31' }, 'endDate', /\(endDate\) 2024-12-31 précède la date de début \(startDate\) 2025-01-01/],
    [{ communes: ['59178', 'Douai'] }, 'communes', /« Douai » n'est pas un code INSEE/],
  ])('refuses %j on field %s', (input, field, message) => {
    const result = create(input as Partial<CreateActionInput>);
    expect(fields(result)).toEqual([field]);
    expect(result.errors[0].message).toMatch(message);
  });

  it('collects every error of one input', () => {
    const result = create({ code: '', title: '', totalCost: '-3', startDate: '2024-13-01', endDate: 'demain', communes: ['x'] });
    expect(fields(result).sort()).toEqual(['code', 'communes', 'endDate', 'startDate', 'title', 'totalCost']);
    const error = fieldErrorsToGraphQLError(result.errors);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: result.errors[0].field, fields: result.errors });
    expect(error.message).toContain(result.errors[0].message);
    expect(error.message).toMatch(/et 5 autres erreurs/);
  });

  it('on update, checks only what is given, and the dates against the ones kept', () => {
    expect(update({})).toEqual({ errors: [], value: {} });
    expect(update({ totalCost: null, orientation: null, communes: [] }).value).toEqual({ totalCost: null, orientation: null, communes: [] });
    expect(fields(update({ title: null, code: null, status: null }))).toEqual(['code', 'title', 'status']);
    expect(fields(update({ endDate: '2021-06-30' }, { startDate: '2022-01-01', endDate: null }))).toEqual(['endDate']);
    expect(fields(update({ startDate: '2027-01-01' }, { startDate: null, endDate: '2026-12-31' }))).toEqual(['endDate']);
    // Clearing one date removes the constraint.
    expect(update({ startDate: null }, { startDate: '2022-01-01', endDate: '2021-01-01' }).errors).toEqual([]);
  });

  it('knows calendar dates', () => {
    expect(['2024-02-29', '1900-01-01', '2100-12-31'].every(isIsoDate)).toBe(true);
    expect(['2023-02-29', '2024-04-31', '2024-1-01', '1899-12-31', '2101-01-01', '2024-01-01T00:00:00Z', ''].some(isIsoDate)).toBe(false);
  });
});

describe('indicator input validation (no database)', () => {
  const indicator = (fields: Partial<CreateIndicatorInput>) =>
    validateIndicatorInput(Object.assign(new CreateIndicatorInput(), { contract: 'CRTE-DOUAISIS', code: 'IND-1', name: 'Km de pistes', unit: 'km', action: 'DA-01', ...fields }), 'create');

  it('accepts exact quantities, negative ones too, and normalises them', () => {
    const result = indicator({ baseline: '-2.50', target: '12.1250', targetYear: 2026 });
    expect(result.errors).toEqual([]);
    expect(result.value).toMatchObject({ baseline: '-2.5', target: '12.125', targetYear: 2026 });
  });

  it.each([
    [{ targetYear: 1899 }, 'targetYear', /\(targetYear\) : 1899 n'est pas une année plausible/],
    [{ targetYear: 2101 }, 'targetYear', /entre 1900 et 2100/],
    [{ target: '1.23456' }, 'target', /plus de 4 décimales/],
    [{ baseline: 'beaucoup' }, 'baseline', /n'est pas un nombre décimal/],
    [{ target: '1'.repeat(15) }, 'target', /trop grand/],
    [{ unit: '' }, 'unit', /unité \(unit\) est obligatoire/],
    [{ name: 'n'.repeat(256) }, 'name', /dépasse 255 caractères/],
    [{ action: null }, 'action', /Indiquez l’action \(action\) ou l’orientation/],
    [{ orientation: '1.2' }, 'orientation', /pas les deux/],
  ])('refuses %j on field %s', (input, field, message) => {
    const result = indicator(input as Partial<CreateIndicatorInput>);
    expect(fields(result)).toEqual([field]);
    expect(result.errors[0].message).toMatch(message);
  });
});
