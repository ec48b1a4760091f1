import { Injectable } from '@nestjs/common';
import { AuthenticatedUser, canActFor } from '@app/auth';
import { TransactionHost } from '@app/database';
import { Problem } from '@app/platform';
import { BookletIssuer } from './booklet-issuer';
import { BookletRepository, BookletRow } from './booklet.repository';
import { BookletPageView, BookletSummaryView, BookletView, IssuedBookletView } from './dto/booklet.views';
import { IssueBookletDto } from './dto/issue-booklet.dto';
import { ListBookletsQuery } from './dto/list-booklets.query';

@Injectable()
export class BookletsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly booklets: BookletRepository,
    private readonly issuer: BookletIssuer,
  ) {}

  /**
   * Spends one booklet's worth of the agency's allocation and creates the
   * booklet, its passes and BookletIssued in one transaction: any refusal or
   * failure rolls the spending back.
   */
  issue(command: IssueBookletDto, counselor: AuthenticatedUser): Promise<IssuedBookletView> {
    return this.tx.run(async () => {
      const context = await this.issuer.contextFor(counselor, command.programId);
      const [booklet] = await this.issuer.issue(context, counselor, [command.beneficiary], null);
      return booklet;
    });
  }

  async get(id: string, user: AuthenticatedUser): Promise<BookletView> {
    const booklet = await this.findVisible(id, user);
    const passes = await this.booklets.findPasses(id);
    return { ...summaryOf(booklet), passes };
  }

  /** Counselors see their agency's booklets only, whatever agencyId they pass. */
  async list(query: ListBookletsQuery, user: AuthenticatedUser): Promise<BookletPageView> {
    const agencyId = user.role === 'operator' ? query.agencyId : (user.org ?? undefined);
    if (!agencyId && user.role !== 'operator')
      throw Problem.forbidden('AGENCY_NOT_FOUND', "Votre compte n'est rattaché à aucune agence.");
    const { rows, total } = await this.booklets.list(
      { agencyId, programId: query.programId, status: query.status, from: query.from, to: query.to },
      (query.page - 1) * query.pageSize,
      query.pageSize,
    );
    return { items: rows.map(summaryOf), total, page: query.page, pageSize: query.pageSize };
  }

  /** The booklet if the caller may see it; a booklet of another agency answers 404 as if it did not exist. */
  async findVisible(id: string, user: AuthenticatedUser): Promise<BookletRow> {
    const booklet = await this.booklets.findById(id);
    if (!booklet || !canActFor(user, booklet.agencyId))
      throw Problem.notFound('BOOKLET_NOT_FOUND', 'Ce carnet est introuvable.');
    return booklet;
  }
}

function summaryOf(row: BookletRow): BookletSummaryView {
  const { beneficiaryRef, ageBand, situation, diagnosticLevel, ...rest } = row;
  return { ...rest, beneficiary: { beneficiaryRef, ageBand, situation, diagnosticLevel } };
}
