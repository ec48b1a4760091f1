import { Injectable } from '@nestjs/common';
import { FunderRegisteredV1, ProgramClosedV1, ProgramOpenedV1 } from '@app/contracts';
import { ProgramRepository } from './program.repository';

/** Keeps issuance's view of funding's programs and funders. */
@Injectable()
export class ProgramsService {
  constructor(private readonly programs: ProgramRepository) {}

  recordOpened(event: ProgramOpenedV1): Promise<void> {
    return this.programs.insertIfAbsent({
      id: event.programId,
      name: event.name,
      faceValueCents: event.faceValueCents,
      bookletSize: event.bookletSize,
      validFrom: event.validFrom,
      validUntil: event.validUntil,
      toleranceDays: event.toleranceDays,
      territory: event.territory,
      fundingLines: event.fundingLines.map(({ fundingLineId, funderId, shareBasisPoints }) => ({
        fundingLineId,
        funderId,
        shareBasisPoints,
      })),
    });
  }

  async recordClosed(event: ProgramClosedV1): Promise<void> {
    if (!(await this.programs.close(event.programId))) {
      throw new Error(`ProgramClosed refers to unknown program ${event.programId}`);
    }
  }

  recordFunder(event: FunderRegisteredV1): Promise<void> {
    return this.programs.upsertFunder(event.funderId, event.name);
  }
}
