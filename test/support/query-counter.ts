import { AbstractLogger, LogLevel, LogMessage, QueryRunner } from 'typeorm';

/** Counts the SQL statements TypeORM sends, so that tests can prove a query does not grow with its rows. */
export class QueryCounter extends AbstractLogger {
  count = 0;
  statements: string[] = [];

  constructor() {
    super(['query']);
  }

  override logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.count += 1;
    this.statements.push(query);
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[] | string | number, _queryRunner?: QueryRunner): void {}

  reset(): void {
    this.count = 0;
    this.statements = [];
  }
}
