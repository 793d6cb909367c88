import { UsageError } from '../../src/cli/main';
import { parseContractArgs } from '../../src/cli/contract.command';

describe('crte contract arguments', () => {
  it('reads create with repeated or comma-separated --epci, in either spelling', () => {
    expect(parseContractArgs(['create', '--code', 'CRTE-X', '--name=CRTE X', '--epci', '200042190', '--epci=245901160', '--from', '2021', '--to', '2026'])).toEqual({
      command: 'create',
      code: 'CRTE-X',
      name: 'CRTE X',
      epcis: ['200042190', '245901160'],
      fromYear: 2021,
      toYear: 2026,
      signedOn: null,
      json: false,
    });
    expect(parseContractArgs(['create', '--json', '--code', 'C', '--name', 'N', '--epci', '200042190, 245901160', '--from', '2021', '--to', '2021', '--signed-on', '2022-02-01'])).toMatchObject({
      epcis: ['200042190', '245901160'],
      signedOn: '2022-02-01',
      json: true,
    });
  });

  it.each([
    [[], 'contract : sous-commande manquante (create).'],
    [['delete'], 'contract : sous-commande inconnue « delete » (create).'],
    [['create', '--code', 'C', '--name', 'N', '--from', '2021', '--to', '2026'], 'contract create : --epci est obligatoire.'],
    [['create', '--code', 'C', '--code', 'D'], 'contract create : --code est indiqué deux fois.'],
    [['create', '--code'], 'contract create : valeur manquante après --code.'],
    [['create', '--code', '--name', 'N'], 'contract create : valeur manquante après --code.'],
    [['create', '--name', ' '], 'contract create : --name ne peut pas être vide.'],
    [['create', 'CRTE-X'], 'contract create : option inconnue « CRTE-X ».'],
    [['create', '--code', 'C', '--name', 'N', '--epci', '200042190', '--from', '21', '--to', '2026'], 'contract create : --from « 21 » n’est pas une année (AAAA).'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseContractArgs(args)).toThrow(UsageError);
    expect(() => parseContractArgs(args)).toThrow(message);
  });
});
