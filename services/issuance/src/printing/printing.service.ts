import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '@app/auth';
import { TransactionHost } from '@app/database';
import { formatPassCode } from '@app/pass-codes';
import { BookletRepository } from '../booklets/booklet.repository';
import { BookletsService } from '../booklets/booklets.service';
import { PassCodeCipher } from '../booklets/pass-code-cipher';
import { ProgramRepository } from '../programs/program.repository';
import { renderBookletPdf } from './booklet-pdf.renderer';

@Injectable()
export class PrintingService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly booklets: BookletsService,
    private readonly bookletRows: BookletRepository,
    private readonly programs: ProgramRepository,
    private readonly cipher: PassCodeCipher,
  ) {}

  /** Every print is recorded, in the transaction that opens the codes: no PDF without its trace. */
  print(bookletId: string, user: AuthenticatedUser): Promise<Buffer> {
    return this.tx.run(async () => {
      const booklet = await this.booklets.findVisible(bookletId, user);
      const program = await this.programs.findById(booklet.programId);
      if (!program) throw new Error(`Booklet ${bookletId} refers to unknown program ${booklet.programId}`);
      const funderIds = program.fundingLines.map((line) => line.funderId);
      const funders = new Map((await this.programs.findFunders(funderIds)).map((funder) => [funder.id, funder.name]));
      const sealed = await this.bookletRows.findSealedCodes(bookletId);
      await this.bookletRows.recordPrint(bookletId, user.subject);
      return renderBookletPdf({
        programName: program.name,
        validUntil: program.validUntil,
        funderNames: [...new Set(funderIds.flatMap((id) => funders.get(id) ?? []))],
        territory: program.territory,
        beneficiaryRef: booklet.beneficiaryRef,
        passes: sealed.map((pass) => ({
          position: pass.position,
          amountCents: pass.amountCents,
          code: formatPassCode(this.cipher.open(pass.id, pass.codeSealed)),
        })),
      });
    });
  }
}
