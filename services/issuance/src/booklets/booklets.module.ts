import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { ProgramsModule } from '../programs/programs.module';
import { BookletIssuer } from './booklet-issuer';
import { BookletOrderRepository } from './booklet-order.repository';
import { BookletOrdersController } from './booklet-orders.controller';
import { BookletOrdersService } from './booklet-orders.service';
import { BookletRepository } from './booklet.repository';
import { BookletsController } from './booklets.controller';
import { BookletsService } from './booklets.service';
import { PassCodeCipher } from './pass-code-cipher';

@Module({
  imports: [AgenciesModule, ProgramsModule, AllocationsModule],
  controllers: [BookletsController, BookletOrdersController],
  providers: [
    BookletsService,
    BookletIssuer,
    BookletOrdersService,
    BookletOrderRepository,
    BookletRepository,
    PassCodeCipher,
  ],
  exports: [BookletsService, BookletRepository, PassCodeCipher],
})
export class BookletsModule {}
