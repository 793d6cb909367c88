import { Role } from '../../src/kernel/role.enum';
import { UsageError } from '../../src/cli/main';
import { parseTokenArgs } from '../../src/cli/token.command';

describe('crte token arguments', () => {
  it('reads create with its options, in either spelling', () => {
    expect(parseTokenArgs(['create', '--role', 'admin'])).toEqual({ command: 'create', role: Role.ADMIN, organisation: null, name: null });
    expect(parseTokenArgs(['create', '--role=editor', '--organisation', 'Douaisis Agglo', '--name', 'Service projets'])).toEqual({
      command: 'create',
      role: Role.EDITOR,
      organisation: 'Douaisis Agglo',
      name: 'Service projets',
    });
    expect(parseTokenArgs(['create', '--organisation=200044618', '--role', 'reader'])).toEqual({
      command: 'create',
      role: Role.READER,
      organisation: '200044618',
      name: null,
    });
    // American spelling accepted as a courtesy.
    expect(parseTokenArgs(['create', '--role', 'editor', '--organization', 'CCCO'])).toMatchObject({ organisation: 'CCCO' });
  });

  it('reads list and revoke', () => {
    expect(parseTokenArgs(['list'])).toEqual({ command: 'list' });
    expect(parseTokenArgs(['revoke', '12'])).toEqual({ command: 'revoke', id: 12 });
  });

  it.each([
    [[], /sous-commande manquante/],
    [['delete'], /sous-commande inconnue « delete »/],
    [['create'], /--role est obligatoire/],
    [['create', '--role'], /valeur manquante après --role/],
    [['create', '--role', '--name', 'x'], /valeur manquante après --role/],
    [['create', '--role', 'owner'], /rôle « owner » inconnu/],
    [['create', '--role', 'editor'], /indiquez-la avec --organisation/],
    [['create', '--role', 'editor', '--organisation', '  '], /--organisation ne peut pas être vide/],
    [['create', '--role', 'admin', '--role', 'reader'], /--role est indiqué deux fois/],
    [['create', '--role', 'admin', '--force'], /option inconnue « --force »/],
    [['create', '--role', 'admin', '--name', 'x'.repeat(101)], /--name dépasse 100 caractères/],
    [['list', 'all'], /argument inattendu « all »/],
    [['revoke'], /un seul identifiant/],
    [['revoke', '1', '2'], /un seul identifiant/],
    [['revoke', 'abc'], /« abc » n'est pas un identifiant/],
    [['revoke', '0'], /« 0 » n'est pas un identifiant/],
  ])('refuses %j as a usage error', (args, message) => {
    let thrown: unknown;
    try {
      parseTokenArgs(args as string[]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toMatch(message);
  });
});
