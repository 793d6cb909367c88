import * as fs from 'node:fs';
import { normaliseText } from '../../src/kernel/normalise-text';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { DOUAISIS_DATASET } from '../../src/seed/douaisis.seed-data';
import { buildPerimeterOrganisations } from '../../src/seed/perimeter';
import { CONTRACT_TEXT_PATH } from '../support/fixtures';
import { contractSpellings, globalSpellings, SeedOrganisation } from '../../src/seed/seed-data.types';

const CONTRACT_TEXT = fs.readFileSync(CONTRACT_TEXT_PATH, 'utf8');

const { contract, organisations, programmes } = DOUAISIS_DATASET;
const byKey = new Map(organisations.map((o) => [o.key, o]));

/** normalised spelling → keys of the organisations it names */
function index(spellingsOf: (o: SeedOrganisation) => string[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const org of organisations) {
    for (const spelling of spellingsOf(org)) {
      const normalised = normaliseText(spelling);
      if (!map.has(normalised)) map.set(normalised, new Set());
      map.get(normalised)!.add(org.key);
    }
  }
  return map;
}
const globalIndex = index(globalSpellings);
const contractIndex = index(contractSpellings);

/** What an import would do in this contract: contract aliases first, then global ones. */
function resolve(spelling: string): string[] {
  const normalised = normaliseText(spelling);
  return [...(contractIndex.get(normalised) ?? globalIndex.get(normalised) ?? [])];
}

describe('Douaisis contract strategy', () => {
  it('describes the contract', () => {
    expect(contract).toMatchObject({ code: 'CRTE-DOUAISIS', signedOn: '2022-02-01', startYear: 2021, endYear: 2026 });
    expect(contract.name).toBe('Contrat de Relance et de Transition Écologique du Douaisis');
  });

  it('has 4 axes and the 16 orientations 1.1 … 4.5, each under its own axis', () => {
    expect(contract.axes.map((a) => a.number)).toEqual([1, 2, 3, 4]);
    const codes = contract.axes.flatMap((a) => a.orientations.map((o) => o.code));
    expect(codes).toEqual(['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3', '3.1', '3.2', '3.3', '3.4', '4.1', '4.2', '4.3', '4.4', '4.5']);
    for (const axis of contract.axes) {
      for (const orientation of axis.orientations) expect(orientation.code.startsWith(`${axis.number}.`)).toBe(true);
    }
  });

  it('copies axis and orientation titles verbatim from the contract', () => {
    for (const axis of contract.axes) {
      const heading = `Axe ${axis.number} : ${axis.title}`;
      expect(CONTRACT_TEXT.includes(`${heading}\n`) ? heading : `not in the text: ${heading}`).toBe(heading);
      for (const { code, title } of axis.orientations) {
        // As in the table of contents: "1.2 Étendre…" (and "1.1. Préserver…").
        const line = new RegExp(`\\n${escapeRegExp(code)}\\.? ${escapeRegExp(title)}\\n`);
        expect(line.test(CONTRACT_TEXT) ? title : `not in the text: ${code} ${title}`).toBe(title);
      }
    }
  });
});

describe('perimeter', () => {
  const epcis = organisations.filter((o) => o.kind === OrganisationKind.EPCI);
  const communes = organisations.filter((o) => o.kind === OrganisationKind.COMMUNE);

  it('has the 2 EPCIs of the contract, from Etalab', () => {
    expect(epcis.map((e) => [e.key, e.siren, e.name, e.shortName])).toEqual([
      ['DOUAISIS_AGGLO', '200044618', 'CA Douaisis Agglo', 'Douaisis Agglo'],
      ['CCCO', '245901152', "CA Coeur d'Ostrevent", "Coeur d'Ostrevent"],
    ]);
    expect(epcis.map((e) => e.siren)).toEqual(contract.perimeterEpciSirens);
  });

  it('has the 55 communes: 35 in Douaisis Agglo and 20 in Cœur d’Ostrevent', () => {
    expect(CONTRACT_TEXT).toContain('55 communes');
    expect(communes).toHaveLength(55);
    expect(communes.filter((c) => c.parentKey === 'DOUAISIS_AGGLO')).toHaveLength(35);
    expect(communes.filter((c) => c.parentKey === 'CCCO')).toHaveLength(20);
    for (const commune of communes) {
      expect(commune.siren).toMatch(/^\d{9}$/);
      expect(commune.inseeCode).toMatch(/^[0-9][0-9AB]\d{3}$/);
      expect(commune.key).toBe(`COMMUNE_${commune.inseeCode}`);
    }
    for (const epci of epcis) expect(epci.siren).toMatch(/^\d{9}$/);
  });

  it('names communes the way files do', () => {
    const douai = byKey.get('COMMUNE_59178')!;
    expect(douai).toMatchObject({ name: 'Douai', siren: '215901786', inseeCode: '59178', parentKey: 'DOUAISIS_AGGLO' });
    for (const spelling of ['Douai', 'DOUAI', 'Ville de Douai', 'Commune de Douai', 'MAIRIE DE DOUAI', '59178']) {
      expect(resolve(spelling)).toEqual(['COMMUNE_59178']);
    }
    expect(resolve("Ville d'Aniche")).toEqual(['COMMUNE_59008']);
    expect(resolve('Commune de Aniche')).toEqual(['COMMUNE_59008']);
    expect(resolve('Flines-lès-Raches')).toEqual(['COMMUNE_59239']);
    expect(resolve('Flines lez Râches')).toEqual(['COMMUNE_59239']);
    expect(resolve('GOEULZIN')).toEqual(['COMMUNE_59263']);
  });

  it('gives unknown EPCIs a default key and rejects unknown SIRENs', () => {
    expect(buildPerimeterOrganisations(['200044618'])[0].key).toBe('EPCI_200044618');
    expect(() => buildPerimeterOrganisations(['200044618', '123456789'])).toThrow(/123456789/);
    // A commune's SIREN is not an EPCI's.
    expect(() => buildPerimeterOrganisations(['215901786'])).toThrow(/215901786/);
  });
});

describe('organisations and programmes', () => {
  it('has unique keys, SIRENs and INSEE codes', () => {
    expectUnique(organisations.map((o) => o.key));
    expectUnique(organisations.flatMap((o) => (o.siren ? [o.siren] : [])));
    expectUnique(organisations.flatMap((o) => (o.inseeCode ? [o.inseeCode] : [])));
    expectUnique(programmes.map((p) => p.code));
    for (const org of organisations) if (org.siren) expect(org.siren).toMatch(/^\d{9}$/);
  });

  it('only refers to organisations that exist', () => {
    const refs = [
      ...programmes.map((p) => p.operatorKey),
      ...contract.signatoryKeys,
      ...contract.partnerKeys,
      ...organisations.flatMap((o) => (o.parentKey ? [o.parentKey] : [])),
    ];
    for (const ref of refs) expect(byKey.has(ref) ? ref : `missing: ${ref}`).toBe(ref);
    expectUnique(contract.partnerKeys);
  });

  it('is signed by the State and the two EPCIs', () => {
    expect(contract.signatoryKeys).toEqual(['ETAT', 'DOUAISIS_AGGLO', 'CCCO']);
    expect(byKey.get('ETAT')!.kind).toBe(OrganisationKind.STATE);
    expect(byKey.get('REGION_HDF')).toMatchObject({ kind: OrganisationKind.REGION, siren: '200053742' });
    expect(byKey.get('DEPARTEMENT_NORD')).toMatchObject({ kind: OrganisationKind.DEPARTMENT, siren: '225900018' });
  });

  it('only lists as partners organisations the contract text names', () => {
    const text = ` ${normaliseText(CONTRACT_TEXT)} `;
    for (const key of contract.partnerKeys) {
      const org = byKey.get(key)!;
      const named = [...globalSpellings(org), ...contractSpellings(org)].some((s) => text.includes(` ${normaliseText(s)} `));
      expect(named ? key : `not named in the contract: ${key}`).toBe(key);
    }
  });

  it('never spells an organisation twice the same way', () => {
    for (const org of organisations) {
      const all = [org.name, org.shortName, ...org.aliases, ...(org.contractAliases ?? [])].filter((s): s is string => !!s);
      expectUnique(all.map(normaliseText), org.key);
    }
  });

  it('has no ambiguous alias: global ones across all organisations, contract ones within the contract', () => {
    const ambiguous = (map: Map<string, Set<string>>) => [...map].filter(([, keys]) => keys.size > 1).map(([s, keys]) => `${s} → ${[...keys]}`);
    expect(ambiguous(globalIndex)).toEqual([]);
    expect(ambiguous(contractIndex)).toEqual([]);
    // A contract alias must not shadow another organisation's global spelling either.
    const shadowing = [...contractIndex]
      .filter(([s, keys]) => [...(globalIndex.get(s) ?? [])].some((k) => !keys.has(k)))
      .map(([s]) => s);
    expect(shadowing).toEqual([]);
    for (const [normalised] of [...globalIndex, ...contractIndex]) expect(normalised).not.toBe('');
  });

  it.each([
    ['CCCO', 'CCCO'],
    ["Coeur d'Ostrevent", 'CCCO'],
    ['Cœur d’Ostrevent', 'CCCO'],
    ["Communauté de communes Coeur d'Ostrevent", 'CCCO'],
    ["CC Coeur d'Ostrevent", 'CCCO'],
    ['DA', 'DOUAISIS_AGGLO'],
    ['Douaisis Agglo', 'DOUAISIS_AGGLO'],
    ["Communauté d'agglomération du Douaisis", 'DOUAISIS_AGGLO'],
    ['BdT', 'BANQUE_DES_TERRITOIRES'],
    ['Banque des territoires', 'BANQUE_DES_TERRITOIRES'],
    ['Caisse des dépôts', 'BANQUE_DES_TERRITOIRES'],
    ['CDC', 'BANQUE_DES_TERRITOIRES'],
    ['Etat', 'ETAT'],
    ['ÉTAT', 'ETAT'],
    ['Sous-préfecture de Douai', 'ETAT'],
    ['Région', 'REGION_HDF'],
    ['Region Hauts de France', 'REGION_HDF'],
    ['Département', 'DEPARTEMENT_NORD'],
    ['CD59', 'DEPARTEMENT_NORD'],
    ["Agence de l'eau", 'AGENCE_EAU_AP'],
    ['AEAP', 'AGENCE_EAU_AP'],
    ['EPFN', 'EPF_HDF'],
    ['DRAC', 'DRAC_HDF'],
    ['SMTD', 'SMTD'],
  ])('resolves %j to %s', (spelling, key) => {
    expect(resolve(spelling)).toEqual([key]);
  });

  it('has no ambiguous programme spelling', () => {
    const spellings = programmes.flatMap((p) => [p.code, p.name, ...(p.aliases ?? [])].map((s) => `${normaliseText(s)}|${p.code}`));
    const owners = new Map<string, Set<string>>();
    for (const entry of new Set(spellings)) {
      const [s, code] = entry.split('|');
      owners.set(s, (owners.get(s) ?? new Set()).add(code));
    }
    expect([...owners].filter(([, codes]) => codes.size > 1)).toEqual([]);
    for (const code of ['DETR', 'DSIL', 'DSIL_RELANCE', 'DSIL_RENOVATION_THERMIQUE', 'DSID', 'DPV', 'FNADT', 'FONDS_VERT', 'FONDS_FRICHES', 'FEDER', 'FSE', 'MAPRIMERENOV']) {
      expect(programmes.some((p) => p.code === code) ? code : `missing ${code}`).toBe(code);
    }
    expect(programmes.find((p) => p.code === 'FEDER')!.operatorKey).toBe('REGION_HDF');
    expect(programmes.find((p) => p.code === 'MAPRIMERENOV')!.operatorKey).toBe('ANAH');
  });
});

function expectUnique(values: string[], label = ''): void {
  const duplicates = values.filter((v, i) => values.indexOf(v) !== i);
  expect(duplicates.map((d) => `${label} ${d}`.trim())).toEqual([]);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
