import { MigrationInterface, QueryRunner } from 'typeorm';

// Flat, labelled views for BI tools (docs/bi-views.md documents every column; columns are only ever
// added, never renamed or removed, within a major version). Plain SQL that SQLite and MySQL/MariaDB both
// read; the few differences (integer casts, exact money sums, SQL SECURITY) are branched on the driver.
//
// The "counted" rule is a frozen copy of src/funding/funding-visibility.ts countedSql(alias, false): a
// migration must keep meaning what it meant when it ran. test/db/bi-views.test.ts checks that the two
// still select the same lines.
//
// SQLite caveat for later migrations: TypeORM alters a SQLite table by rebuilding and renaming it, and
// SQLite refuses that rename while a view names the table. A later migration that alters a table these
// views read must call dropBiViews() first, and createBiViews() (or its own new version) afterwards.

type Dialect = 'sqlite' | 'mysql';

export const BI_VIEWS = ['v_funding', 'v_funding_history', 'v_action', 'v_indicator_value', 'v_import_batch', 'v_relance_amount'] as const;

const dialectOf = (queryRunner: QueryRunner): Dialect => (queryRunner.connection.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql');

/** Exact whole cents of a DECIMAL(…,2): SQLite keeps DECIMAL as a double, so round back first. */
const cents = (d: Dialect, expr: string) => `CAST(ROUND(${expr} * 100) AS ${d === 'sqlite' ? 'INTEGER' : 'SIGNED'})`;
/** An integer sum that stays an integer (MySQL's SUM of integers is a DECIMAL). */
const sumInt = (d: Dialect, expr: string) => (d === 'sqlite' ? `SUM(${expr})` : `CAST(SUM(${expr}) AS SIGNED)`);
/** Money from whole cents: an exact DECIMAL on MySQL; on SQLite, where no decimal type exists, the nearest double. */
const moneyFromCents = (d: Dialect, expr: string) => (d === 'sqlite' ? `ROUND(${expr} / 100.0, 2)` : `CAST(${expr} / 100 AS DECIMAL(17,2))`);

function valid(alias: string): string {
  return `${alias}.superseded_at IS NULL`;
}

/** countedSql(alias, false) of funding-visibility.ts, as of this migration. */
function counted(alias: string): string {
  const own = `${alias}_own`;
  return `(${valid(alias)} AND (${alias}.source_id IS NULL OR ${alias}.source_id = ${alias}.funder_id OR NOT EXISTS (SELECT 1 FROM funding ${own}
      WHERE ${own}.action_id = ${alias}.action_id AND ${own}.funder_id = ${alias}.funder_id AND ${own}.year = ${alias}.year
        AND ${own}.stage = ${alias}.stage AND ${own}.source_id = ${own}.funder_id AND ${own}.id <> ${alias}.id AND ${valid(own)})))`;
}

/** The EPCI of the perimeter: the beneficiary's (itself or its commune's), else the action's lead's (DIMENSION_SQL.territory). */
const TERRITORY_ID = `COALESCE(CASE WHEN b.kind = 'EPCI' THEN b.id ELSE b.parent_id END, CASE WHEN ld.kind = 'EPCI' THEN ld.id ELSE ld.parent_id END)`;

/**
 * The views' versions: 1 as this migration made them; 2 adds `credit_nature` at the end of v_funding's
 * columns (migration CreditNature1765324800000; v_funding_history keeps v_funding's columns first, so
 * there it comes before `is_current`). A migration creates the version of its time; `createBiViews()`
 * without a version creates the latest, for a later migration that drops and recreates them. 3 adds
 * `applied_partially` and `rows_left_out` at the end of v_import_batch, and the view v_relance_amount
 * (migration RelancePartial1765411200000).
 */
export type BiViewsVersion = 1 | 2 | 3;
export const LATEST_BI_VIEWS: BiViewsVersion = 3;

function fundingColumns(d: Dialect, version: BiViewsVersion): string {
  return `f.id AS funding_id,
    f.contract_id AS contract_id, c.code AS contract_code, c.name AS contract_name,
    ax.id AS axis_id, ax.number AS axis_number, ax.title AS axis_title,
    o.id AS orientation_id, o.code AS orientation_code, o.title AS orientation_title,
    f.action_id AS action_id, a.code AS action_code, a.title AS action_title, a.status AS action_status,
    ld.id AS lead_id, ld.name AS lead_name,
    f.funder_id AS funder_id, fu.name AS funder_name, fu.short_name AS funder_short_name, fu.kind AS funder_kind, fu.siren AS funder_siren,
    f.programme_id AS programme_id, p.code AS programme_code, p.name AS programme_name,
    f.beneficiary_id AS beneficiary_id, b.name AS beneficiary_name, b.kind AS beneficiary_kind, b.siren AS beneficiary_siren, b.insee_code AS beneficiary_insee_code,
    t.id AS territory_id, t.name AS territory_name, t.siren AS territory_siren,
    f.year AS year, f.stage AS stage, f.instrument AS instrument, f.cost_base AS cost_base, f.approximate AS is_approximate,
    f.amount AS amount, ${cents(d, 'f.amount')} AS amount_cents,
    f.source_id AS declared_by_id, src.name AS declared_by_name, f.import_kind AS import_kind,
    f.batch_id AS batch_id, ib.file_name AS file_name, f.source_sheet AS source_sheet, f.source_cell AS source_cell, f.raw_value AS raw_value,
    f.created_at AS created_at${version >= 2 ? ', f.credit_nature AS credit_nature' : ''}`;
}

const FUNDING_JOINS = `FROM funding f
  INNER JOIN contract c ON c.id = f.contract_id
  LEFT JOIN action a ON a.id = f.action_id
  LEFT JOIN orientation o ON o.id = a.orientation_id
  LEFT JOIN axis ax ON ax.id = o.axis_id
  LEFT JOIN organisation ld ON ld.id = a.lead_id
  INNER JOIN organisation fu ON fu.id = f.funder_id
  LEFT JOIN programme p ON p.id = f.programme_id
  LEFT JOIN organisation b ON b.id = f.beneficiary_id
  LEFT JOIN organisation t ON t.id = ${TERRITORY_ID}
  LEFT JOIN organisation src ON src.id = f.source_id
  LEFT JOIN import_batch ib ON ib.id = f.batch_id`;

function definitions(d: Dialect, version: BiViewsVersion): Partial<Record<(typeof BI_VIEWS)[number], string>> {
  const stageCents = (stage: string) => sumInt(d, `CASE WHEN f.stage = '${stage}' THEN ${cents(d, 'f.amount')} ELSE 0 END`);
  return {
    v_funding: `SELECT ${fundingColumns(d, version)}
      ${FUNDING_JOINS}
      WHERE ${counted('f')}`,

    v_funding_history: `SELECT ${fundingColumns(d, version)},
      CASE WHEN ${valid('f')} THEN 1 ELSE 0 END AS is_current,
      CASE WHEN ${counted('f')} THEN 1 ELSE 0 END AS is_counted,
      f.superseded_at AS superseded_at, f.superseded_by_batch_id AS superseded_by_batch_id, sb.file_name AS superseded_by_file_name
      ${FUNDING_JOINS}
      LEFT JOIN import_batch sb ON sb.id = f.superseded_by_batch_id`,

    // Stages are not added up: the same euro may be planned, then granted, then paid.
    v_action: `SELECT a.id AS action_id,
      a.contract_id AS contract_id, c.code AS contract_code, c.name AS contract_name,
      ax.id AS axis_id, ax.number AS axis_number, ax.title AS axis_title,
      o.id AS orientation_id, o.code AS orientation_code, o.title AS orientation_title,
      a.code AS action_code, a.title AS action_title, a.status AS action_status,
      ld.id AS lead_id, ld.name AS lead_name, ld.kind AS lead_kind, ld.siren AS lead_siren,
      t.id AS territory_id, t.name AS territory_name,
      a.total_cost AS total_cost, a.cost_base AS cost_base, a.start_date AS start_date, a.end_date AS end_date,
      ${moneyFromCents(d, 'COALESCE(s.planned_cents, 0)')} AS planned_amount,
      ${moneyFromCents(d, 'COALESCE(s.requested_cents, 0)')} AS requested_amount,
      ${moneyFromCents(d, 'COALESCE(s.granted_cents, 0)')} AS granted_amount,
      ${moneyFromCents(d, 'COALESCE(s.paid_cents, 0)')} AS paid_amount,
      COALESCE(s.planned_cents, 0) AS planned_cents, COALESCE(s.requested_cents, 0) AS requested_cents,
      COALESCE(s.granted_cents, 0) AS granted_cents, COALESCE(s.paid_cents, 0) AS paid_cents,
      COALESCE(s.line_count, 0) AS counted_line_count,
      CASE WHEN a.total_cost > 0 THEN ROUND(COALESCE(s.planned_cents, 0) / (a.total_cost * 100.0), 4) END AS planned_coverage,
      a.created_at AS created_at, a.updated_at AS updated_at
      FROM action a
      INNER JOIN contract c ON c.id = a.contract_id
      LEFT JOIN orientation o ON o.id = a.orientation_id
      LEFT JOIN axis ax ON ax.id = o.axis_id
      LEFT JOIN organisation ld ON ld.id = a.lead_id
      LEFT JOIN organisation t ON t.id = CASE WHEN ld.kind = 'EPCI' THEN ld.id ELSE ld.parent_id END
      LEFT JOIN (SELECT f.action_id AS action_id,
          ${stageCents('PLANNED')} AS planned_cents, ${stageCents('REQUESTED')} AS requested_cents,
          ${stageCents('GRANTED')} AS granted_cents, ${stageCents('PAID')} AS paid_cents,
          COUNT(*) AS line_count
        FROM funding f
        WHERE f.action_id IS NOT NULL AND ${counted('f')}
        GROUP BY f.action_id) s ON s.action_id = a.id`,

    // An indicator belongs to an action or to an orientation: the orientation is its own, else its action's.
    v_indicator_value: `SELECT iv.id AS indicator_value_id,
      i.contract_id AS contract_id, c.code AS contract_code,
      i.id AS indicator_id, i.code AS indicator_code, i.name AS indicator_name, i.unit AS unit,
      i.baseline AS baseline, i.target AS target, i.target_year AS target_year,
      ax.id AS axis_id, ax.number AS axis_number, ax.title AS axis_title,
      o.id AS orientation_id, o.code AS orientation_code, o.title AS orientation_title,
      a.id AS action_id, a.code AS action_code, a.title AS action_title, a.status AS action_status,
      iv.year AS year, iv.stage AS stage, iv.value AS value,
      iv.batch_id AS batch_id, ib.file_name AS file_name, iv.source_sheet AS source_sheet, iv.source_cell AS source_cell, iv.raw_value AS raw_value,
      iv.created_at AS created_at, iv.updated_at AS updated_at
      FROM indicator_value iv
      INNER JOIN indicator i ON i.id = iv.indicator_id
      INNER JOIN contract c ON c.id = i.contract_id
      LEFT JOIN action a ON a.id = i.action_id
      LEFT JOIN orientation o ON o.id = COALESCE(i.orientation_id, a.orientation_id)
      LEFT JOIN axis ax ON ax.id = o.axis_id
      LEFT JOIN import_batch ib ON ib.id = iv.batch_id`,

    v_import_batch: `SELECT ib.id AS batch_id,
      ib.contract_id AS contract_id, c.code AS contract_code,
      ib.kind AS kind, ib.source_id AS source_id, src.name AS source_name, src.short_name AS source_short_name,
      ib.year AS year, ib.file_name AS file_name, ib.sha256 AS sha256, ib.size_bytes AS size_bytes, ib.layout AS layout,
      ib.status AS status, ib.uploaded_by AS uploaded_by, ib.uploaded_at AS uploaded_at, ib.applied_at AS applied_at, ib.rolled_back_at AS rolled_back_at,
      ib.line_count AS line_count, ib.error_count AS error_count, ib.warning_count AS warning_count, ib.total AS total,
      COALESCE(fl.line_count, 0) AS funding_line_count, COALESCE(fl.current_count, 0) AS current_funding_line_count,
      COALESCE(rl.line_count, 0) AS replaced_funding_line_count${version >= 3 ? ', ib.applied_partially AS applied_partially, ib.rows_left_out AS rows_left_out' : ''}
      FROM import_batch ib
      INNER JOIN contract c ON c.id = ib.contract_id
      INNER JOIN organisation src ON src.id = ib.source_id
      LEFT JOIN (SELECT f.batch_id AS batch_id, COUNT(*) AS line_count, ${sumInt(d, `CASE WHEN ${valid('f')} THEN 1 ELSE 0 END`)} AS current_count
        FROM funding f WHERE f.batch_id IS NOT NULL GROUP BY f.batch_id) fl ON fl.batch_id = ib.id
      LEFT JOIN (SELECT f.superseded_by_batch_id AS batch_id, COUNT(*) AS line_count
        FROM funding f WHERE f.superseded_by_batch_id IS NOT NULL GROUP BY f.superseded_by_batch_id) rl ON rl.batch_id = ib.id`,

    // Annex 2: the amounts of the recovery-plan measures in force (not replaced by a later annex 2, not rolled back).
    ...(version >= 3
      ? {
          v_relance_amount: `SELECT ra.id AS relance_amount_id,
      m.contract_id AS contract_id, c.code AS contract_code,
      m.id AS measure_id, m.volet_number AS volet_number, m.volet_title AS volet_title, m.name AS measure_name, m.position AS measure_position,
      ra.kind AS kind, ra.instrument AS instrument, ra.year AS year,
      ra.amount AS amount, ${cents(d, 'ra.amount')} AS amount_cents, ra.approximate AS is_approximate,
      ra.raw_value AS raw_value, ra.source_sheet AS source_sheet, ra.source_cell AS source_cell,
      m.batch_id AS batch_id, ib.file_name AS file_name
      FROM relance_amount ra
      INNER JOIN relance_measure m ON m.id = ra.measure_id
      INNER JOIN contract c ON c.id = m.contract_id
      LEFT JOIN import_batch ib ON ib.id = m.batch_id
      WHERE m.superseded_at IS NULL`,
        }
      : {}),
  };
}

/** Drops every BI view (for a later migration that must alter a table they read; see above). */
export async function dropBiViews(queryRunner: QueryRunner): Promise<void> {
  for (const name of [...BI_VIEWS].reverse()) await queryRunner.query(`DROP VIEW IF EXISTS ${name}`);
}

/** (Re)creates the BI views at `version` (the latest by default: a later migration may put them back with it). */
export async function createBiViews(queryRunner: QueryRunner, version: BiViewsVersion = LATEST_BI_VIEWS): Promise<void> {
  const dialect = dialectOf(queryRunner);
  // SQL SECURITY DEFINER (MariaDB's default, said out loud): a BI user granted SELECT on the views
  // alone reads them with the migrating user's rights and never sees the tables.
  const create = dialect === 'sqlite' ? 'CREATE VIEW' : 'CREATE SQL SECURITY DEFINER VIEW';
  await dropBiViews(queryRunner);
  for (const [name, select] of Object.entries(definitions(dialect, version))) await queryRunner.query(`${create} ${name} AS ${select}`);
}

export class BiViews1764460800000 implements MigrationInterface {
  name = 'BiViews1764460800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await createBiViews(queryRunner, 1);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await dropBiViews(queryRunner);
  }
}
