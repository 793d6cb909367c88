import { InitialSchema1764115200000 } from './1764115200000-initial-schema';
import { ImportApply1764201600000 } from './1764201600000-import-apply';
import { BiViews1764460800000 } from './1764460800000-bi-views';
import { FundingFactIndex1764547200000 } from './1764547200000-funding-fact-index';
import { Audit1764633600000 } from './1764633600000-audit';
import { DataVersion1764720000000 } from './1764720000000-data-version';
import { FileEncoding1764806400000 } from './1764806400000-file-encoding';
import { SavedReportOwner1764892800000 } from './1764892800000-saved-report-owner';
import { SavedReportEnumSpelling1764979200000 } from './1764979200000-saved-report-enum-spelling';
import { ImportBatchProgramme1765065600000 } from './1765065600000-import-batch-programme';
import { ContractStructure1765152000000 } from './1765152000000-contract-structure';
import { Meetings1765238400000 } from './1765238400000-meetings';
import { CreditNature1765324800000 } from './1765324800000-credit-nature';
import { RelancePartial1765411200000 } from './1765411200000-relance-partial';
import { CellCorrections1765497600000 } from './1765497600000-cell-corrections';
import { FundingCurrentIndex1765584000000 } from './1765584000000-funding-current-index';
import { Amendments1765670400000 } from './1765670400000-amendments';

/** Listed explicitly (not globbed) so that compiled, ts-jest and swc runs see the same migrations. */
export const MIGRATIONS = [InitialSchema1764115200000, ImportApply1764201600000, BiViews1764460800000, FundingFactIndex1764547200000, Audit1764633600000, DataVersion1764720000000, FileEncoding1764806400000, SavedReportOwner1764892800000, SavedReportEnumSpelling1764979200000, ImportBatchProgramme1765065600000, ContractStructure1765152000000, Meetings1765238400000, CreditNature1765324800000, RelancePartial1765411200000, CellCorrections1765497600000, FundingCurrentIndex1765584000000, Amendments1765670400000];
