import { PageType } from '../common/pagination';
import { Funding } from './funding.entity';

/** A page of funding lines: the `fundings` query's, and a batch's lines in its lineage. */
export const FundingPage = PageType(Funding, 'FundingPage');
