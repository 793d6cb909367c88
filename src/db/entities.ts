import { Action } from '../action/action.entity';
import { ActionCommune } from '../action/action-commune.entity';
import { AmendmentChangeRow } from '../amendment/amendment-change.entity';
import { Amendment } from '../amendment/amendment.entity';
import { ApiToken } from '../auth/api-token.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { ContractDataVersion } from '../cache/contract-data-version.entity';
import { Axis } from '../contract/axis.entity';
import { ContractParty } from '../contract/contract-party.entity';
import { Contract } from '../contract/contract.entity';
import { Orientation } from '../contract/orientation.entity';
import { Funding } from '../funding/funding.entity';
import { ImportBatch } from '../provenance/import-batch.entity';
import { ImportFileChunk } from '../import-batch/import-file-chunk.entity';
import { ImportIssue } from '../import-batch/import-issue.entity';
import { ImportCellCorrection } from '../provenance/import-cell-correction.entity';
import { Decision } from '../meeting/decision.entity';
import { Meeting, MeetingAgendaItem, MeetingMember } from '../meeting/meeting.entity';
import { IndicatorValue } from '../indicator/indicator-value.entity';
import { Indicator } from '../indicator/indicator.entity';
import { OrganisationAlias } from '../organisation/organisation-alias.entity';
import { Organisation } from '../organisation/organisation.entity';
import { Programme } from '../programme/programme.entity';
import { RelanceAmount } from '../relance/relance-amount.entity';
import { RelanceMeasure } from '../relance/relance-measure.entity';
import { SavedReport } from '../report/saved-report.entity';

export const ENTITIES = [
  Contract,
  ContractParty,
  Axis,
  Orientation,
  Organisation,
  OrganisationAlias,
  Programme,
  Action,
  ActionCommune,
  Funding,
  Indicator,
  IndicatorValue,
  RelanceMeasure,
  RelanceAmount,
  ImportBatch,
  ImportIssue,
  ImportCellCorrection,
  ImportFileChunk,
  ApiToken,
  SavedReport,
  AuditEvent,
  ContractDataVersion,
  Meeting,
  MeetingMember,
  MeetingAgendaItem,
  Decision,
  Amendment,
  AmendmentChangeRow,
];
